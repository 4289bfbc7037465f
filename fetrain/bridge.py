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

import math

from .algorithms import MixedPrecision, PulseTrains
from .devicemodel import W_MAX, W_MIN, DeviceModel


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
    ``aihwkit_device.json`` that ``python -m fetrain.device fit`` writes)::

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


def saturating_transfer(model: DeviceModel) -> int:
    """A pulse cap for AIHWKit's mixed-precision transfer under which capping changes no weight.

    However large trunc(χ/ε) is, no transfer moves a device further than from one bound to the
    other, which takes at most 2 / (smallest step of the table) pulses in one direction; pulses
    beyond that only hold the device at its bound. Twice that (for device-to-device gain and
    cycle-to-cycle noise), and at least AIHWKit's default 31.

    Parameters
    ----------
    model : DeviceModel
        The device model (steps in w units).

    Returns
    -------
    int
        The pulse cap (pulses per device and transfer).
    """
    smallest = float(min(model.step_up.min(), model.step_down.min()))
    return max(31, int(math.ceil(4.0 / smallest)))


def mixed_precision_config(model: DeviceModel, noise: bool = True, threshold: float = 1.0,
                           transfer_every: int = 1, perfect_io: bool = True,
                           max_transfer_pulses: int = 31, deterministic_transfer: bool = True):
    """A ``DigitalRankUpdateRPUConfig`` with AIHWKit's ``MixedPrecisionCompound`` on the model's
    device: χ accumulates digitally; ε = threshold·dw_min; transfers use the deterministic pulse
    type, so that exactly n = trunc(χ/ε) pulses are written, as fetrain's engine does (AIHWKit's
    default stochastic transfer fires a random count capped at 31 while reducing χ by n·ε).
    ``n_x_bins = n_d_bins = 0`` (setting only one of them corrupts χ in 1.1.0).

    ``max_transfer_pulses``: even its deterministic transfer fires at most ``desired_bl`` pulses
    per device and transfer (while χ still loses n·ε); :func:`analog_network` sets it to
    :func:`saturating_transfer`, beyond which capping changes no weight. (Its run time does not depend on
    it: ~18 ms per update of a 256×784 tile on one core, against ~1.6 ms for the stochastic type.)

    ``deterministic_transfer=False`` keeps AIHWKit's own default transfer (stochastic pulse
    trains, at most 31 pulses; ``max_transfer_pulses`` is then ignored): its fast path, which the
    benchmark measures.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    noise : bool
        Carry the model's noise figures over.
    threshold : float
        ε in units of dw_min (dimensionless).
    transfer_every : int
        Samples between transfers (counts).
    perfect_io : bool
        Turn off forward and backward I/O non-idealities.
    max_transfer_pulses : int
        Most pulses per device and transfer (counts).
    deterministic_transfer : bool
        Use the deterministic transfer pulse type.

    Returns
    -------
    aihwkit DigitalRankUpdateRPUConfig
        The configuration.
    """
    from aihwkit.simulator.configs import DigitalRankUpdateRPUConfig
    from aihwkit.simulator.configs.compounds import MixedPrecisionCompound
    from aihwkit.simulator.parameters.enums import PulseType

    config = DigitalRankUpdateRPUConfig(device=MixedPrecisionCompound(
        device=piecewise_step_device(model, noise=noise), transfer_every=transfer_every,
        granularity=threshold * model.dw_min, n_x_bins=0, n_d_bins=0))
    if deterministic_transfer:
        config.update.pulse_type = PulseType.DETERMINISTIC_IMPLICIT
        config.update.desired_bl = int(max_transfer_pulses)
    _single_tile_no_remap(config, perfect_io)
    return config


def _single_tile_no_remap(config, perfect_io: bool) -> None:
    config.mapping.weight_scaling_omega = 0.0
    config.mapping.weight_scaling_columnwise = False
    config.mapping.learn_out_scaling = False
    config.mapping.out_scaling_columnwise = False
    config.mapping.max_input_size = 0
    config.mapping.max_output_size = 0
    if perfect_io:
        config.forward.is_perfect = True
        config.backward.is_perfect = True
        # AIHWKit 1.1.0 zeroes the gradient of every output beyond forward.out_bound (12 by
        # default) even when is_perfect leaves the output itself unclipped; out_bound = 0 removes
        # that mask, so that "perfect I/O" is perfect in the backward pass too.
        config.forward.out_bound = 0.0


