"""The device: HZO physics, the synthetic measurement campaign, characterisation files, fitting,
the device model that training uses, and the energy of one programming pulse.

From physics to model: :mod:`~fetrain.device.stack`, :mod:`~fetrain.device.conduction`,
:mod:`~fetrain.device.switching`, :mod:`~fetrain.device.schemes` and :mod:`~fetrain.device.hzo`
describe one synapse; :mod:`~fetrain.device.campaign` measures it (synthetically);
:mod:`~fetrain.device.loading` reads measurements, yours included; :mod:`~fetrain.device.build`
turns them into a :class:`~fetrain.device.model.DeviceModel`; :mod:`~fetrain.device.energy`
prices a pulse; :mod:`~fetrain.device.wear` prices it in device life and
:mod:`~fetrain.device.aging` ages a device model.

Its main names are importable from here (``from fetrain.device import …``); each is loaded from its
module on first use, so that importing one module of the subpackage stays light.
"""

from importlib import import_module

#: the subpackage's main names, and the module of each
_EXPORTS: dict[str, str] = {
    "AmplitudeLadder": "schemes",
    "Breakdown": "wear",
    "CharacterisationData": "loading",
    "DEFAULT_DEVICE": "hzo",
    "DEFAULT_PULSE_WIDTH_S": "stack",
    "DeviceFileError": "validate",
    "DeviceModel": "model",
    "EnergyUnavailable": "model",
    "Fatigue": "wear",
    "HZODevice": "hzo",
    "HZOStack": "stack",
    "IsoFraction": "schemes",
    "PULSE_WIDTHS_S": "stack",
    "PulseEnergy": "energy",
    "SchottkyFit": "fitting",
    "StepDrift": "aging",
    "SyntheticCampaign": "campaign",
    "Variability": "campaign",
    "WEAR_MODELS": "wear",
    "W_MAX": "steps",
    "W_MIN": "steps",
    "aged": "aging",
    "build_device_model": "build",
    "build_device_models": "build",
    "default_campaign": "campaign",
    "describe_constants": "hzo",
    "device_pulse_energy": "energy",
    "energy_table": "energy",
    "fit_schottky": "fitting",
    "load_campaign": "loading",
    "load_device_file": "loading",
    "load_embedded": "loading",
    "pulse_life": "wear",
    "symmetrized": "model",
    "symmetry_point_uncertainty": "build",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
