"""The device: HZO physics, the synthetic measurement campaign, characterisation files, fitting,
the device model that training uses, and the energy of one programming pulse.

From physics to model: :mod:`~fetrain.device.stack`, :mod:`~fetrain.device.conduction`,
:mod:`~fetrain.device.switching`, :mod:`~fetrain.device.schemes` and :mod:`~fetrain.device.hzo`
describe one synapse; :mod:`~fetrain.device.campaign` measures it (synthetically);
:mod:`~fetrain.device.loading` reads measurements, yours included; :mod:`~fetrain.device.build`
turns them into a :class:`~fetrain.device.model.DeviceModel`; :mod:`~fetrain.device.energy`
prices a pulse.
"""

from .build import build_device_model, build_device_models, symmetry_point_uncertainty
from .campaign import SyntheticCampaign, Variability, default_campaign
from .energy import PulseEnergy, device_pulse_energy, energy_table
from .fitting import SchottkyFit, fit_schottky
from .hzo import DEFAULT_DEVICE, HZODevice, describe_constants
from .loading import CharacterisationData, load_campaign, load_device_file, load_embedded
from .model import DeviceModel, EnergyUnavailable, symmetrized
from .schemes import AmplitudeLadder, IsoFraction
from .stack import DEFAULT_PULSE_WIDTH_S, PULSE_WIDTHS_S, HZOStack
from .steps import W_MAX, W_MIN
from .validate import DeviceFileError

__all__ = ["AmplitudeLadder", "CharacterisationData", "DEFAULT_DEVICE", "DEFAULT_PULSE_WIDTH_S",
           "DeviceFileError", "DeviceModel", "EnergyUnavailable", "HZODevice", "HZOStack",
           "IsoFraction", "PULSE_WIDTHS_S", "PulseEnergy", "SchottkyFit", "SyntheticCampaign",
           "Variability", "W_MAX", "W_MIN", "build_device_model", "build_device_models",
           "default_campaign", "describe_constants", "device_pulse_energy", "energy_table",
           "fit_schottky", "load_campaign", "load_device_file", "load_embedded", "symmetrized",
           "symmetry_point_uncertainty"]
