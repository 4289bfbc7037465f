"""The AIHWKit bridge: fetrain's device model as an AIHWKit 1.1.0 device.

This module's room: translating fetrain objects into AIHWKit configurations (and, later, running
the same experiments there). It is the only module that imports ``aihwkit``; the import happens
inside the functions, so the rest of fetrain works without it.

The device model's step table becomes a ``PiecewiseStepDevice`` on bounds ±1 whose
``piecewise_up``/``piecewise_down`` are the table divided by dw_min (so the middle node is 1 and
AIHWKit's granularity equals the model's dw_min), inside a ``SingleRPUConfig`` whose mapping does not
rescale weights (``weight_scaling_omega = 0``, no learned or column-wise output scales). Both
engines then interpolate the same table the same way
(:func:`fetrain.devicemodel.interpolate_table`).
"""

from __future__ import annotations

from .devicemodel import W_MAX, W_MIN, DeviceModel


def piecewise_step_device(model: DeviceModel, noise: bool = True):
    """An AIHWKit ``PiecewiseStepDevice`` with the model's step table.

    With ``noise=True`` the model's noise figures are carried over (``dw_min_std``, ``dw_min_dtod``,
    ``up_down_dtod``, ``w_min_dtod``, ``w_max_dtod``); with ``noise=False`` all are zero and the
    device is deterministic. ``write_noise_std`` is always 0 and ``up_down`` 0 (the asymmetry is in
    the table itself).
    """
    from aihwkit.simulator.configs.devices import PiecewiseStepDevice

    nf = model.noise
    use = noise and nf is not None
    return PiecewiseStepDevice(
        w_min=W_MIN, w_max=W_MAX,
        w_min_dtod=nf.w_min_dtod if use else 0.0,
        w_max_dtod=nf.w_max_dtod if use else 0.0,
        dw_min=model.dw_min,
        dw_min_std=nf.dw_min_std if use else 0.0,
        dw_min_dtod=nf.dw_min_dtod if use else 0.0,
        up_down=0.0,
        up_down_dtod=nf.up_down_dtod if use else 0.0,
        write_noise_std=0.0,
        piecewise_up=[float(v) for v in model.piecewise_up],
        piecewise_down=[float(v) for v in model.piecewise_down],
    )


def rpu_config(model: DeviceModel, noise: bool = True, perfect_io: bool = True):
    """A ``SingleRPUConfig`` holding the model's device, with no weight remapping.

    ``perfect_io=True`` turns off forward and backward I/O non-idealities (``is_perfect``), so that
    the two engines differ only in their update. One tile per layer
    (``max_input_size = max_output_size = 0``).
    """
    from aihwkit.simulator.configs import SingleRPUConfig

    config = SingleRPUConfig(device=piecewise_step_device(model, noise=noise))
    config.mapping.weight_scaling_omega = 0.0
    config.mapping.weight_scaling_columnwise = False
    config.mapping.learn_out_scaling = False
    config.mapping.out_scaling_columnwise = False
    config.mapping.max_input_size = 0
    config.mapping.max_output_size = 0
    if perfect_io:
        config.forward.is_perfect = True
        config.backward.is_perfect = True
    return config
