"""Studies: the experiments that answer the book's questions, each a plain function of its
settings, and the commands that ship their results.

The validation pilot that fixed the learning rate, epochs and target (:mod:`~fetrain.study.pilot`);
the main sweep across pulse widths, strategies and programming schemes
(:mod:`~fetrain.study.plan`, :mod:`~fetrain.study.sweep`), on the embedded subset or full MNIST
(:mod:`~fetrain.study.fullmnist`) and on the synthetic device or a reader's measured campaign
(:mod:`~fetrain.study.measured`) and what it says
(:mod:`~fetrain.study.tradeoff`), with the read path of every sample (:mod:`~fetrain.study.readpath`),
each width tuned on the validation split (:mod:`~fetrain.study.tune`) and bootstrap intervals over
seeds (:mod:`~fetrain.study.confidence`); the cross-check against AIHWKit (:mod:`~fetrain.study.crosscheck`);
the robustness of symmetry point shifting (:mod:`~fetrain.study.robustness`); the coverage of
fitted uncertainties (:mod:`~fetrain.study.coverage`); what training costs the devices
(:mod:`~fetrain.study.wear`) and the recalibration of an aging chip
(:mod:`~fetrain.study.recalibration`); the engine's speed (:mod:`~fetrain.study.bench`).

Its main names are importable from here (``from fetrain.study import …``); each is loaded from its
module on first use, so that importing one module of the subpackage stays light.
"""

from importlib import import_module

#: the subpackage's main names, and the module of each
_EXPORTS: dict[str, str] = {
    "DEFAULT_EPOCHS": "pilot",
    "DEFAULT_LR": "pilot",
    "READ_PATH_MODELS": "readpath",
    "ReadPathModel": "readpath",
    "TunePlan": "tune",
    "SCHEMES": "plan",
    "STRATEGIES": "plan",
    "SweepPlan": "plan",
    "TARGET_ACCURACY": "pilot",
    "agreement": "crosscheck",
    "book_runs": "sweep",
    "choose_from_pilot": "pilot",
    "cross_check": "crosscheck",
    "device_models": "plan",
    "fetch_mnist": "fullmnist",
    "load_mnist": "fullmnist",
    "campaign_models": "measured",
    "load_histories": "sweep",
    "load_wear": "sweep",
    "lifetime": "wear",
    "result_wear": "wear",
    "AgingStudy": "recalibration",
    "load_pilot": "pilot",
    "load_tuning": "tune",
    "ratio_interval": "confidence",
    "run_sweep": "sweep",
    "run_tuning": "tune",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
