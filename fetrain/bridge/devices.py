"""fetrain's device model as an AIHWKit device (:func:`piecewise_step_device`: a
``PiecewiseStepDevice`` with the model's step table and noise), and as plain data that turns back
into one (:func:`device_as_data`, JSON-ready and made without AIHWKit; :func:`device_from_data`).
AIHWKit is imported only when a device is made.
"""

from __future__ import annotations

import math

from ..device.model import DeviceModel
from ..device.steps import W_MAX, W_MIN


def piecewise_step_device(model: DeviceModel, noise: bool = True):
    """An AIHWKit ``PiecewiseStepDevice`` with the model's step table.

    With ``noise=True`` the model's noise figures are carried over (``dw_min_std``, ``dw_min_dtod``,
    ``up_down_dtod``, ``w_min_dtod``, ``w_max_dtod``; an unknown one — NaN — as 0); with
    ``noise=False`` all are zero and the device is deterministic. ``write_noise_std`` is always 0
    and ``up_down`` 0 (the asymmetry is in the table itself). The same device as plain data:
    :func:`device_as_data`.

    Parameters
    ----------
    model : DeviceModel
        The device model (steps in w units).
    noise : bool
        Carry the model's noise figures over.

    Returns
    -------
    aihwkit PiecewiseStepDevice
        The device, on bounds ±1 (w units), ``dw_min`` in w units, relative tables
        (dimensionless).
    """
    return device_from_data(device_as_data(model, noise=noise))


#: The version of the plain-data form of an exported device (:func:`device_as_data`).
DEVICE_DATA_VERSION = 1


_NOISE_PARAMETERS = ("dw_min_std", "dw_min_dtod", "up_down_dtod", "w_min_dtod", "w_max_dtod")


def device_as_data(model: DeviceModel, noise: bool = True) -> dict:
    """The model's AIHWKit ``PiecewiseStepDevice`` as plain data (JSON-ready; no AIHWKit needed).

    ``parameters`` holds the device's keyword arguments exactly as :func:`piecewise_step_device`
    sets them; :func:`device_from_data` turns the dict back into the device. Noise figures that are
    unknown (NaN: the device-to-device spreads of a single device) are exported as 0 and listed in
    ``unknown_set_to_zero``. ``quantities`` says how conductance, width, amplitude and geometry
    were known.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    noise : bool
        Export the model's noise figures (else all 0).

    Returns
    -------
    dict
        ``format``, ``version``, ``device_class``, ``aihwkit_version``, ``parameters`` (bounds,
        ``dw_min`` in w units; relative tables and noise figures dimensionless),
        ``unknown_set_to_zero``, ``noise``, ``source``, ``pulse_width_s`` (s, or None) and
        ``quantities``.
    """
    nf = model.noise
    use = noise and nf is not None
    unknown = []
    values = {}
    for name in _NOISE_PARAMETERS:
        value = float(getattr(nf, name)) if use else 0.0
        if not math.isfinite(value):
            unknown.append(name)
            value = 0.0
        values[name] = value
    parameters = {"w_min": W_MIN, "w_max": W_MAX, "dw_min": float(model.dw_min), "up_down": 0.0,
                  "write_noise_std": 0.0, **values,
                  "piecewise_up": [float(v) for v in model.piecewise_up],
                  "piecewise_down": [float(v) for v in model.piecewise_down]}
    return {"format": "fetrain AIHWKit device", "version": DEVICE_DATA_VERSION,
            "device_class": "PiecewiseStepDevice", "aihwkit_version": "1.1.0",
            "parameters": parameters, "unknown_set_to_zero": unknown, "noise": bool(use),
            "source": model.source,
            "pulse_width_s": float(model.width_s) if math.isfinite(model.width_s) else None,
            "quantities": model.quantities.as_dict()}


def device_from_data(data: dict):
    """An AIHWKit ``PiecewiseStepDevice`` from :func:`device_as_data`'s dict (e.g. read from the
    ``aihwkit_device.json`` that ``fetrain device fit`` writes)::

        import json
        from aihwkit.simulator.configs import SingleRPUConfig
        from fetrain.bridge import device_from_data

        device = device_from_data(json.load(open("aihwkit_device.json")))
        rpu_config = SingleRPUConfig(device=device)

    Raises ``ValueError`` naming what is wrong when the dict is not such an export.

    Parameters
    ----------
    data : dict
        An export of :func:`device_as_data`.

    Returns
    -------
    aihwkit PiecewiseStepDevice
        The device (weights and steps in w units).

    Raises
    ------
    ValueError
        If ``data`` is not such an export: wrong format, version or class, missing, unknown or
        non-finite parameters, or tables of different lengths.
    """
    from aihwkit.simulator.configs.devices import PiecewiseStepDevice

    if not isinstance(data, dict) or data.get("format") != "fetrain AIHWKit device":
        raise ValueError("not a fetrain AIHWKit device export (the 'format' key must be "
                         "'fetrain AIHWKit device')")
    if data.get("version") != DEVICE_DATA_VERSION or data.get("device_class") != "PiecewiseStepDevice":
        raise ValueError(f"version must be {DEVICE_DATA_VERSION} and device_class "
                         f"'PiecewiseStepDevice'; got {data.get('version')!r}, "
                         f"{data.get('device_class')!r}")
    if not isinstance(data.get("parameters"), dict):
        raise ValueError("the export has no 'parameters' object")
    parameters = dict(data["parameters"])
    required = {"dw_min", "piecewise_up", "piecewise_down"}
    missing = required - set(parameters)
    if missing:
        raise ValueError(f"missing device parameters {sorted(missing)}")
    for name, value in parameters.items():
        numbers = value if isinstance(value, list) else [value]
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in numbers):
            raise ValueError(f"device parameter {name!r} must be a finite number (or list of them)")
    known = {"w_min", "w_max", "dw_min", "up_down", "write_noise_std", *_NOISE_PARAMETERS,
             "piecewise_up", "piecewise_down"}
    extra = set(parameters) - known
    if extra:
        raise ValueError(f"unknown device parameters {sorted(extra)}; allowed: {sorted(known)}")
    if len(parameters["piecewise_up"]) != len(parameters["piecewise_down"]):
        raise ValueError("piecewise_up and piecewise_down must have the same length")
    return PiecewiseStepDevice(**parameters)
