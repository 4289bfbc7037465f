"""Training on the crossbar: the data, the training rules, the compiled engine with its exact
pulse ledger, training runs and their files, and the cost of the hardware around the array.

A :class:`~fetrain.train.config.TrainConfig` names a device model, a rule
(:mod:`~fetrain.train.rules`) and its settings; :func:`~fetrain.train.loop.train` trains many
side by side on the :class:`~fetrain.train.engine.Engine`; :func:`~fetrain.train.store.train_cached`
keeps each run as plain files. MNIST is :mod:`~fetrain.train.data`.
"""

from .config import LAYER_SIZES, REFERENCES, TrainConfig
from .engine import Engine
from .hardware import DIGITAL_MODELS, CircuitCosts, DigitalCosts
from .loop import RunResult, layer_summary, train
from .rules import RULES, MixedPrecision, PulseTrains
from .store import load_result, save_result, train_cached

__all__ = ["CircuitCosts", "DIGITAL_MODELS", "DigitalCosts", "Engine", "LAYER_SIZES",
           "MixedPrecision", "PulseTrains", "REFERENCES", "RULES", "RunResult", "TrainConfig",
           "layer_summary", "load_result", "save_result", "train", "train_cached"]
