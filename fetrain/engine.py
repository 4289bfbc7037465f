"""fetrain's pulsed-crossbar training engine, with an exact pulse ledger (PyTorch, CPU or GPU).

This module's room: training the 784-256-128-10 network sample by sample, with every weight matrix
held as device states on the weight scale w and updated only by programming pulses, and counting
every pulse. Several independent configurations (device, seed, learning rate, reference) train side
by side as one batched tensor program; each draws from its own seeded generators, so its result
does not depend on its neighbours.

The update is AIHWKit 1.1.0's stochastic pulse-train scheme (``PulseType.StochasticCompressed``
with update management and update bit-length management; AIHWKIT-NOTES.md), per sample and per
layer, with x the layer's input and d the gradient of the loss with respect to its output:

* g = dw_min; x_m = max(max|x|, g²), d_m = max(max|d|, g²); k = lr·x_m·d_m/g;
* BL = min(ceil(k), 31); if k > 31 the d scale is reduced to d_m·31/k;
* A = sqrt(lr/(g·BL))·sqrt(x_m/d_m'), B = sqrt(lr/(g·BL))·sqrt(d_m'/x_m);
* BL independent Bernoulli slots with probabilities min(1, B|x_j|) and min(1, A|d_i|); each slot
  where both fire is one pulse on device (i, j), up if x_j·d_i < 0 (the SGD direction), down
  otherwise;
* each pulse moves the device by its state-dependent step (the device model's table, interpolated
  on the device's own bounds, times its device-to-device scale) times (1 + dw_min_std·ξ), then
  clips to the bounds; a device's pulses within one sample are applied one after the other.

Biases are digital (plain SGD), outside the ledger. The ledger counts, per layer and device, the up
and down pulses actually fired (a pulse that meets a bound still counts), and per layer the sums
that make the energy exact: the states before the pulses and the weight changes
(:func:`fetrain.energy.ledger_energy`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from .devicemodel import N_NODES, W_MAX, W_MIN, DeviceModel

LAYER_SIZES: tuple[int, ...] = (784, 256, 128, 10)   #: the network (SPEC: 784-256-128-10)
REFERENCES: tuple[str, ...] = ("naive", "symmetry_point", "global_symmetry_point")
ALGORITHMS: tuple[str, ...] = ("sgd", "mixed_precision")


@dataclass(frozen=True)
class PulseSettings:
    """AIHWKit's pulsed-update settings (its defaults)."""

    desired_bl: int = 31
    update_management: bool = True
    update_bl_management: bool = True

    def __post_init__(self) -> None:
        if not (isinstance(self.desired_bl, int) and self.desired_bl >= 1):
            raise ValueError(f"desired_bl must be an integer ≥ 1; got {self.desired_bl!r}")
        if not (self.update_management and self.update_bl_management):
            raise ValueError("the engine implements update_management=True with "
                             "update_bl_management=True (AIHWKit's default) only")


