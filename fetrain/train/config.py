"""One training configuration (:class:`TrainConfig`: device model, rule, learning rate, epochs,
reference, seed), and the seeded random streams that make its numbers its own: initial weights,
data order, and one generator per configuration and purpose (:data:`RANDOM_STREAMS`). It also
fixes the network's layer sizes and the engine's default number of threads. It uses the device
model (:mod:`fetrain.device.model`) and the rules (:mod:`~fetrain.train.rules`).
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass

import numpy as np
import torch

from ..common.checks import shown
from ..device.model import DeviceModel
from ..device.steps import W_MAX, W_MIN, stable_points_of_table
from . import rules

LAYER_SIZES: tuple[int, ...] = (784, 256, 128, 10)   #: the network (784-256-128-10)


#: a configuration's references: ``naive`` (mid-range, w = 0), ``symmetry_point`` (each at its
#: own device's symmetry point) or ``global_symmetry_point`` (all at the device model's)
REFERENCES: tuple[str, ...] = ("naive", "symmetry_point", "global_symmetry_point")


#: the random streams' design; changing how any number is drawn changes this, and so every key
RANDOM_STREAMS = "torch-init/numpy-pcg64-bits-noise/v2"


@dataclass(frozen=True)
class TrainConfig:
    """One training configuration.

    Attributes
    ----------
    model : DeviceModel or None
        The device model (:class:`fetrain.device.model.DeviceModel`), or ``None`` for the
        floating-point baseline (same network, same loop, exact SGD updates).
    lr : float
        Learning rate (> 0; w units per unit of d⊗x, the gradient's outer product).
    epochs : int
        Number of passes over the training split (≥ 1).
    seed : int
        Seed of this configuration's initial weights, data order, device draws and pulses.
    reference : str
        ``naive`` (the reference of each differential pair at mid-range, w = 0),
        ``symmetry_point`` (each reference at its own device's symmetry point: symmetry point
        shifting as hardware does it) or ``global_symmetry_point`` (every reference at the device
        model's one symmetry point).
    reference_offset : float
        δ added to every reference, a mis-set reference (w units, −2 … 2).
    drift_per_epoch : float
        The device's step table translates along w by this much per epoch of training, so its
        symmetry point drifts while the references stay put (w units per epoch, −2 … 2).
    algorithm : PulseTrains, MixedPrecision or str
        The training rule: a rule object of :mod:`fetrain.train.rules`
        (``PulseTrains(desired_bl=31)``, ``MixedPrecision(threshold=1.0, transfer_every=1,
        max_pulses=None)``) or a registered name (``"sgd"``, ``"mixed_precision"``) for its
        defaults. Stored as the rule object; ``algorithm.name`` is its name.
    cycle_noise : bool
        Apply the model's cycle-to-cycle step noise (dw_min_std).
    device_variation : bool
        Draw device-to-device variation (dw_min_dtod, up_down_dtod, w_*_dtod).
    evaluations_per_epoch : int
        Test/validation evaluations per epoch (≥ 1).
    reference_start : float
        The state each reference device is set to before symmetry point shifting pulses it
        alternately up and down until it settles (w units in [−1, 1]; default −1: the references
        are reset first). A device with several stable symmetry points settles at the one whose
        basin holds this state (:meth:`fetrain.device.model.DeviceModel.reference_point` names it
        and says why); with one, the start does not matter.

    Raises
    ------
    TypeError
        If ``model`` is not a device model (or None), or a switch is not True or False.
    ValueError
        If a field is out of range, ``algorithm`` is unknown, or the floating-point baseline is
        given a reference, offset, drift or rule other than plain SGD.
    """

    model: DeviceModel | None
    lr: float
    epochs: int
    seed: int = 0
    reference: str = "naive"
    reference_offset: float = 0.0
    drift_per_epoch: float = 0.0
    algorithm: object = "sgd"
    cycle_noise: bool = True
    device_variation: bool = True
    evaluations_per_epoch: int = 4
    reference_start: float = W_MIN

    def __post_init__(self) -> None:
        if not (self.model is None or isinstance(self.model, DeviceModel)):
            raise TypeError("model must be a fetrain.device.model.DeviceModel (for example from "
                            "fetrain.device.build.build_device_model) or None for the "
                            f"floating-point baseline; got {type(self.model).__name__} "
                            f"{shown(self.model)}")
        for name in ("cycle_noise", "device_variation"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False; got {shown(getattr(self, name))}")
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr (learning rate) must be a finite number > 0; got {shown(self.lr)}")
        if not (isinstance(self.epochs, int) and self.epochs >= 1):
            raise ValueError(f"epochs must be an integer ≥ 1; got {shown(self.epochs)}")
        if not (isinstance(self.seed, (int, np.integer)) and self.seed >= 0):
            raise ValueError(f"seed must be an integer ≥ 0; got {shown(self.seed)}")
        if self.reference not in REFERENCES:
            raise ValueError(f"reference must be one of {REFERENCES}; got {self.reference!r}")
        if not (isinstance(self.evaluations_per_epoch, int) and self.evaluations_per_epoch >= 1):
            raise ValueError("evaluations_per_epoch must be an integer ≥ 1; got "
                             f"{shown(self.evaluations_per_epoch)}")
        object.__setattr__(self, "algorithm", rules.rule(self.algorithm))
        for name in ("reference_offset", "drift_per_epoch"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and abs(value) <= 2):
                raise ValueError(f"{name} must be a finite number of weight units in [-2, 2]; "
                                 f"got {shown(value)}")
        value = self.reference_start
        if not (isinstance(value, (int, float)) and math.isfinite(value) and W_MIN <= value <= W_MAX):
            raise ValueError(f"reference_start must be a number of weight units in [{W_MIN:g}, "
                             f"{W_MAX:g}]; got {shown(value)}")
        if self.model is not None and self.reference != "naive":
            points = stable_points_of_table(self.model.w_nodes, self.model.step_up,
                                            self.model.step_down)
            w_ref, why = self.model.reference_point(self.reference_start)
            if len(points) != 1 or w_ref not in [p[0] for p in points]:
                warnings.warn(f"reference={self.reference!r} on a device with {len(points)} stable "
                              f"symmetry point(s): the references settle from w = "
                              f"{self.reference_start:g} at {why}", UserWarning, stacklevel=3)
        if (self.model is not None and self.device_variation and self.model.noise is not None
                and self.model.noise.n_devices < 2):
            warnings.warn("device_variation=True on a device model fitted from one device: its "
                          "device-to-device spreads are unknown, so none is drawn", UserWarning,
                          stacklevel=3)
        if self.model is None and (self.reference != "naive" or self.reference_offset
                                   or self.drift_per_epoch or self.algorithm.name != "sgd"):
            raise ValueError("the floating-point baseline (model=None) has no devices: reference, "
                             "reference_offset, drift_per_epoch and algorithm do not apply")

    @property
    def analog(self) -> bool:
        """Whether the configuration trains devices (a device model is given)."""
        return self.model is not None

    def describe(self) -> dict:
        """A plain-data description (for results files, run-cache keys and checkpoints).

        Returns
        -------
        dict
            The fields as plain data (``device`` as the width in s, or ``float``; offsets and
            starts in w units), the rule's ``describe()``, the device's
            fingerprint and ``RANDOM_STREAMS``.
        """
        return {"device": "float" if self.model is None else f"{self.model.width_s:g} s",
                "source": "" if self.model is None else self.model.source,
                "quantities": {} if self.model is None else self.model.quantities.as_dict(),
                "device_fingerprint": "" if self.model is None else self.model.fingerprint(),
                "lr": self.lr, "epochs": self.epochs, "seed": int(self.seed),
                "reference": self.reference, "reference_offset": self.reference_offset,
                "reference_start": self.reference_start,
                "drift_per_epoch": self.drift_per_epoch, **self.algorithm.describe(),
                "cycle_noise": self.cycle_noise, "device_variation": self.device_variation,
                "evaluations_per_epoch": self.evaluations_per_epoch,
                "random_streams": RANDOM_STREAMS}


def _seed(seed: int, stream: int) -> int:
    return int(np.random.SeedSequence([int(seed), int(stream)]).generate_state(1, np.uint64)[0]
               & 0x7FFF_FFFF_FFFF_FFFF)


def _torch_generator(seed: int, stream: int) -> torch.Generator:
    """A torch generator (CPU) for one configuration and one purpose (``stream``)."""
    g = torch.Generator(device="cpu")
    g.manual_seed(_seed(seed, stream))
    return g


def _numpy_generator(seed: int, stream: int) -> np.random.Generator:
    """A numpy PCG64 generator for one configuration and one purpose (``stream``)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), int(stream)])))


