"""The book's network in AIHWKit (:func:`analog_network`, :func:`sigmoid_network`), trained by
:func:`train_aihwkit` on the same data order, initial weights, batch size and loop as fetrain's
engine, so that the two can be compared run by run (Appendix A). It uses the tile configurations
of :mod:`~fetrain.bridge.configs` and the seeded streams of :mod:`fetrain.train.config`.
"""

from __future__ import annotations

from ..device.steps import W_MAX, W_MIN
from .configs import _RULE_CONFIGS


def analog_network(config, sizes=None, output_bound: float = 0.0):
    """The 784-256-128-10 sigmoid network in AIHWKit, initialised exactly like fetrain's engine.

    ``config`` is a :class:`fetrain.train.config.TrainConfig` with a device model. Every layer is an
    ``AnalogLinear`` holding the model's device (one tile per layer, perfect I/O, digital bias);
    with ``reference="symmetry_point"`` the device range is shifted by the symmetry point reached
    from ``config.reference_start`` (w_min = −1 − w*, w_max = 1 − w*), AIHWKit's equivalent of programming every reference to w*
    when devices do not vary. Initial weights and biases are :func:`fetrain.train.config.initial_weights`.
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
    rpu, devices = builder(config)
    for device in devices:
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
        # the weights' devices only (a transfer rule's fast array keeps its own reference)
        device = devices[-1]
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
    ``AnalogLinear`` on ``rpu``, initialised with :func:`fetrain.train.config.initial_weights` of
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

    from ..train.config import LAYER_SIZES, initial_weights

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

    from ..train.config import data_order

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
