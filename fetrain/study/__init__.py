"""Studies: the experiments that answer the book's questions, each a plain function of its
settings, and the commands that ship their results.

The validation pilot that fixed the learning rate, epochs and target (:mod:`~fetrain.study.pilot`);
the main sweep across pulse widths, strategies and programming schemes
(:mod:`~fetrain.study.plan`, :mod:`~fetrain.study.sweep`) and what it says
(:mod:`~fetrain.study.tradeoff`); the cross-check against AIHWKit (:mod:`~fetrain.study.crosscheck`);
the robustness of symmetry point shifting (:mod:`~fetrain.study.robustness`); the coverage of
fitted uncertainties (:mod:`~fetrain.study.coverage`); the engine's speed (:mod:`~fetrain.study.bench`).
"""

from .crosscheck import agreement, cross_check
from .pilot import DEFAULT_EPOCHS, DEFAULT_LR, TARGET_ACCURACY, choose_from_pilot, load_pilot
from .plan import SCHEMES, STRATEGIES, SweepPlan, device_models
from .sweep import book_runs, load_histories, run_sweep

__all__ = ["DEFAULT_EPOCHS", "DEFAULT_LR", "SCHEMES", "STRATEGIES", "SweepPlan",
           "TARGET_ACCURACY", "agreement", "book_runs", "choose_from_pilot", "cross_check",
           "device_models", "load_histories", "load_pilot", "run_sweep"]
