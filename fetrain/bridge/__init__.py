"""The same device and runs in AIHWKit 1.1.0, the field's reference simulator, and the device as
plain data.

:mod:`~fetrain.bridge.devices` exports a device model as AIHWKit's ``PiecewiseStepDevice`` (and
back from plain data); :mod:`~fetrain.bridge.configs` builds the tile configurations of fetrain's
rules; :mod:`~fetrain.bridge.networks` trains the book's network in AIHWKit on the same initial
weights and data order. AIHWKit is imported only when one of them runs.
"""

from .configs import mixed_precision_config, rpu_config, saturating_transfer
from .devices import device_as_data, device_from_data, piecewise_step_device
from .networks import analog_network, train_aihwkit

__all__ = ["analog_network", "device_as_data", "device_from_data", "mixed_precision_config",
           "piecewise_step_device", "rpu_config", "saturating_transfer", "train_aihwkit"]
