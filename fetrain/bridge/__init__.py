"""The same device and runs in AIHWKit 1.1.0, the field's reference simulator, and the device as
plain data.

:mod:`~fetrain.bridge.devices` exports a device model as AIHWKit's ``PiecewiseStepDevice`` (and
back from plain data); :mod:`~fetrain.bridge.configs` builds the tile configurations of fetrain's
rules; :mod:`~fetrain.bridge.networks` trains the book's network in AIHWKit on the same initial
weights and data order. AIHWKit is imported only when one of them runs.

Its main names are importable from here (``from fetrain.bridge import …``); each is loaded from its
module on first use, so that importing one module of the subpackage stays light.
"""

from importlib import import_module

#: the subpackage's main names, and the module of each
_EXPORTS: dict[str, str] = {
    "analog_network": "networks",
    "device_as_data": "devices",
    "device_from_data": "devices",
    "mixed_precision_config": "configs",
    "piecewise_step_device": "devices",
    "rpu_config": "configs",
    "saturating_transfer": "configs",
    "train_aihwkit": "networks",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
