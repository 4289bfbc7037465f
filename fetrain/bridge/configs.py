"""AIHWKit configurations of fetrain's training runs: the tile (one per layer, no weight
remapping), its pulse settings and the rule — stochastic pulse trains (:func:`rpu_config`), mixed
precision (:func:`mixed_precision_config`) or a transfer algorithm (:func:`transfer_config`) — so
that AIHWKit trains what fetrain's engine trains. It uses the device of :mod:`~fetrain.bridge.devices` and the rules of
:mod:`fetrain.train.rules`.
"""

from __future__ import annotations

import math

from ..device.model import DeviceModel
from ..train.rules import AGAD, ChoppedTTv2, MixedPrecision, PulseTrains, TTv2
from .devices import piecewise_step_device


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
    per device and transfer (while χ still loses n·ε); :func:`~fetrain.bridge.networks.analog_network` sets it to
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


def transfer_config(model: DeviceModel, rule, noise: bool = True, perfect_io: bool = True):
    """A ``UnitCellRPUConfig`` with AIHWKit's ``ChoppedTransferCompound`` (TTv2: no choppers;
    chopped TTv2) or ``DynamicTransferCompound`` (AGAD) of two of the model's devices, with the
    rule's parameters: the fast update's pulse trains (``fast_bl``, update and bit-length
    management on), perfect transfer reads (``transfer_forward.is_perfect``) and transfer writes of
    at most ``transfer_bl`` pulses without update management, as fetrain's engine does.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    rule : TTv2, ChoppedTTv2 or AGAD
        The transfer rule.
    noise : bool
        Carry the model's noise figures over.
    perfect_io : bool
        Turn off forward and backward I/O non-idealities.

    Returns
    -------
    aihwkit UnitCellRPUConfig
        The configuration.

    Raises
    ------
    ValueError
        If the rule's fast devices sit at their symmetry points or it reads more than one column
        per transfer (no AIHWKit counterpart).
    """
    from aihwkit.simulator.configs import UnitCellRPUConfig
    from aihwkit.simulator.configs.compounds import ChoppedTransferCompound, DynamicTransferCompound
    from aihwkit.simulator.parameters import IOParameters, UpdateParameters

    if rule.fast_reference != "zero":
        raise ValueError("AIHWKit reads the fast array against zero: fast_reference must be "
                         "'zero' for the bridge")
    if rule.n_reads != 1:
        raise ValueError(f"AIHWKit's chopped and dynamic transfer compounds read one column per "
                         f"transfer: n_reads must be 1 for the bridge; got {rule.n_reads}")
    common = dict(unit_cell_devices=[piecewise_step_device(model, noise=noise) for _ in range(2)],
                  fast_lr=rule.fast_lr, transfer_every=rule.transfer_every,
                  units_in_mbatch=False, n_reads_per_transfer=rule.n_reads,
                  transfer_lr=rule.transfer_lr, scale_transfer_lr=True,
                  buffer_granularity=rule.buffer_granularity,
                  auto_granularity=rule.auto_granularity, momentum=rule.momentum,
                  forget_buffer=rule.forget_buffer, auto_scale=rule.auto_scale,
                  auto_momentum=rule.auto_momentum, gamma=rule.gamma,
                  transfer_forward=IOParameters(is_perfect=True),
                  transfer_update=UpdateParameters(desired_bl=rule.transfer_bl,
                                                   update_bl_management=False,
                                                   update_management=False))
    if isinstance(rule, AGAD):
        compound = DynamicTransferCompound(in_chop_prob=rule.in_chop_prob,
                                           in_chop_random=rule.in_chop_random,
                                           tail_weightening=rule.tail_weightening,
                                           buffer_cap=0.0, **common)
    else:
        chopped = isinstance(rule, ChoppedTTv2)
        compound = ChoppedTransferCompound(
            in_chop_prob=rule.in_chop_prob if chopped else 0.0,
            in_chop_random=rule.in_chop_random if chopped else False,
            out_chop_prob=rule.out_chop_prob if chopped else 0.0, **common)
    config = UnitCellRPUConfig(device=compound)
    config.update.desired_bl = rule.fast_bl
    _single_tile_no_remap(config, perfect_io)
    return config


def _pulse_trains_config(config):
    rpu = rpu_config(config.model, noise=config.cycle_noise, perfect_io=True)
    rpu.update.desired_bl = config.algorithm.desired_bl
    return rpu, [rpu.device]


def _mixed_precision_config(config):
    rule = config.algorithm
    if rule.max_pulses is not None:
        raise ValueError("the AIHWKit bridge fires uncapped transfers (max_pulses must be None)")
    rpu = mixed_precision_config(config.model, noise=config.cycle_noise, threshold=rule.threshold,
                                 transfer_every=rule.transfer_every,
                                 max_transfer_pulses=saturating_transfer(config.model))
    return rpu, [rpu.device.device]


def _transfer_config(config):
    rpu = transfer_config(config.model, config.algorithm, noise=config.cycle_noise)
    return rpu, list(rpu.device.unit_cell_devices)


#: AIHWKit's counterpart of each training rule of :mod:`fetrain.train.rules`
_RULE_CONFIGS = {PulseTrains: _pulse_trains_config, MixedPrecision: _mixed_precision_config,
                 TTv2: _transfer_config, ChoppedTTv2: _transfer_config, AGAD: _transfer_config}