def rpu_config(model: DeviceModel, noise: bool = True, perfect_io: bool = True):
    """A ``SingleRPUConfig`` holding the model's device, with no weight remapping.

    ``perfect_io=True`` turns off forward and backward I/O non-idealities (``is_perfect``, and no
    output bound, whose gradient mask AIHWKit applies even to perfect outputs), so that the two
    engines differ only in their update. One tile per layer
    (``max_input_size = max_output_size = 0``).

    Parameters
    ----------
    model : DeviceModel
        The device model.
    noise : bool
        Carry the model's noise figures over.
    perfect_io : bool
        Turn off forward and backward I/O non-idealities.

    Returns
    -------
    aihwkit SingleRPUConfig
        The configuration.
    """
    from aihwkit.simulator.configs import SingleRPUConfig

    config = SingleRPUConfig(device=piecewise_step_device(model, noise=noise))
    _single_tile_no_remap(config, perfect_io)
    return config


def _pulse_trains_config(config):
    rpu = rpu_config(config.model, noise=config.cycle_noise, perfect_io=True)
    rpu.update.desired_bl = config.algorithm.desired_bl
    return rpu, rpu.device


def _mixed_precision_config(config):
    rule = config.algorithm
    if rule.max_pulses is not None:
        raise ValueError("the AIHWKit bridge fires uncapped transfers (max_pulses must be None)")
    rpu = mixed_precision_config(config.model, noise=config.cycle_noise, threshold=rule.threshold,
                                 transfer_every=rule.transfer_every,
                                 max_transfer_pulses=saturating_transfer(config.model))
    return rpu, rpu.device.device


#: AIHWKit's counterpart of each training rule of :mod:`fetrain.algorithms`
_RULE_CONFIGS = {PulseTrains: _pulse_trains_config, MixedPrecision: _mixed_precision_config}


def analog_network(config, sizes=None, output_bound: float = 0.0):
    """The 784-256-128-10 sigmoid network in AIHWKit, initialised exactly like fetrain's engine.

    ``config`` is a :class:`fetrain.engine.TrainConfig` with a device model. Every layer is an
    ``AnalogLinear`` holding the model's device (one tile per layer, perfect I/O, digital bias);
    with ``reference="symmetry_point"`` the device range is shifted by the symmetry point reached
    from ``config.reference_start`` (w_min = −1 − w*, w_max = 1 − w*), AIHWKit's equivalent of programming every reference to w*
    when devices do not vary. Initial weights and biases are :func:`fetrain.engine.initial_weights`.
    ``output_bound`` > 0 restores AIHWKit's forward ``out_bound`` (12 by default in AIHWKit): the
    output stays unclipped under perfect I/O, but AIHWKit zeroes the gradient of every output
    beyond it.

    Parameters
    ----------
    config : TrainConfig
        The configuration (with a device model).
    sizes : sequence of int, optional
        Layer sizes (neurons); None: 784-256-128-10.
    output_bound : float
        AIHWKit's forward ``out_bound`` on the layer outputs (dimensionless); 0: none.

    Returns
    -------
    aihwkit AnalogSequential
        The network.

    Raises
    ------
    ValueError
        If the configuration has no device model, drifting devices, a rule without an AIHWKit
        counterpart, capped mixed-precision transfers, or per-device symmetry points with
        device-to-device variation.
    """
    model = config.model
    if model is None:
        raise ValueError("the AIHWKit bridge needs an analog configuration (config.model is None)")
    if config.drift_per_epoch:
        raise ValueError("the AIHWKit bridge has no drifting devices (drift_per_epoch must be 0)")
    builder = _RULE_CONFIGS.get(type(config.algorithm))
    if builder is None:
        raise ValueError(f"the AIHWKit bridge has no counterpart of the rule "
                         f"{type(config.algorithm).__name__}; it knows "
                         f"{', '.join(r.__name__ for r in _RULE_CONFIGS)}")
    rpu, device = builder(config)
    if not config.device_variation:
        for name in ("dw_min_dtod", "up_down_dtod", "w_min_dtod", "w_max_dtod"):
            setattr(device, name, 0.0)
    if not config.cycle_noise:
        device.dw_min_std = 0.0
    # the reference: AIHWKit's tile weight is w − ref; a reference shared by all devices is a
    # shift of the device range (per-device references exist only in fetrain's engine)
    shift = config.reference_offset
    if config.reference in ("symmetry_point", "global_symmetry_point"):
        if config.reference == "symmetry_point" and config.device_variation and model.noise:
            raise ValueError("per-device symmetry points with device-to-device variation exist only "
                             "in fetrain's engine; use reference='global_symmetry_point' here")
        shift += model.reference_point(config.reference_start)[0]
    if shift:
        device.w_min = W_MIN - shift
        device.w_max = W_MAX - shift
        # AIHWKit spreads a bound in proportion to it (w_max·(1 + w_max_dtod·ξ)); fetrain spreads the
        # unshifted bounds ±1. Rescale the relative spreads so that both draw the same absolute one.
        device.w_max_dtod *= abs(W_MAX / device.w_max)
        device.w_min_dtod *= abs(W_MIN / device.w_min)
    rpu.forward.out_bound = float(output_bound)
    return sigmoid_network(rpu, config.seed, sizes)