# streams of a configuration's generators
_INIT, _ORDER, _DEVICES, _BITS, _NOISE = range(5)


def initial_weights(seed: int, sizes=LAYER_SIZES) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The initial (weight, bias) of every layer: uniform in ±1/sqrt(fan_in), float32, CPU
    (torch tensors, out × in).

    The same seed gives the same weights in fetrain's engine and in the AIHWKit bridge.

    Parameters
    ----------
    seed : int
        The configuration's seed.
    sizes : sequence of int
        Layer sizes (neurons), input first.

    Returns
    -------
    list of tuple of torch.Tensor
        (weight out × in, bias out) per layer (w units).
    """
    g = _torch_generator(seed, _INIT)
    out = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        w = (torch.rand(fan_out, fan_in, generator=g) * 2 - 1) * bound
        b = (torch.rand(fan_out, generator=g) * 2 - 1) * bound
        out.append((w, b))
    return out


def data_order(seed: int, n: int, epoch: int) -> np.ndarray:
    """The order of the training samples in an epoch (a permutation of range(n)).

    Parameters
    ----------
    seed : int
        The configuration's seed.
    n : int
        Training samples (counts).
    epoch : int
        The epoch, 0-based.

    Returns
    -------
    array of int
        A permutation of range(n).
    """
    return np.random.default_rng([int(seed), _ORDER, int(epoch)]).permutation(n)


def default_workers() -> int:
    """Threads the engine uses by default: ``$FETRAIN_WORKERS``, or the CPU cores this process
    may run on.

    Returns
    -------
    int
        Number of threads (counts).

    Raises
    ------
    ValueError
        If ``$FETRAIN_WORKERS`` is set but not an integer ≥ 1.
    """
    env = os.environ.get("FETRAIN_WORKERS")
    if env is not None:
        if not env.strip().isdigit() or int(env) < 1:
            raise ValueError(f"FETRAIN_WORKERS must be an integer ≥ 1; got {env!r}")
        return int(env)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
