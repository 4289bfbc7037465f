"""Training on the crossbar: the data, the training rules, the compiled engine with its exact
pulse ledger, training runs and their files, and the cost of the hardware around the array.

A :class:`~fetrain.train.config.TrainConfig` names a device model, a rule
(:mod:`~fetrain.train.rules`) and its settings; :func:`~fetrain.train.loop.train` trains many
side by side on the :class:`~fetrain.train.engine.Engine`; :func:`~fetrain.train.store.train_cached`
keeps each run as plain files. MNIST is :mod:`~fetrain.train.data`.

Its main names are importable from here (``from fetrain.train import …``); each is loaded from its
module on first use, so that importing one module of the subpackage stays light.
"""

from importlib import import_module

#: the subpackage's main names, and the module of each
_EXPORTS: dict[str, str] = {
    "CircuitCosts": "hardware",
    "DIGITAL_MODELS": "hardware",
    "DigitalCosts": "hardware",
    "Engine": "engine",
    "LAYER_SIZES": "config",
    "AGAD": "rules",
    "ChoppedTTv2": "rules",
    "MixedPrecision": "rules",
    "PulseTrains": "rules",
    "REFERENCES": "config",
    "RULES": "rules",
    "Rule": "rulebase",
    "RunResult": "loop",
    "TTv2": "rules",
    "TrainConfig": "config",
    "layer_summary": "loop",
    "load_result": "store",
    "save_result": "store",
    "train": "loop",
    "train_cached": "store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