def sigmoid_network(rpu, seed: int, sizes=None):
    """The sigmoid MLP (784-256-128-10 unless ``sizes`` says otherwise) with every layer an
    ``AnalogLinear`` on ``rpu``, initialised with :func:`fetrain.engine.initial_weights` of
    ``seed``.

    Parameters
    ----------
    rpu : aihwkit RPU configuration
        The configuration of every layer's tile.
    seed : int
        Seed of the initial weights.
    sizes : sequence of int, optional
        Layer sizes (neurons); None: 784-256-128-10.

    Returns
    -------
    aihwkit AnalogSequential
        The network, sigmoids between the layers.
    """
    import torch
    from aihwkit.nn import AnalogLinear, AnalogSequential

    from .engine import LAYER_SIZES, initial_weights

    sizes = tuple(sizes or LAYER_SIZES)
    layers = []
    for li, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(AnalogLinear(fan_in, fan_out, bias=True, rpu_config=rpu))
        if li < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid())
    net = AnalogSequential(*layers)
    analog = [m for m in net.children() if isinstance(m, AnalogLinear)]
    for layer, (w, b) in zip(analog, initial_weights(seed, sizes)):
        layer.set_weights(w, b)
    return net


def train_aihwkit(config, data, evaluations_per_epoch: int | None = None, progress: bool = False,
                  output_bound: float = 0.0):
    """Train one configuration in AIHWKit 1.1.0 with the same data order, batch size 1 and loop.

    ``output_bound``: see :func:`analog_network` (0: perfect I/O, no gradient mask).

    Returns a pandas DataFrame with one row per evaluation: epoch, samples, val_accuracy,
    test_accuracy (AIHWKit counts no pulses on the CPU, so there is no ledger).

    Parameters
    ----------
    config : TrainConfig
        The configuration (with a device model).
    data : MNIST
        The data (its train, validation and test splits).
    evaluations_per_epoch : int, optional
        Evaluations per epoch (counts); None: the configuration's.
    progress : bool
        Show a progress bar.
    output_bound : float
        See :func:`analog_network`.

    Returns
    -------
    pandas.DataFrame
        ``epoch`` (epochs, fractional), ``samples`` (counts), ``val_accuracy`` and
        ``test_accuracy`` (fractions, 0 … 1).

    Raises
    ------
    ValueError
        As :func:`analog_network`.
    """
    import pandas as pd
    import torch
    from aihwkit.optim import AnalogSGD

    from .engine import data_order

    net = analog_network(config, output_bound=output_bound)
    net.train()
    optimizer = AnalogSGD(net.parameters(), lr=config.lr)
    optimizer.regroup_param_groups(net)
    evals = evaluations_per_epoch or config.evaluations_per_epoch
    n = len(data.train)
    marks = {int(round(n * (k + 1) / evals)) for k in range(evals)}
    rows = []

    def accuracy(split) -> float:
        with torch.no_grad():
            return float((net(split.x).argmax(-1) == split.y).float().mean())

    def record(epoch: float, samples: int) -> None:
        rows.append({"epoch": epoch, "samples": samples,
                     "val_accuracy": accuracy(data.validation),
                     "test_accuracy": accuracy(data.test)})

    record(0.0, 0)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=config.epochs * n, unit="sample", desc="AIHWKit")
    samples = 0
    for epoch in range(config.epochs):
        order = data_order(config.seed, n, epoch)
        for s, i in enumerate(order):
            x = data.train.x[int(i)].unsqueeze(0)
            y = data.train.y[int(i)].unsqueeze(0)
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            optimizer.step()
            samples += 1
            if (s + 1) in marks:
                record(epoch + (s + 1) / n, samples)
            if bar is not None and (s + 1) % 250 == 0:
                bar.update(250)
    if bar is not None:
        bar.close()
    return pd.DataFrame(rows)


def network_weights(net) -> list:
    """The device weights of every AnalogLinear layer of an AIHWKit network (numpy, out × in).

    Parameters
    ----------
    net : aihwkit AnalogSequential
        The network.

    Returns
    -------
    list of array of float
        One weight matrix per layer (w units).
    """
    from aihwkit.nn import AnalogLinear

    return [m.get_weights()[0].detach().cpu().numpy() for m in net.children()
            if isinstance(m, AnalogLinear)]
