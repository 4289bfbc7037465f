"""The transfer algorithms: Tiki-Taka v2 (:class:`TTv2`, ``"ttv2"``), chopped Tiki-Taka v2
(:class:`ChoppedTTv2`, ``"chopped_ttv2"``) and AGAD (:class:`AGAD`, ``"agad"``), with AIHWKit
1.1.0's semantics (``ChoppedTransferCompound`` and ``DynamicTransferCompound`` on the CPU, one
sample per update; Gokmen 2021, Rasch et al. 2024).

Each weight is two devices of the same kind: a *fast* device A, which the gradient pulses, and a
*slow* device C, which holds the weight the network uses (W = C − ref, plus γ·(A − ref_A) when
``gamma`` > 0; AIHWKit's default γ = 0). Per sample and layer:

1. **Fast update.** A receives the stochastic pulse trains of plain SGD (:mod:`~fetrain.train.pulse_trains`,
   bit length ``fast_bl``) for −lr_fast·(c_out⊙d)⊗(c_in⊙x): the bits are drawn from |x| and |d|,
   the choppers c = ±1 only flip the pulses' signs. lr_fast = ``fast_lr``; with ``auto_scale``,
   lr_fast = fast_lr·fast_bl·dw_min/(m_x·m_d) with m_x, m_d running means of max|x| and max|d|
   (momentum ``auto_momentum``).
2. **Transfer**, after every ``transfer_every``-th sample (the first after sample
   ``transfer_every``): the next ``n_reads`` columns i of A are read, in turn, through a one-hot
   input — v = A[:, i] − ref_A[:, i], read exactly — and each element integrates into a digital
   buffer H in units of bg = ``buffer_granularity``·dw_min (with ``auto_granularity`` g > 0:
   bg·g/(n_in·transfer_every)): ω = H + c·v·|lr_t|/bg with lr_t = ``transfer_lr``·lr and c the
   product of the column's and the row's chopper. Where |ω| ≥ 1, n = trunc(ω) (at most
   ``transfer_bl`` in size) pulses go to C (up for n > 0) and H keeps ω·``momentum``; elsewhere
   H = ω.
3. **Choppers** (chopped TTv2): after column i is read its chopper flips with probability
   ``in_chop_prob`` (``in_chop_random``) or every ⌈1/in_chop_prob⌉ passes over the columns
   (at least 2); after the last column each row's chopper flips with probability
   ``out_chop_prob``.

AGAD differs in step 2: the buffer integrates c·(v − P), where P is the running mean of the raw
reads (weight min(``tail_weightening``/n_s, 1), n_s the chopper's period), latched when the
column's chopper flips; its choppers flip regularly (random flips are added with
``in_chop_random``), the row choppers never, and nothing is written to C during the first n_s + 1
passes. TTv2 is chopped TTv2 without choppers, as AIHWKit's TTv2 presets are.

Where the fast devices sit (``fast_reference``): at zero (AIHWKit: A starts at w = 0 and is read
against 0) or at each fast device's own symmetry point, so that the alternating pulses of
training leave a read of zero.

Every pulse on either array enters a ledger: C's is the weights' own, A's is the ledger ``fast``.
The counters: ``line_pulses`` and ``line_cell_charges`` (the fast update's bit streams, and each
transfer write's one column pulse and one row pulse per written device), ``transfer_reads``
(columns read), ``cells_read`` (devices read), ``buffer_updates`` (H elements updated),
``buffer_rewrites`` (H elements rewritten after a write) and ``mean_updates`` (AGAD's running
means). Not modelled: AIHWKit's noisy transfer reads (``transfer_forward`` with its IO noise and
quantization; here reads are perfect), the stochastic multi-pulse writes of a ``transfer_bl`` > 1
(here n pulses exactly), and the read-out of rows (``transfer_columns=False``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numba import njit

from .crossbar import fire
from .pulse_trains import pulse_train_update
from .rulebase import Layout, Rule, register

FAST_REFERENCES: tuple[str, ...] = ("zero", "symmetry_point")   #: where the fast devices sit

# positions in the kernel's params
(_FAST_LR, _FAST_BL, _EVERY, _N_READS, _TRANSFER_LR, _BUFFER_G, _AUTO_G, _MOMENTUM, _FORGET,
 _IN_CHOP_P, _IN_CHOP_RANDOM, _OUT_CHOP_P, _AUTO_SCALE, _AUTO_MOMENTUM, _TRANSFER_BL, _GAMMA,
 _DYNAMIC, _TAIL, _BUFFER_CAP) = range(19)

# counters
(_LINE_PULSES, _LINE_CHARGES, _READS, _CELLS_READ, _BUFFER_UPDATES, _BUFFER_REWRITES,
 _MEAN_UPDATES) = range(7)


@njit(cache=True, nogil=True)
def _read_and_write(col, off, n_in, n_out, layer, lr, dw_min, noise_std, shift, dev, weff,
                    counts, tables, sums, rng_bits, rng_noise, params, counters, fast_weff,
                    buffer, in_chop, out_chop, io, oo, passes, running, past, switched, dout):
    """Read column ``col`` of the layer's fast array, integrate it into the buffer, write C, and
    flip the choppers (see the module's text)."""
    dynamic = params[_DYNAMIC] != 0
    bg = np.float32(params[_BUFFER_G]) * dw_min
    if params[_AUTO_G] > 0:
        bg = bg * np.float32(params[_AUTO_G]) / np.float32(n_in * params[_EVERY])
    lr_t = np.float32(params[_TRANSFER_LR]) * lr
    lr_scale = abs(lr_t) / bg
    momentum = np.float32(params[_MOMENTUM])
    forget = params[_FORGET] != 0
    maxs = params[_TRANSFER_BL]
    p_in = params[_IN_CHOP_P]
    ns = max(int(math.ceil(1.0 / p_in)), 2) if p_in > 0 else 2
    counters[_READS] += 1
    counters[_CELLS_READ] += n_out
    counters[_BUFFER_UPDATES] += n_out
    prev_switched = False
    sm = np.float32(0.0)
    if dynamic:
        prev_switched = switched[io + col] != 0
        switched[io + col] = 0
        sm = np.float32(min(params[_TAIL] / ns, 1.0))
        counters[_MEAN_UPDATES] += n_out
    cap = np.float32(maxs * params[_BUFFER_CAP])
    written = 0
    base = off + col * n_out
    for j in range(n_out):
        k = base + j
        v = fast_weff[k]
        if dynamic:
            if prev_switched:
                past[k] = running[k]
            v = v - past[k]
        val = v * lr_scale
        if in_chop[io + col] != out_chop[oo + j]:
            val = -val
        omega = buffer[k] + val
        n = 0.0
        if abs(omega) >= np.float32(1.0):
            n = np.trunc(omega)
            if n > maxs:
                n = maxs
            elif n < -maxs:
                n = -maxs
            if forget:
                omega = omega * momentum
            else:
                omega = omega - (np.float32(1.0) - momentum) * np.float32(n)
                if dynamic and cap > 0:
                    omega = min(max(omega, -cap), cap)
            counters[_BUFFER_REWRITES] += 1
        buffer[k] = omega
        dout[j] = n
        if n != 0:
            written += 1
        if dynamic:
            running[k] = running[k] * (np.float32(1.0) - sm) + fast_weff[k] * sm
    if written and not (dynamic and passes[layer] <= ns):
        # one column pulse, and one row pulse per written device (at most transfer_bl pulses)
        counters[_LINE_PULSES] += 1 + written
        counters[_LINE_CHARGES] += n_out + written * n_in
        for j in range(n_out):
            n = dout[j]
            if n != 0:
                fire(base + j, n > 0, int(abs(n)), dev, weff, counts, tables, sums, layer,
                     noise_std, rng_noise, shift)
    # the choppers switch after the column is read
    if dynamic:
        switch = (passes[layer] % ns) + 1 == ns
        if params[_IN_CHOP_RANDOM] != 0 and rng_bits.random() < p_in:
            switch = True
        if switch:
            in_chop[io + col] ^= 1
            switched[io + col] = 1
    elif p_in > 0:
        if params[_IN_CHOP_RANDOM] != 0:
            if rng_bits.random() < p_in:
                in_chop[io + col] ^= 1
        elif (passes[layer] % ns) + 1 == ns:
            in_chop[io + col] ^= 1
    if col == n_in - 1:
        p_out = params[_OUT_CHOP_P]
        if p_out > 0 and not dynamic:
            for j in range(n_out):
                if rng_bits.random() < p_out:
                    out_chop[oo + j] ^= 1
        passes[layer] += 1


@njit(cache=True, nogil=True)
def _running_max(maxima, layer, q, new, tau):
    """AIHWKit's running maximum for auto_scale: the first value, then (1 − τ)·m + τ·new."""
    m = maxima[layer, q]
    if m <= 0:
        maxima[layer, q] = new
    elif new > 0:
        maxima[layer, q] = (np.float32(1.0) - tau) * m + tau * new


@njit(cache=True, nogil=True)
def _kernel(x, d, off, n_in, n_out, layer, samples_seen, shift, bar, record):
    lr, dw_min, noise_std, dev, weff, counts, tables, sums, rng_bits, rng_noise, si, sm = bar
    (params, counters, fast_dev, fast_weff, fast_counts, fast_sums, buffer, in_chop, out_chop,
     in_offs, out_offs, next_col, passes, maxima, running, past, switched, xc, dc, dout) = record
    io = in_offs[layer]
    oo = out_offs[layer]
    # 1. the fast update: pulse trains on A, their signs flipped by the choppers
    fast_lr = np.float32(params[_FAST_LR])
    fast_bl = np.float32(params[_FAST_BL])
    if params[_AUTO_SCALE] != 0:
        xmax = np.float32(0.0)
        for j in range(n_in):
            xmax = max(xmax, abs(x[j]))
        dmax = np.float32(0.0)
        for i in range(n_out):
            dmax = max(dmax, abs(d[i]))
        tau = np.float32(1.0) - np.float32(params[_AUTO_MOMENTUM])
        _running_max(maxima, layer, 0, xmax, tau)
        _running_max(maxima, layer, 1, dmax, tau)
        fast_lr = fast_lr * (fast_bl * dw_min)
        if maxima[layer, 0] > 0 and maxima[layer, 1] > 0:
            fast_lr = fast_lr / (maxima[layer, 0] * maxima[layer, 1])
    for j in range(n_in):
        xc[j] = -x[j] if in_chop[io + j] else x[j]
    for i in range(n_out):
        dc[i] = -d[i] if out_chop[oo + i] else d[i]
    pulse_train_update(xc[:n_in], dc[:n_out], off, n_in, n_out, layer, fast_lr, dw_min, fast_bl,
                       fast_dev, fast_weff, fast_counts, tables, fast_sums, noise_std, shift,
                       rng_bits, rng_noise, si, sm, counters)
    # 2. the transfer, after every transfer_every-th sample
    every = int(params[_EVERY])
    if (samples_seen + 1) % every == 0:
        for _ in range(int(min(params[_N_READS], n_in))):
            col = next_col[layer]
            _read_and_write(col, off, n_in, n_out, layer, lr, dw_min, noise_std, shift, dev,
                            weff, counts, tables, sums, rng_bits, rng_noise, params, counters,
                            fast_weff, buffer, in_chop, out_chop, io, oo, passes, running, past,
                            switched, dout)
            next_col[layer] = (col + 1) % n_in
    # 3. the network's weights: W = C − ref + γ·(A − ref_A)
    gamma = np.float32(params[_GAMMA])
    if gamma != 0:
        for k in range(off, off + n_in * n_out):
            weff[k] = (dev[k, 0] - dev[k, 1]) + gamma * fast_weff[k]


@dataclass(frozen=True)
class TransferRule(Rule):
    """What the transfer algorithms share: their parameters (AIHWKit's names; see the module's
    text), the fast array, the buffer and the choppers (not a rule of its own: :class:`TTv2`,
    :class:`ChoppedTTv2` and :class:`AGAD` are).

    Attributes
    ----------
    fast_lr : float
        Learning rate of the fast array's pulse trains (w units per unit of d⊗x; > 0).
    fast_bl : int
        Longest bit stream of the fast update (slots per sample, 1 … 62).
    transfer_every : int
        Samples between transfers (counts, ≥ 1).
    n_reads : int
        Columns read per transfer (counts, ≥ 1).
    transfer_lr : float
        Transfer learning rate, relative to the configuration's lr (dimensionless, > 0).
    buffer_granularity : float
        The buffer's unit, in dw_min (dimensionless, > 0).
    auto_granularity : float
        0, or g > 0: the unit scaled by g/(n_in·transfer_every) (dimensionless).
    momentum : float
        Fraction of the buffer kept after a write (0 … 1).
    forget_buffer : bool
        Keep momentum·ω after a write (True) or ω − (1 − momentum)·n (False).
    auto_scale : bool
        Scale the fast learning rate by the running maxima of |x| and |d|.
    auto_momentum : float
        Momentum of those running maxima (0 … 1).
    transfer_bl : int
        Most pulses one write sends to one slow device (counts, ≥ 1).
    gamma : float
        Weight of the fast array in the network's weights (dimensionless, ≥ 0).
    fast_reference : str
        Where the fast devices sit and are read against: ``zero`` or ``symmetry_point``.
    """

    fast_lr: float = 0.1
    fast_bl: int = 31
    transfer_every: int = 1
    n_reads: int = 1
    transfer_lr: float = 1.0
    buffer_granularity: float = 1.0
    auto_granularity: float = 0.0
    momentum: float = 0.0
    forget_buffer: bool = True
    auto_scale: bool = False
    auto_momentum: float = 0.99
    transfer_bl: int = 1
    gamma: float = 0.0
    fast_reference: str = "zero"

    kernel = _kernel
    counters = ("line_pulses", "line_cell_charges", "transfer_reads", "cells_read",
                "buffer_updates", "buffer_rewrites", "mean_updates")
    ledgers = ("fast",)

    _DYNAMIC = False

    def __post_init__(self) -> None:
        def positive(name, integer=False, upper=None):
            v = getattr(self, name)
            ok = (isinstance(v, int) and not isinstance(v, bool)) if integer else (
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))
            if not ok or v <= 0 or (upper is not None and v > upper):
                kind = "an integer" if integer else "a finite number"
                bound = f" ≤ {upper}" if upper is not None else ""
                raise ValueError(f"{type(self).__name__}.{name} must be {kind} > 0{bound}; "
                                 f"got {v!r}")

        for name in ("fast_lr", "transfer_lr", "buffer_granularity"):
            positive(name)
        positive("fast_bl", integer=True, upper=62)
        for name in ("transfer_every", "n_reads", "transfer_bl"):
            positive(name, integer=True)
        for name in ("momentum", "auto_momentum"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0 <= v <= 1):
                raise ValueError(f"{type(self).__name__}.{name} must be in [0, 1]; got {v!r}")
        for name in ("auto_granularity", "gamma"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ValueError(f"{type(self).__name__}.{name} must be a finite number ≥ 0; "
                                 f"got {v!r}")
        if self.fast_reference not in FAST_REFERENCES:
            raise ValueError(f"{type(self).__name__}.fast_reference must be one of "
                             f"{FAST_REFERENCES}; got {self.fast_reference!r}")

    def _chopper(self) -> tuple[float, bool, float, float]:
        """(in_chop_prob, in_chop_random, out_chop_prob, tail_weightening)."""
        return 0.0, False, 0.0, 0.0

    def describe(self) -> dict:
        """Plain-data parameters (for results files and run-cache keys), prefixed ``tt_``.

        Returns
        -------
        dict
        """
        return {"algorithm": self.name,
                **{f"tt_{f.name}": getattr(self, f.name) for f in fields(self)}}

    def params(self) -> np.ndarray:
        """The parameters the kernel reads, in the order of the module's ``_FAST_LR`` … .

        Returns
        -------
        array of float64
        """
        p_in, random_in, p_out, tail = self._chopper()
        return np.array([self.fast_lr, self.fast_bl, self.transfer_every, self.n_reads,
                         self.transfer_lr, self.buffer_granularity, self.auto_granularity,
                         self.momentum, self.forget_buffer, p_in, random_in, p_out,
                         self.auto_scale, self.auto_momentum, self.transfer_bl, self.gamma,
                         self._DYNAMIC, tail, 0.0], dtype=np.float64)

    def allocate(self, layout: Layout) -> dict[str, np.ndarray]:
        """The fast array (records, weights, counts, ledger sums), the buffer, the choppers, the
        column counters, the auto-scale maxima, AGAD's means and work space.

        Parameters
        ----------
        layout : Layout
            The crossbar's layout.

        Returns
        -------
        dict of str to numpy.ndarray
        """
        n, sizes = layout.n_devices, layout.sizes
        fast = layout.device_array(1)
        if fast is None:
            raise ValueError(f"{self.name} needs a device model (the fast array's devices)")
        if self.fast_reference == "symmetry_point":
            fast[:, 1] = layout.symmetry_points(fast)
        fast[:, 0] = np.clip(fast[:, 1], fast[:, 2], fast[:, 3])
        n_in_all, n_out_all = sum(sizes[:-1]), sum(sizes[1:])
        width = max(sizes)
        means = n if self._DYNAMIC else 1
        return {**super().allocate(layout),
                "fast_dev": np.ascontiguousarray(fast, dtype=np.float32),
                "fast_weff": (fast[:, 0] - fast[:, 1]).astype(np.float32),
                "fast_counts": np.zeros((n, 2), dtype=np.int32),
                "fast_sums": np.zeros((layout.n_layers, 6), dtype=np.float64),
                "buffer": np.zeros(n, dtype=np.float32),
                "in_chop": np.zeros(n_in_all, dtype=np.int8),
                "out_chop": np.zeros(n_out_all, dtype=np.int8),
                "in_offs": np.concatenate([[0], np.cumsum(sizes[:-2])]).astype(np.int64),
                "out_offs": np.concatenate([[0], np.cumsum(sizes[1:-1])]).astype(np.int64),
                "next_col": np.zeros(layout.n_layers, dtype=np.int64),
                "passes": np.zeros(layout.n_layers, dtype=np.int64),
                "maxima": np.zeros((layout.n_layers, 2), dtype=np.float32),
                "running_mean": np.zeros(means, dtype=np.float32),
                "past_mean": np.zeros(means, dtype=np.float32),
                "switched": np.zeros(n_in_all, dtype=np.int8),
                "x_chopped": np.zeros(width, dtype=np.float32),
                "d_chopped": np.zeros(width, dtype=np.float32),
                "written": np.zeros(width, dtype=np.float32)}

    def programmed_arrays(self) -> int:
        """1 when the fast devices sit at their symmetry points (their references are programmed
        there first, as symmetry point shifting's are), else 0.

        Returns
        -------
        int
        """
        return int(self.fast_reference == "symmetry_point")

    def memory_elements(self, n_synapses: int) -> int:
        """One buffer value per synapse, and AGAD's running and past means (counts).

        Parameters
        ----------
        n_synapses : int
            Synapses (counts).

        Returns
        -------
        int
        """
        return n_synapses * (3 if self._DYNAMIC else 1)

    def random_bits_per_line(self) -> int:
        """Slots per line of the fast update's bit streams: ``fast_bl`` (counts).

        Returns
        -------
        int
        """
        return self.fast_bl

    def sync(self, bar, arrays: dict[str, np.ndarray]) -> None:
        """The network's weights from the records: C − ref, plus γ·(A − ref_A) when γ > 0; the
        fast array's reads A − ref_A.

        Parameters
        ----------
        bar : object
            The configuration's crossbar.
        arrays : dict of str to numpy.ndarray
            The rule's arrays.
        """
        fast = arrays["fast_dev"]
        np.subtract(fast[:, 0], fast[:, 1], out=arrays["fast_weff"])
        np.subtract(bar.dev[:, 0], bar.dev[:, 1], out=bar.weff)
        if self.gamma:
            bar.weff += np.float32(self.gamma) * arrays["fast_weff"]

    def digital_energy_J(self, counters: dict, costs=None) -> float:
        """Energy of the buffer's work, J, priced like mixed precision's χ
        (:class:`fetrain.train.hardware.DigitalCosts`): each buffer (and AGAD mean) update is an
        element update and a check, each rewrite after a write a subtract and a write. The reads
        of the fast array are analog and are priced by the read path, not here.

        Parameters
        ----------
        counters : dict of str to float
            The rule's counters (counts).
        costs : DigitalCosts, optional
            The hardware model (J per operation); None: the FP32 dense model.

        Returns
        -------
        float
            Digital energy (J).
        """
        from .hardware import digital_energy

        updates = counters.get("buffer_updates", 0) + counters.get("mean_updates", 0)
        return digital_energy(updates, counters.get("buffer_updates", 0),
                              counters.get("buffer_rewrites", 0), costs=costs,
                              nonzero_updates=updates)


@register
@dataclass(frozen=True)
class TTv2(TransferRule):
    """Tiki-Taka v2: pulses on a fast array, a digital buffer, sparse transfers to the slow
    array (AIHWKit's ``ChoppedTransferCompound`` with ``in_chop_prob=0``, as its TTv2 presets).
    The parameters are :class:`~fetrain.train.transfer.TransferRule`'s."""

    name = "ttv2"
    label = "Tiki-Taka v2"
    style = {"marker": "v", "linestyle": "--"}
    aihwkit = "ChoppedTransferCompound (in_chop_prob=0)"


@register
@dataclass(frozen=True)
class ChoppedTTv2(TransferRule):
    """Chopped Tiki-Taka v2: TTv2 whose fast update and reads are sign-modulated by choppers
    (AIHWKit's ``ChoppedTransferCompound``).

    Attributes
    ----------
    in_chop_prob : float
        Probability that a column's chopper flips after the column is read (0 … 1), or, with
        ``in_chop_random=False``, one flip every ⌈1/in_chop_prob⌉ passes.
    in_chop_random : bool
        Random flips (True, AIHWKit's default) or regular ones.
    out_chop_prob : float
        Probability that a row's chopper flips after each pass over the columns (0 … 1).
    """

    in_chop_prob: float = 0.1
    in_chop_random: bool = True
    out_chop_prob: float = 0.0

    name = "chopped_ttv2"
    label = "chopped TTv2"
    style = {"marker": "<", "linestyle": "--"}
    aihwkit = "ChoppedTransferCompound"

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("in_chop_prob", "out_chop_prob"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0 <= v <= 1):
                raise ValueError(f"ChoppedTTv2.{name} must be in [0, 1]; got {v!r}")

    def _chopper(self) -> tuple[float, bool, float, float]:
        return float(self.in_chop_prob), bool(self.in_chop_random), float(self.out_chop_prob), 0.0


@register
@dataclass(frozen=True)
class AGAD(TransferRule):
    """AGAD: chopped TTv2 whose buffer integrates the fast array's reads against their past mean
    (AIHWKit's ``DynamicTransferCompound``).

    Attributes
    ----------
    in_chop_prob : float
        1/period of the columns' choppers (0 < p ≤ 1; period ⌈1/p⌉ passes, at least 2).
    in_chop_random : bool
        Add random flips with probability ``in_chop_prob`` (AIHWKit's default: False).
    tail_weightening : float
        Weight of the running mean, ×1/period (dimensionless, > 0).
    """

    in_chop_prob: float = 0.1
    in_chop_random: bool = False
    tail_weightening: float = 5.0

    name = "agad"
    label = "AGAD"
    style = {"marker": ">", "linestyle": "--"}
    aihwkit = "DynamicTransferCompound"

    _DYNAMIC = True

    def __post_init__(self) -> None:
        super().__post_init__()
        if not (isinstance(self.in_chop_prob, (int, float)) and 0 < self.in_chop_prob <= 1):
            raise ValueError(f"AGAD.in_chop_prob must be in (0, 1]; got {self.in_chop_prob!r}")
        if not (isinstance(self.tail_weightening, (int, float))
                and math.isfinite(self.tail_weightening) and self.tail_weightening > 0):
            raise ValueError(f"AGAD.tail_weightening must be a finite number > 0; got "
                             f"{self.tail_weightening!r}")

    def _chopper(self) -> tuple[float, bool, float, float]:
        return (float(self.in_chop_prob), bool(self.in_chop_random), 0.0,
                float(self.tail_weightening))