@dataclass(frozen=True)
class TrainConfig:
    """One training configuration.

    Attributes
    ----------
    model : the device model (:class:`fetrain.devicemodel.DeviceModel`), or ``None`` for the
        floating-point baseline (same network, same loop, exact SGD updates).
    lr : learning rate (> 0).
    epochs : number of passes over the training split (≥ 1).
    seed : seed of this configuration's initial weights, data order, device draws and pulses.
    reference : ``naive`` (the reference of each differential pair at mid-range, w = 0),
        ``symmetry_point`` (each reference at its own device's symmetry point: symmetry point
        shifting as hardware does it) or ``global_symmetry_point`` (every reference at the device
        model's one symmetry point).
    reference_offset : δ added to every reference (a mis-set reference), w units.
    drift_per_epoch : the device's step table translates along w by this much per epoch of
        training, so its symmetry point drifts while the references stay put, w units per epoch.
    algorithm : ``sgd`` (stochastic pulse trains, AIHWKit's analog SGD) or ``mixed_precision``
        (AIHWKit's MixedPrecisionCompound: a digital χ accumulates lr·d⊗x, and wherever
        |χ| ≥ ε, n = trunc(χ/ε) pulses are fired and χ is reduced by n·ε).
    mp_threshold : ε in units of the device's dw_min (mixed precision).
    mp_transfer_every : transfer every this many samples (mixed precision; the first transfer,
        as in AIHWKit, comes at the second sample).
    mp_max_pulses : cap on the pulses one transfer fires on one device (None: no cap); χ is
        reduced only by what was fired.
    cycle_noise : apply the model's cycle-to-cycle step noise (dw_min_std).
    device_variation : draw device-to-device variation (dw_min_dtod, up_down_dtod, w_*_dtod).
    evaluations_per_epoch : test/validation evaluations per epoch (≥ 1).
    pulses : pulsed-update settings.
    """

    model: DeviceModel | None
    lr: float
    epochs: int
    seed: int = 0
    reference: str = "naive"
    reference_offset: float = 0.0
    drift_per_epoch: float = 0.0
    algorithm: str = "sgd"
    mp_threshold: float = 1.0
    mp_transfer_every: int = 1
    mp_max_pulses: int | None = None
    cycle_noise: bool = True
    device_variation: bool = True
    evaluations_per_epoch: int = 4
    pulses: PulseSettings = field(default_factory=PulseSettings)

    def __post_init__(self) -> None:
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr (learning rate) must be a finite number > 0; got {self.lr!r}")
        if not (isinstance(self.epochs, int) and self.epochs >= 1):
            raise ValueError(f"epochs must be an integer ≥ 1; got {self.epochs!r}")
        if self.reference not in REFERENCES:
            raise ValueError(f"reference must be one of {REFERENCES}; got {self.reference!r}")
        if not (isinstance(self.evaluations_per_epoch, int) and self.evaluations_per_epoch >= 1):
            raise ValueError("evaluations_per_epoch must be an integer ≥ 1; got "
                             f"{self.evaluations_per_epoch!r}")
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of {ALGORITHMS}; got {self.algorithm!r}")
        for name in ("reference_offset", "drift_per_epoch"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and abs(value) <= 2):
                raise ValueError(f"{name} must be a finite number of weight units in [-2, 2]; "
                                 f"got {value!r}")
        if not (isinstance(self.mp_threshold, (int, float)) and math.isfinite(self.mp_threshold)
                and self.mp_threshold > 0):
            raise ValueError(f"mp_threshold must be a finite number > 0 (units of dw_min); got "
                             f"{self.mp_threshold!r}")
        if not (isinstance(self.mp_transfer_every, int) and self.mp_transfer_every >= 1):
            raise ValueError(f"mp_transfer_every must be an integer ≥ 1; got {self.mp_transfer_every!r}")
        if self.mp_max_pulses is not None and not (isinstance(self.mp_max_pulses, int)
                                                   and self.mp_max_pulses >= 1):
            raise ValueError(f"mp_max_pulses must be None or an integer ≥ 1; got {self.mp_max_pulses!r}")
        if self.model is None and (self.reference != "naive" or self.reference_offset
                                   or self.drift_per_epoch or self.algorithm != "sgd"):
            raise ValueError("the floating-point baseline (model=None) has no devices: reference, "
                             "reference_offset, drift_per_epoch and algorithm do not apply")

    @property
    def analog(self) -> bool:
        return self.model is not None

    def describe(self) -> dict:
        """A plain-data description (for results files)."""
        return {"device": "float" if self.model is None else f"{self.model.width_s:g} s",
                "source": "" if self.model is None else self.model.source,
                "device_fingerprint": "" if self.model is None else self.model.fingerprint(),
                "lr": self.lr, "epochs": self.epochs, "seed": self.seed,
                "reference": self.reference, "reference_offset": self.reference_offset,
                "drift_per_epoch": self.drift_per_epoch, "algorithm": self.algorithm,
                "mp_threshold": self.mp_threshold, "mp_transfer_every": self.mp_transfer_every,
                "mp_max_pulses": self.mp_max_pulses, "cycle_noise": self.cycle_noise,
                "device_variation": self.device_variation,
                "evaluations_per_epoch": self.evaluations_per_epoch,
                "desired_bl": self.pulses.desired_bl}


def _generator(seed: int, stream: int, device) -> torch.Generator:
    """A torch generator for one configuration and one purpose (``stream``)."""
    g = torch.Generator(device=device)
    g.manual_seed(int(np.random.SeedSequence([int(seed), int(stream)]).generate_state(1, np.uint64)[0]
                      & 0x7FFF_FFFF_FFFF_FFFF))
    return g


# streams of a configuration's generators
_INIT, _ORDER, _DEVICES, _BITS, _NOISE = range(5)


