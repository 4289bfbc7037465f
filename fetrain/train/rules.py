"""Training rules: how a layer's gradient becomes programming pulses.

Each rule is one unit — a frozen dataclass with its parameters, the size of its state, the names
of its counters — and one compiled update kernel; :data:`RULES` registers them by name and
:func:`update_layer` is the one place where compiled code chooses a rule's kernel. Adding a rule
(for example Tiki-Taka) means one new class, one kernel and one branch there; the engine, training
loop, energy and bridge ask the rule object, not its name. Pulses are fired by
:func:`fetrain.train.crossbar.fire`; mixed precision's digital work is priced by
:mod:`~fetrain.train.hardware`.

The rules:

* :class:`PulseTrains` (``"sgd"``) — AIHWKit 1.1.0's analog SGD with stochastic pulse trains
  (``PulseType.StochasticCompressed`` with update management and update bit-length management),
  per sample and layer, with x the layer's input and d the gradient of the loss with respect to
  its output:

  - g = dw_min; x_m = max(max|x|, g²), d_m = max(max|d|, g²); k = lr·x_m·d_m/g;
  - BL = min(ceil(k), desired_bl); if k > desired_bl the d scale is reduced to d_m·desired_bl/k;
  - A = sqrt(lr/(g·BL))·sqrt(x_m/d_m'), B = sqrt(lr/(g·BL))·sqrt(d_m'/x_m);
  - BL independent Bernoulli slots with probabilities min(1, B|x_j|) and min(1, A|d_i|); each
    slot where both fire is one pulse on device (i, j), up if x_j·d_i < 0 (the SGD direction);
  - so device (i, j) receives Binomial(BL, p_j·q_i) pulses, lr·|x_j|·|d_i|/g on average when BL
    does not clip.

* :class:`MixedPrecision` (``"mixed_precision"``) — AIHWKit's ``MixedPrecisionCompound``
  (Nandakumar et al. 2020): a digital χ accumulates lr·d⊗x every sample; on a transfer sample
  (every ``transfer_every`` samples, the first at the second sample as in AIHWKit) each device
  with |χ| ≥ ε = threshold·dw_min receives n = trunc(χ/ε) pulses (at most ``max_pulses`` if set),
  down for positive χ, and χ loses what was fired. Its counters are the digital work: χ elements
  updated (``chi_updates``), scanned at transfers (``chi_scans``) and rewritten after a transfer
  (``chi_rewrites``).

The floating-point baseline (no device model) takes the exact step w ← w − lr·d⊗x
(:func:`exact_update`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .crossbar import fire

#: ids of the compiled kernels (the order of the branches in :func:`update_layer`)
PULSE_TRAINS_ID, MIXED_PRECISION_ID = 0, 1


@dataclass(frozen=True)
class PulseTrains:
    """Analog SGD with stochastic pulse trains (AIHWKit's default pulsed update).

    Attributes
    ----------
    desired_bl : int
        The longest bit stream (slots per sample; AIHWKit's ``desired_bl``, 31): at most this
        many pulses reach one device per sample, 1 … 62.

    Raises
    ------
    ValueError
        If ``desired_bl`` is not an integer in 1 … 62.
    """

    desired_bl: int = 31

    name = "sgd"
    rule_id = PULSE_TRAINS_ID
    #: The counters, ``line_pulses`` (pulses the drivers put on the lines, one per fired slot of a
    #: row's or a column's bit stream) and ``line_cell_charges`` (Σ over those pulses of the
    #: devices on the line: what the driver charges, and the half-selected devices)
    counters: tuple[str, ...] = ("line_pulses", "line_cell_charges")

    def __post_init__(self) -> None:
        if not (isinstance(self.desired_bl, int) and not isinstance(self.desired_bl, bool)
                and self.desired_bl >= 1):
            raise ValueError(f"desired_bl must be an integer ≥ 1; got {self.desired_bl!r}")
        if self.desired_bl > 62:
            raise ValueError(f"desired_bl must be ≤ 62 (bit streams are held in one 64-bit "
                             f"word); got {self.desired_bl!r}")

    def describe(self) -> dict:
        """Plain-data parameters (for results files and run-cache keys).

        Returns
        -------
        dict
            ``algorithm`` (the name) and ``desired_bl`` (slots per sample).
        """
        return {"algorithm": self.name, "desired_bl": self.desired_bl}

    def params(self) -> np.ndarray:
        """The parameters the compiled kernel reads.

        Returns
        -------
        array of float64
            [desired_bl] (slots per sample).
        """
        return np.array([self.desired_bl], dtype=np.float64)

    def state_size(self, n_devices: int) -> int:
        """float32 values of state this rule keeps for ``n_devices`` devices.

        Parameters
        ----------
        n_devices : int
            Devices of the crossbar (counts).

        Returns
        -------
        int
            0: pulse trains keep no state.
        """
        return 0

    def digital_energy_J(self, counters: dict, costs=None) -> float:
        """Energy of the rule's digital work, J, from its counters (none for pulse trains).

        Parameters
        ----------
        counters : dict of str to float
            The rule's counters (counts).
        costs : DigitalCosts, optional
            Unused: pulse trains do no digital work.

        Returns
        -------
        float
            0.0 (J).
        """
        return 0.0


@dataclass(frozen=True)
class MixedPrecision:
    """Mixed-precision SGD: digital accumulation in χ, pulses when |χ| reaches ε.

    Attributes
    ----------
    threshold : float
        ε in units of the device's dw_min (dimensionless, > 0).
    transfer_every : int
        Transfer every this many samples (counts, ≥ 1).
    max_pulses : int or None
        Cap on the pulses one transfer fires on one device (counts; None: no cap); χ is reduced
        only by what was fired.

    Raises
    ------
    ValueError
        If ``threshold`` is not finite and > 0, or ``transfer_every`` or ``max_pulses`` is not
        an integer ≥ 1.
    """

    threshold: float = 1.0
    transfer_every: int = 1
    max_pulses: int | None = None

    name = "mixed_precision"
    rule_id = MIXED_PRECISION_ID
    #: The counters, ``chi_updates`` (χ elements updated, every element every sample),
    #: ``chi_scans`` (elements checked at transfers), ``chi_rewrites`` (elements rewritten after a
    #: transfer), ``chi_updates_nonzero_x`` (the updates whose input x_j is non-zero, what
    #: hardware that skips zero inputs does), and ``line_pulses`` and ``line_cell_charges`` as for
    #: :class:`PulseTrains`, with each transfer pulse addressing its device alone (one row and one
    #: column pulse)
    counters: tuple[str, ...] = ("chi_updates", "chi_scans", "chi_rewrites",
                                 "chi_updates_nonzero_x", "line_pulses", "line_cell_charges")

    def __post_init__(self) -> None:
        if not (isinstance(self.threshold, (int, float)) and math.isfinite(self.threshold)
                and self.threshold > 0):
            raise ValueError(f"threshold must be a finite number > 0 (units of dw_min); got "
                             f"{self.threshold!r}")
        if not (isinstance(self.transfer_every, int) and self.transfer_every >= 1):
            raise ValueError(f"transfer_every must be an integer ≥ 1; got {self.transfer_every!r}")
        if self.max_pulses is not None and not (isinstance(self.max_pulses, int)
                                                and self.max_pulses >= 1):
            raise ValueError(f"max_pulses must be None or an integer ≥ 1; got {self.max_pulses!r}")

    def describe(self) -> dict:
        """Plain-data parameters (for results files and run-cache keys).

        Returns
        -------
        dict
            ``algorithm`` (the name), ``mp_threshold`` (units of dw_min), ``mp_transfer_every``
            (samples) and ``mp_max_pulses`` (pulses, or None).
        """
        return {"algorithm": self.name, "mp_threshold": self.threshold,
                "mp_transfer_every": self.transfer_every, "mp_max_pulses": self.max_pulses}

    def params(self) -> np.ndarray:
        """The parameters the compiled kernel reads.

        Returns
        -------
        array of float64
            [threshold (units of dw_min), transfer_every (samples), cap (pulses; inf: none)].
        """
        cap = math.inf if self.max_pulses is None else float(self.max_pulses)
        return np.array([self.threshold, self.transfer_every, cap], dtype=np.float64)

    def state_size(self, n_devices: int) -> int:
        """float32 values of state this rule keeps for ``n_devices`` devices.

        Parameters
        ----------
        n_devices : int
            Devices of the crossbar (counts).

        Returns
        -------
        int
            ``n_devices``: one χ (w units) per device.
        """
        return n_devices                    # χ, one float32 per device

    def digital_energy_J(self, counters: dict, costs=None) -> float:
        """Energy of the χ updates, scans and rewrites, J, at the per-operation costs of
        :class:`fetrain.train.hardware.DigitalCosts` (its defaults unless ``costs`` is given; with
        ``costs.skip_zero_inputs`` only the updates of non-zero inputs are charged).

        Parameters
        ----------
        counters : dict of str to float
            The rule's counters (counts): ``chi_updates``, ``chi_scans``, ``chi_rewrites``,
            ``chi_updates_nonzero_x``.
        costs : DigitalCosts, optional
            The hardware model (J per operation); None: the FP32 dense model.

        Returns
        -------
        float
            Digital energy (J).
        """
        from .hardware import digital_energy

        return digital_energy(counters.get("chi_updates", 0), counters.get("chi_scans", 0),
                              counters.get("chi_rewrites", 0), costs=costs,
                              nonzero_updates=counters.get("chi_updates_nonzero_x", 0))


#: every rule, by name
RULES: dict[str, type] = {rule.name: rule for rule in (PulseTrains, MixedPrecision)}


#: every rule's counters (columns of every training history)
COUNTER_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(n for r in RULES.values() for n in r.counters))


def rule(value) -> PulseTrains | MixedPrecision:
    """A rule object from a rule object or a registered name (its default parameters).

    Parameters
    ----------
    value : PulseTrains, MixedPrecision or str
        A rule object, or a name of ``RULES`` (``"sgd"``, ``"mixed_precision"``).

    Returns
    -------
    PulseTrains or MixedPrecision
        The rule object.

    Raises
    ------
    ValueError
        If ``value`` is neither a rule object nor a registered name.
    """
    if isinstance(value, tuple(RULES.values())):
        return value
    if isinstance(value, str) and value in RULES:
        return RULES[value]()
    raise ValueError(f"algorithm must be one of {tuple(RULES)} or a rule object "
                     f"({', '.join(r.__name__ for r in RULES.values())}); got {value!r}")


@njit(cache=True, nogil=True)
def _bit_streams(v, scale, bl, rng, index, masks, start, cells, counters):
    """Draw ``bl`` Bernoulli slots with probability min(1, scale·|v_k|) for every non-zero v_k;
    write the index and the bit mask (bit t: slot t fired) of each v_k that fires at least once
    from position ``start`` on; return how many. Every fired slot is one pulse on the line of
    v_k, which holds ``cells`` devices: counted in ``counters`` (line pulses, cell charges)."""
    full = (np.int64(1) << bl) - 1
    n = 0
    fired = 0
    for k in range(v.shape[0]):
        if v[k] != 0:
            p = scale * abs(v[k])
            mask = np.int64(0)
            if p >= np.float32(1.0):
                mask = full
            else:
                for t in range(bl):
                    if rng.random() < p:
                        mask |= np.int64(1) << t
            if mask:
                index[start + n] = k
                masks[start + n] = mask
                n += 1
                m = mask
                while m:                             # popcount
                    m &= m - 1
                    fired += 1
    counters[0] += fired
    counters[1] += fired * cells
    return n


@njit(cache=True, nogil=True)
def _pulse_trains(x, d, off, n_in, n_out, layer, lr, dw_min, noise_std, shift, dev, weff,
                  counts, tables, sums, params, counters, rng_bits, rng_noise, scratch_i,
                  scratch_m):
    g = dw_min
    reg = g * g
    xm = reg
    for j in range(n_in):
        if abs(x[j]) > xm:
            xm = abs(x[j])
    dm = reg
    for i in range(n_out):
        if abs(d[i]) > dm:
            dm = abs(d[i])
    bl_max = np.float32(params[0])
    k = lr * xm * dm / g
    bl_f = np.float32(math.ceil(k))
    if bl_f > bl_max:
        bl_f = bl_max
    bl = int(bl_f)
    if bl < 1:
        return
    dm_eff = dm * bl_max / k if k > bl_max else dm
    base = np.float32(math.sqrt(lr / (g * bl_f)))
    bx = base * np.float32(math.sqrt(dm_eff / xm))
    ad = base * np.float32(math.sqrt(xm / dm_eff))
    # bit streams of the inputs (columns) and errors (rows) that fire at least once
    # (an input line x_j holds the n_out devices of its column, an error line d_i the n_in of
    # its row; the errors' streams are not drawn when no input fires)
    n_cols = _bit_streams(x, bx, bl, rng_bits, scratch_i, scratch_m, 0, n_out, counters)
    if n_cols == 0:
        return
    rows0 = n_cols
    n_rows = _bit_streams(d, ad, bl, rng_bits, scratch_i, scratch_m, rows0, n_in, counters)
    # every coincidence of a column's and a row's bits is one pulse on their device
    for a in range(n_cols):
        j = scratch_i[a]
        mj = scratch_m[a]
        positive_x = x[j] > 0
        base_k = off + j * n_out
        for b in range(n_rows):
            both = mj & scratch_m[rows0 + b]
            if both:
                n = 0
                while both:                      # popcount
                    both &= both - 1
                    n += 1
                i = scratch_i[rows0 + b]
                up = positive_x != (d[i] > 0)    # x·d < 0: the SGD direction is up
                fire(base_k + i, up, n, dev, weff, counts, tables, sums, layer,
                     noise_std, rng_noise, shift)


@njit(cache=True, nogil=True)
def _mixed_precision(x, d, off, n_in, n_out, layer, lr, dw_min, noise_std, shift, dev, weff,
                     counts, tables, sums, params, state, counters, samples_seen, rng_noise):
    size = n_in * n_out
    every = int(params[1])
    due = samples_seen > 0 and samples_seen % every == 0
    counters[0] += size
    eps = np.float32(params[0]) * dw_min
    cap = params[2]
    if due:
        counters[1] += size
    # a prefilter below ε (by a margin far above float32 rounding) skips the division where
    # trunc(χ/ε) is surely 0
    near = eps * np.float32(0.999)
    for j in range(n_in):
        xj = x[j]
        if xj == 0 and not due:
            continue
        base_k = off + j * n_out
        chi = state[base_k:base_k + n_out]
        if xj != 0:
            counters[3] += n_out
            for i in range(n_out):
                chi[i] += (lr * d[i]) * xj
        if due:
            for i in range(n_out):
                if abs(chi[i]) < near:
                    continue
                n = np.trunc(chi[i] / eps)
                if n != 0:
                    if n > cap:
                        n = np.float32(cap)
                    elif n < -cap:
                        n = np.float32(-cap)
                    chi[i] -= n * eps
                    counters[2] += 1
                    pulses = int(abs(n))
                    counters[4] += 2 * pulses
                    counters[5] += pulses * (n_in + n_out)
                    # Δw = −χ: a positive χ is written by down pulses, a negative one by up pulses
                    fire(base_k + i, n < 0, int(abs(n)), dev, weff, counts, tables, sums,
                         layer, noise_std, rng_noise, shift)


@njit(cache=True, nogil=True)
def exact_update(x, d, off, n_in, n_out, lr, weff):
    """The floating-point baseline: w ← w − lr·d⊗x, exactly (float32), on the network's weights
    (the engine copies them into the device records after each stretch of samples).

    Parameters
    ----------
    x : array of float32
        The layer's input, (n_in,) (dimensionless activations).
    d : array of float32
        The gradient of the loss with respect to the layer's output, (n_out,) (dimensionless).
    off : int
        The layer's first device in the flat arrays.
    n_in, n_out : int
        The layer's size (neurons).
    lr : float32
        Learning rate (w units per unit of d⊗x).
    weff : array of float32
        The network's weights (w units); updated.
    """
    for j in range(n_in):
        xj = x[j]
        if xj == 0:
            continue
        er = weff[off + j * n_out:off + (j + 1) * n_out]
        for i in range(n_out):
            er[i] -= (lr * d[i]) * xj


@njit(cache=True, nogil=True)
def update_layer(rule_id, x, d, off, n_in, n_out, layer, lr, dw_min, noise_std, shift, dev, weff,
                 counts, tables, sums, params, state, counters, samples_seen, rng_bits,
                 rng_noise, scratch_i, scratch_m):
    """Update one layer by −lr·d⊗x with the rule ``rule_id`` (the rules' one dispatch).

    Parameters
    ----------
    rule_id : int
        ``PULSE_TRAINS_ID`` or ``MIXED_PRECISION_ID``.
    x, d : array of float32
        The layer's input (n_in,) and the gradient of the loss with respect to its output
        (n_out,) (dimensionless).
    off : int
        The layer's first device in the flat arrays.
    n_in, n_out : int
        The layer's size (neurons).
    layer : int
        The layer's row in ``sums``.
    lr : float32
        Learning rate (w units per unit of d⊗x).
    dw_min : float32
        The device's dw_min (w units).
    noise_std : float32
        Cycle-to-cycle relative step noise (dimensionless).
    shift : float32
        Translation of the step table along w, the drift (w units).
    dev, weff, counts, tables, sums : array
        The crossbar arrays of :mod:`fetrain.train.crossbar` (w units, counts); updated.
    params : array of float64
        The rule's :meth:`PulseTrains.params` or :meth:`MixedPrecision.params`.
    state : array of float32
        The rule's state, one per device of every layer (χ in w units for mixed precision).
    counters : array of int64
        The rule's counters (counts); updated.
    samples_seen : int
        Samples trained so far (counts); decides mixed precision's transfers.
    rng_bits, rng_noise : numpy.random.Generator
        Streams of the bit streams and of the step noise.
    scratch_i, scratch_m : array of int64
        Work space of the pulse trains (indices and bit masks).
    """
    if rule_id == PULSE_TRAINS_ID:
        _pulse_trains(x, d, off, n_in, n_out, layer, lr, dw_min, noise_std, shift, dev, weff,
                      counts, tables, sums, params, counters, rng_bits, rng_noise, scratch_i,
                      scratch_m)
    elif rule_id == MIXED_PRECISION_ID:
        _mixed_precision(x, d, off, n_in, n_out, layer, lr, dw_min, noise_std, shift, dev, weff,
                         counts, tables, sums, params, state, counters, samples_seen, rng_noise)