def initial_weights(seed: int, sizes=LAYER_SIZES) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The initial (weight, bias) of every layer: uniform in ±1/sqrt(fan_in), float32, CPU.

    The same seed gives the same weights in fetrain's engine and in the AIHWKit bridge.
    """
    g = _generator(seed, _INIT, "cpu")
    out = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        w = (torch.rand(fan_out, fan_in, generator=g) * 2 - 1) * bound
        b = (torch.rand(fan_out, generator=g) * 2 - 1) * bound
        out.append((w, b))
    return out


def data_order(seed: int, n: int, epoch: int) -> np.ndarray:
    """The order of the training samples in an epoch (a permutation of range(n))."""
    return np.random.default_rng([int(seed), _ORDER, int(epoch)]).permutation(n)


@dataclass
class Ledger:
    """The pulse ledger of one layer for C configurations (plain tensors, CPU or GPU).

    ``up``/``down``: pulses per device, (C, out, in), int64. Per configuration (C,), float64:
    ``n_up``/``n_down`` (pulses), ``w_up``/``w_down`` (sum of the states before each pulse),
    ``dw_up``/``dw_down`` (sum of |Δw| actually moved).
    """

    up: torch.Tensor
    down: torch.Tensor
    n_up: torch.Tensor
    n_down: torch.Tensor
    w_up: torch.Tensor
    w_down: torch.Tensor
    dw_up: torch.Tensor
    dw_down: torch.Tensor

    @classmethod
    def zeros(cls, c: int, out: int, inp: int, device) -> "Ledger":
        z = lambda: torch.zeros(c, dtype=torch.float64, device=device)  # noqa: E731
        return cls(torch.zeros(c, out, inp, dtype=torch.int64, device=device),
                   torch.zeros(c, out, inp, dtype=torch.int64, device=device),
                   z(), z(), z(), z(), z(), z())

    def totals(self, c: int) -> dict:
        """Plain-number sums of configuration c."""
        return {k: float(getattr(self, k)[c]) for k in
                ("n_up", "n_down", "w_up", "w_down", "dw_up", "dw_down")}


class AnalogLayer:
    """One weight matrix for C configurations: device states, references, device parameters.

    ``w`` (C, out, in) is the device state on the weight scale; the weight the network uses is
    ``w − ref``. Floating-point configurations have no device: their ``w`` is the weight.
    """

    def __init__(self, weights: torch.Tensor, bias: torch.Tensor, configs: list[TrainConfig],
                 device: torch.device, layer_index: int):
        self.configs = configs
        self.analog = [cfg.analog for cfg in configs]
        c, out, inp = weights.shape
        self.shape = (out, inp)
        self.bias = bias.clone()
        f32 = dict(dtype=torch.float32, device=device)
        self.lo = torch.full((c, out, inp), W_MIN, **f32)
        self.hi = torch.full((c, out, inp), W_MAX, **f32)
        self.scale_up = torch.zeros(c, out, inp, **f32)
        self.scale_down = torch.zeros(c, out, inp, **f32)
        self.tables = torch.ones(c, 2, N_NODES, **f32)     # piecewise up (0) / down (1)
        self.dw_min = torch.ones(c, **f32)
        self.noise_std = torch.zeros(c, **f32)
        self.ref = torch.zeros(c, out, inp, **f32)
        for k, cfg in enumerate(configs):
            if not cfg.analog:
                continue
            m = cfg.model
            self.tables[k, 0] = torch.as_tensor(m.piecewise_up, dtype=torch.float32)
            self.tables[k, 1] = torch.as_tensor(m.piecewise_down, dtype=torch.float32)
            self.dw_min[k] = m.dw_min
            self.noise_std[k] = m.noise.dw_min_std if (cfg.cycle_noise and m.noise) else 0.0
            self._draw_devices(k, cfg, layer_index, device)
            if cfg.reference == "symmetry_point":
                self.ref[k] = self.device_symmetry_points(k)
            elif cfg.reference == "global_symmetry_point":
                self.ref[k] = float(m.symmetry_point)
            self.ref[k] += cfg.reference_offset
        self.any_noise = bool((self.noise_std > 0).any())
        self.has_reference = bool((self.ref != 0).any())
        # device state: the reference plus the initial weight, within the device's bounds
        self.w = torch.minimum(torch.maximum(weights.to(device) + self.ref, self.lo), self.hi)
        self.ledger = Ledger.zeros(c, out, inp, device)

    def _draw_devices(self, k: int, cfg: TrainConfig, layer_index: int, device) -> None:
        """Device-to-device parameters of configuration k, AIHWKit's populate() rule."""
        m = cfg.model
        out, inp = self.shape
        nf = m.noise
        if cfg.device_variation and nf is not None:
            g = _generator(cfg.seed, _DEVICES * 100 + layer_index, "cpu")
            xi = torch.randn(4, out, inp, generator=g)
            hi = W_MAX * (1 + nf.w_max_dtod * xi[0])
            lo = W_MIN * (1 + nf.w_min_dtod * xi[1])
            gain = 1 + nf.dw_min_dtod * xi[2]
            r = nf.up_down_dtod * xi[3]
        else:
            hi, lo = torch.full((out, inp), W_MAX), torch.full((out, inp), W_MIN)
            gain, r = torch.ones(out, inp), torch.zeros(out, inp)
        # AIHWKit's enforce_consistency: positive scales, lo ≤ 0 ≤ hi
        self.scale_up[k] = ((gain + r) * m.dw_min).abs().to(device)
        self.scale_down[k] = ((gain - r) * m.dw_min).abs().to(device)
        lo2, hi2 = torch.minimum(lo, hi), torch.maximum(lo, hi)
        self.lo[k] = (-lo2.abs()).to(device)
        self.hi[k] = hi2.abs().to(device)

    def step(self, k_index: torch.Tensor, w: torch.Tensor, direction: torch.Tensor) -> torch.Tensor:
        """Mean step magnitude of devices (flat indices into this layer) at states w.

        ``direction``: 0 up, 1 down. AIHWKit's interpolation on each device's own bounds, times the
        device's scale.
        """
        c_idx = k_index // (self.shape[0] * self.shape[1])
        lo = self.lo.view(-1)[k_index]
        hi = self.hi.view(-1)[k_index]
        n_sec = N_NODES - 1
        ws = torch.clamp((w - lo) / (hi - lo) * n_sec, min=0.0)
        node = torch.clamp(torch.floor(ws), max=n_sec - 1)
        t = torch.clamp(ws - node, max=1.0)
        base = (c_idx * 2 + direction) * N_NODES + node.long()
        flat = self.tables.view(-1)
        value = (1 - t) * flat[base] + t * flat[base + 1]
        scale = torch.where(direction == 0, self.scale_up.view(-1)[k_index],
                            self.scale_down.view(-1)[k_index])
        return scale * value

    def device_symmetry_points(self, k: int, iterations: int = 60) -> torch.Tensor:
        """Per-device symmetry points of configuration k (bisection on up − down steps)."""
        out, inp = self.shape
        n = out * inp
        flat = torch.arange(k * n, (k + 1) * n, device=self.lo.device)
        lo = self.lo[k].reshape(-1).clone()
        hi = self.hi[k].reshape(-1).clone()
        up0 = torch.zeros(n, dtype=torch.long, device=self.lo.device)
        for _ in range(iterations):
            mid = 0.5 * (lo + hi)
            diff = self.step(flat, mid, up0) - self.step(flat, mid, up0 + 1)
            lo = torch.where(diff > 0, mid, lo)
            hi = torch.where(diff > 0, hi, mid)
        return (0.5 * (lo + hi)).view(out, inp)

    def effective(self) -> torch.Tensor:
        """The weights the network uses, w − ref, (C, out, in)."""
        return self.w - self.ref if self.has_reference else self.w



def _apply_pulse_trains(w: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor, inv_span: torch.Tensor,
                        signed_scale: torch.Tensor, table_base: torch.Tensor, pairs: torch.Tensor,
                        n_pulses: torch.Tensor, noise: torch.Tensor, offsets: torch.Tensor,
                        std: torch.Tensor, noisy: bool, n_sec: int, shift=None):
    """Apply every entry's pulses one after the other (states update between pulses).

    ``shift`` (optional, per entry): the step table is looked up at w − shift (a drifting device).

    Returns the final states, and per entry the sum of the states before each of its pulses and
    the sum of the weight changes (float64).
    """
    sum_w = torch.zeros(w.shape, dtype=torch.float64, device=w.device)
    sum_dw = torch.zeros(w.shape, dtype=torch.float64, device=w.device)
    last = noise.numel() - 1
    max_pulses = int(n_pulses.max().item())
    for p in range(max_pulses):
        ws = torch.clamp(((w if shift is None else w - shift) - lo) * inv_span, min=0.0)
        node = torch.clamp(torch.floor(ws), max=float(n_sec - 1))
        t = torch.clamp(ws - node, max=1.0)
        pair = pairs[table_base + node.long()]
        step = signed_scale * ((1 - t) * pair[:, 0] + t * pair[:, 1])
        if noisy:
            step = step * (1 + std * noise[torch.clamp(offsets + p, max=last)])
        new = torch.minimum(torch.maximum(w + step, lo), hi)
        if p > 0:
            active = n_pulses > p
            new = torch.where(active, new, w)
            sum_w += torch.where(active, w, torch.zeros_like(w)).double()
        else:
            sum_w += w.double()
        sum_dw += (new - w).abs().double()
        w = new
    return w, sum_w, sum_dw


class Engine:
    """C configurations of the network (784-256-128-10 unless ``sizes`` says otherwise), trained
    sample by sample."""

    def __init__(self, configs: list[TrainConfig], device: str | torch.device = "cpu",
                 sizes: tuple[int, ...] = LAYER_SIZES):
        if not configs:
            raise ValueError("configs must hold at least one TrainConfig")
        self.configs = list(configs)
        self.device = torch.device(device)
        self.sizes = tuple(sizes)
        self.layers: list[AnalogLayer] = []
        inits = [initial_weights(cfg.seed, self.sizes) for cfg in self.configs]
        for li in range(len(self.sizes) - 1):
            w = torch.stack([init[li][0] for init in inits]).to(self.device)
            b = torch.stack([init[li][1] for init in inits]).to(self.device)
            self.layers.append(AnalogLayer(w, b, self.configs, self.device, li))
        c = len(self.configs)
        self.lr = torch.tensor([cfg.lr for cfg in self.configs], dtype=torch.float32,
                               device=self.device)
        self.analog = torch.tensor([cfg.analog for cfg in self.configs], device=self.device)
        self._any_float = not all(cfg.analog for cfg in self.configs)
        self._any_analog = any(cfg.analog for cfg in self.configs)
        self._float_mask = ~self.analog
        self._bl_max = torch.tensor([float(cfg.pulses.desired_bl) for cfg in self.configs],
                                    device=self.device)
        self.bit_generators = [_generator(cfg.seed, _BITS, self.device) for cfg in self.configs]
        self.noise_generators = [_generator(cfg.seed, _NOISE, self.device) for cfg in self.configs]
        self.samples_seen = 0
        self.samples_per_epoch: int | None = None    # set by the training loop (for drift)
        self._c = c
        self._mp_list = [cfg.analog and cfg.algorithm == "mixed_precision" for cfg in self.configs]
        self._any_mp = any(self._mp_list)
        self._mp = torch.tensor(self._mp_list, device=self.device)
        self._sgd = self.analog & ~self._mp
        self._eps_factor = torch.tensor([cfg.mp_threshold for cfg in self.configs],
                                        device=self.device)
        self._transfer_every = [cfg.mp_transfer_every for cfg in self.configs]
        #: per configuration, the cap on the pulses of one transfer (inf: none), or None if no cap
        caps = [float("inf") if cfg.mp_max_pulses is None else float(cfg.mp_max_pulses)
                for cfg in self.configs]
        self._cap = (torch.tensor(caps, device=self.device)[:, None, None]
                     if any(math.isfinite(m) for m in caps) else None)
        self._drift = torch.tensor([cfg.drift_per_epoch for cfg in self.configs],
                                   dtype=torch.float32, device=self.device)
        self._any_drift = bool((self._drift != 0).any())
        #: digital work of mixed precision per configuration: χ elements updated, χ elements
        #: scanned at transfers
        self.chi_updates = [0] * c
        self.chi_scans = [0] * c
        self.chi_rewrites = [0] * c
        self._consolidate()

    def _consolidate(self) -> None:
        """Put every layer's per-device tensors into flat buffers (layers keep views of them), so
        that one pass applies the pulses of all layers with few, wide gathers."""
        c = self._c
        offset = 0
        for layer in self.layers:
            layer.offset = offset
            offset += c * layer.shape[0] * layer.shape[1]
        cat = lambda name, obj=lambda l: l: torch.cat(  # noqa: E731
            [getattr(obj(layer), name).reshape(-1) for layer in self.layers])
        self._w = cat("w")
        self._chi = torch.zeros_like(self._w) if self._any_mp else None
        # per-device parameters side by side: one gather fetches all four
        self._params = torch.stack([cat("lo"), cat("hi"), cat("scale_up"), cat("scale_down")], 1)
        self._counts = torch.stack([cat("up", lambda l: l.ledger), cat("down", lambda l: l.ledger)], 1)
        sums = {name: torch.cat([getattr(layer.ledger, name) for layer in self.layers])
                for name in ("n_up", "n_down", "w_up", "w_down", "dw_up", "dw_down")}
        self._sums = sums
        for li, layer in enumerate(self.layers):
            sl = slice(layer.offset, layer.offset + c * layer.shape[0] * layer.shape[1])
            shape = (c, *layer.shape)
            layer.w = self._w[sl].view(shape)
            layer.chi = self._chi[sl].view(shape) if self._chi is not None else None
            for k, name in enumerate(("lo", "hi", "scale_up", "scale_down")):
                setattr(layer, name, self._params[sl, k].view(shape))
            layer.ledger.up = self._counts[sl, 0].view(shape)
            layer.ledger.down = self._counts[sl, 1].view(shape)
            for name, flat in sums.items():
                setattr(layer.ledger, name, flat[li * c:(li + 1) * c])
        # the step tables as (value at node, value at node + 1) pairs, one row per node
        tables = self.layers[0].tables                      # (C, 2, N): the same for every layer
        self._table_pairs = torch.stack([tables, torch.roll(tables, -1, dims=2)], -1).reshape(-1, 2)
        self._noise_std = self.layers[0].noise_std
        self._any_noise = any(layer.any_noise for layer in self.layers)

    # ---- state as plain tensors -----------------------------------------------------------

    def state_tensors(self) -> dict[str, torch.Tensor]:
        """Everything that changes during training, as named CPU tensors (for safetensors):
        device states, biases, the ledger, every generator's state and the sample counter."""
        state = {"w": self._w, "counts": self._counts,
                 "samples_seen": torch.tensor([self.samples_seen], dtype=torch.int64),
                 "chi_updates": torch.tensor(self.chi_updates, dtype=torch.int64),
                 "chi_scans": torch.tensor(self.chi_scans, dtype=torch.int64),
                 "chi_rewrites": torch.tensor(self.chi_rewrites, dtype=torch.int64)}
        if self._chi is not None:
            state["chi"] = self._chi
        for name, flat in self._sums.items():
            state[f"sum_{name}"] = flat
        for li, layer in enumerate(self.layers):
            state[f"bias_{li}"] = layer.bias
            state[f"ref_{li}"] = layer.ref
        for k, (gb, gn) in enumerate(zip(self.bit_generators, self.noise_generators)):
            state[f"rng_bits_{k}"] = gb.get_state()
            state[f"rng_noise_{k}"] = gn.get_state()
        return {k: v.detach().cpu().contiguous().clone() for k, v in state.items()}

    def load_state_tensors(self, state: dict[str, torch.Tensor]) -> None:
        """Restore :meth:`state_tensors` into an engine built from the same configurations."""
        with torch.no_grad():
            self._w.copy_(state["w"].to(self.device))
            if self._chi is not None:
                self._chi.copy_(state["chi"].to(self.device))
            self._counts.copy_(state["counts"].to(self.device))
            for name, flat in self._sums.items():
                flat.copy_(state[f"sum_{name}"].to(self.device))
            for li, layer in enumerate(self.layers):
                layer.bias.copy_(state[f"bias_{li}"].to(self.device))
                layer.ref.copy_(state[f"ref_{li}"].to(self.device))
        for k, (gb, gn) in enumerate(zip(self.bit_generators, self.noise_generators)):
            gb.set_state(state[f"rng_bits_{k}"])
            gn.set_state(state[f"rng_noise_{k}"])
        self.samples_seen = int(state["samples_seen"][0])
        self.chi_updates = [int(v) for v in state["chi_updates"]]
        self.chi_scans = [int(v) for v in state["chi_scans"]]
        self.chi_rewrites = [int(v) for v in state["chi_rewrites"]]

    # ---- forward / backward ---------------------------------------------------------------

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Activations of every layer for inputs x (C, N, 784): [x, h1, h2, logits]."""
        acts = [x]
        h = x
        for li, layer in enumerate(self.layers):
            z = torch.baddbmm(layer.bias.unsqueeze(1), h, layer.effective().transpose(1, 2))
            h = torch.sigmoid(z) if li < len(self.layers) - 1 else z
            acts.append(h)
        return acts

    def evaluate(self, x: torch.Tensor, y: torch.Tensor, chunk: int = 2000) -> torch.Tensor:
        """Accuracy (C,) of every configuration on images x (N, 784) with labels y (N,)."""
        correct = torch.zeros(self._c, device=self.device)
        for start in range(0, x.shape[0], chunk):
            xs = x[start:start + chunk].to(self.device)
            logits = self.forward(xs.unsqueeze(0).expand(self._c, -1, -1))[-1]
            correct += (logits.argmax(-1) == y[start:start + chunk].to(self.device)).float().sum(-1)
        return correct / x.shape[0]

    def train_step(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """One sample per configuration: x (C, 784), y (C,). Forward, backward, pulsed update."""
        acts = self.forward(x.unsqueeze(1))
        logits = acts[-1][:, 0, :]
        delta = torch.softmax(logits, dim=-1)
        delta[torch.arange(self._c, device=self.device), y] -= 1.0          # dNLL/dlogits
        deltas = [None] * len(self.layers)
        deltas[-1] = delta
        for li in range(len(self.layers) - 1, 0, -1):
            back = torch.bmm(deltas[li].unsqueeze(1), self.layers[li].effective())[:, 0, :]
            h = acts[li][:, 0, :]
            deltas[li - 1] = back * h * (1 - h)
        updates = []
        for li, layer in enumerate(self.layers):
            layer.bias -= self.lr[:, None] * deltas[li]
            updates.append((li, acts[li][:, 0, :], deltas[li]))
        self._pulse_updates(updates)
        self.samples_seen += 1

    # ---- the pulsed update ----------------------------------------------------------------

    def pulse_update(self, layer_index: int, x: torch.Tensor, d: torch.Tensor) -> None:
        """Update one layer's weights by −lr·d⊗x (the SGD step) with programming pulses.

        ``x`` (C, in) is the layer's input, ``d`` (C, out) the gradient of the loss with respect to
        its output. Floating-point configurations take the exact step.
        """
        self._pulse_updates([(layer_index, x, d)])

    def _coincidences(self, layer_index: int, x: torch.Tensor, d: torch.Tensor):
        """The pulse trains of one layer: (global flat indices, pulse counts, up?, config, layer·C+config)
        of the devices that receive pulses, or None."""
        layer = self.layers[layer_index]
        c = self._c
        if self._any_float:
            exact = self.lr[:, None, None] * d.unsqueeze(2) * x.unsqueeze(1)
            layer.w[self._float_mask] -= exact[self._float_mask]
        if not self._any_analog:
            return None
        g = layer.dw_min
        reg = g * g
        xm = torch.maximum(x.abs().amax(-1), reg)
        dm = torch.maximum(d.abs().amax(-1), reg)
        k = self.lr * xm * dm / g
        bl = torch.minimum(torch.ceil(k), self._bl_max)
        bl = torch.where(self._sgd, bl, torch.zeros_like(bl)).long()
        dm_eff = torch.where(k > self._bl_max, dm * self._bl_max / k, dm)
        base = torch.sqrt(self.lr / (g * torch.clamp(bl, min=1)))
        px = torch.clamp((base * torch.sqrt(dm_eff / xm))[:, None] * x.abs(), max=1.0)
        pd = torch.clamp((base * torch.sqrt(xm / dm_eff))[:, None] * d.abs(), max=1.0)
        bl_list = bl.tolist()
        n_bl = max(bl_list)
        if n_bl == 0:
            return None
        out, inp = layer.shape
        xbits = torch.zeros(c, n_bl, inp, device=self.device)
        dbits = torch.zeros(c, n_bl, out, device=self.device)
        for ci, blc in enumerate(bl_list):
            if blc:
                gen = self.bit_generators[ci]
                xbits[ci, :blc] = torch.rand(blc, inp, generator=gen, device=self.device) < px[ci]
                dbits[ci, :blc] = torch.rand(blc, out, generator=gen, device=self.device) < pd[ci]
        # only rows and columns whose bits fire somewhere can see a coincidence
        cols = torch.nonzero(xbits.amax(1).amax(0)).squeeze(1)
        rows = torch.nonzero(dbits.amax(1).amax(0)).squeeze(1)
        if cols.numel() == 0 or rows.numel() == 0:
            return None
        counts = torch.bmm(dbits[:, :, rows].transpose(1, 2), xbits[:, :, cols])  # coincidences
        sub = torch.nonzero(counts.view(-1)).squeeze(1)
        if sub.numel() == 0:
            return None
        n_pulses = counts.view(-1)[sub].long()
        nr, nc = rows.numel(), cols.numel()
        ci = sub // (nr * nc)
        rem = sub - ci * (nr * nc)
        i_out = rows[rem // nc]
        j_in = cols[rem % nc]
        is_up = (x[ci, j_in] * d[ci, i_out]) < 0                  # SGD direction: up if x·d < 0
        local = ci * (out * inp) + i_out * inp + j_in
        return local + layer.offset, n_pulses, is_up, ci, ci + layer_index * c

    def _accumulate_and_transfer(self, layer_index: int, x: torch.Tensor, d: torch.Tensor):
        """Mixed precision for one layer: χ += lr·d⊗x (digital); on a transfer sample, every device
        with |χ| ≥ ε receives n = trunc(χ/ε) pulses (capped if asked) and χ loses what was fired.

        Returns the pulse entries like :meth:`_coincidences`, or None.
        """
        layer = self.layers[layer_index]
        mp = self._mp
        c = self._c
        out, inp = layer.shape
        rank_one = (self.lr[:, None, None] * d.unsqueeze(2)) * x.unsqueeze(1)
        layer.chi[mp] += rank_one[mp]
        due = [self._mp_list[k] and self.samples_seen > 0
               and self.samples_seen % self._transfer_every[k] == 0 for k in range(c)]
        for k in range(c):
            if self._mp_list[k]:
                self.chi_updates[k] += out * inp
                if due[k]:
                    self.chi_scans[k] += out * inp
        if not any(due):
            return None
        eps = self._eps_factor * layer.dw_min                        # (C,)
        n = torch.trunc(layer.chi / eps[:, None, None])
        due_mask = torch.tensor(due, device=self.device)
        n = torch.where(due_mask[:, None, None], n, torch.zeros_like(n))
        if self._cap is not None:
            n = torch.maximum(torch.minimum(n, self._cap), -self._cap)
        local = torch.nonzero(n.view(-1)).squeeze(1)
        if local.numel() == 0:
            return None
        fired = n.view(-1)[local]
        ci = local // (out * inp)
        layer.chi.view(-1)[local] -= fired * eps[ci]
        for k, count in enumerate(torch.bincount(ci, minlength=c).tolist()):
            self.chi_rewrites[k] += count
        # Δw = −χ: a positive χ is written by down pulses, a negative one by up pulses
        return local + layer.offset, fired.abs().long(), fired < 0, ci, ci + layer_index * c

    def _pulse_updates(self, updates) -> None:
        """Generate the pulses of several layers — stochastic pulse trains (SGD) and transfers
        from χ (mixed precision) — then apply them all in one pass."""
        parts = [p for p in (self._coincidences(li, x, d) for li, x, d in updates) if p is not None]
        if self._any_mp:
            parts += [p for p in (self._accumulate_and_transfer(li, x, d) for li, x, d in updates)
                      if p is not None]
        if not parts:
            return
        flat_index, n_pulses, is_up, ci, slot = (torch.cat(t) for t in zip(*parts))
        c = self._c
        noisy = self._any_noise
        if noisy and c > 1:
            # each configuration's pulses contiguous, so that it draws its own noise
            order = torch.argsort(ci, stable=True)
            flat_index, n_pulses, is_up, ci, slot = (t[order] for t in
                                                     (flat_index, n_pulses, is_up, ci, slot))
        params = self._params[flat_index]                          # (K, 4): lo, hi, up, down
        lo, hi = params[:, 0], params[:, 1]
        n_sec = N_NODES - 1
        inv_span = n_sec / (hi - lo)
        scale = torch.where(is_up, params[:, 2], params[:, 3])
        signed_scale = torch.where(is_up, scale, -scale)
        table_base = (ci * 2 + (~is_up).long()) * N_NODES
        pairs = self._table_pairs
        if noisy:
            # pulse p of entry e uses noise[offset_e + p]; each configuration draws its own
            totals = torch.zeros(c, dtype=torch.long, device=self.device).index_add_(0, ci, n_pulses)
            noise = torch.cat([torch.randn(int(t), generator=self.noise_generators[cc],
                                           device=self.device)
                               for cc, t in enumerate(totals.tolist())])
            offsets = torch.cumsum(n_pulses, 0) - n_pulses
            std = self._noise_std[ci]
        if not noisy:
            noise = offsets = std = torch.zeros(1, device=self.device)
        shift = None
        if self._any_drift and self.samples_per_epoch:
            shift = (self._drift * (self.samples_seen / self.samples_per_epoch))[ci]
        w, sum_w, sum_dw = _apply_pulse_trains(self._w[flat_index], lo, hi, inv_span, signed_scale,
                                               table_base, pairs, n_pulses, noise,
                                               offsets if noisy else torch.zeros_like(n_pulses),
                                               std if noisy else torch.zeros_like(lo), noisy, n_sec,
                                               shift)
        self._w[flat_index] = w
        up_counts = torch.where(is_up, n_pulses, torch.zeros_like(n_pulses))
        down_counts = n_pulses - up_counts
        self._counts.index_add_(0, flat_index, torch.stack([up_counts, down_counts], 1))
        up64 = is_up.double()
        down64 = 1.0 - up64
        sums = self._sums
        sums["n_up"].index_add_(0, slot, up_counts.double())
        sums["n_down"].index_add_(0, slot, down_counts.double())
        sums["w_up"].index_add_(0, slot, sum_w * up64)
        sums["w_down"].index_add_(0, slot, sum_w * down64)
        sums["dw_up"].index_add_(0, slot, sum_dw * up64)
        sums["dw_down"].index_add_(0, slot, sum_dw * down64)
