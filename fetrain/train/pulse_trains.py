"""Analog SGD with stochastic pulse trains (:class:`PulseTrains`, ``"sgd"``): AIHWKit 1.1.0's
default pulsed update (``PulseType.StochasticCompressed`` with update management and update
bit-length management), per sample and layer, with x the layer's input and d the gradient of the
loss with respect to its output:

- g = dw_min; x_m = max(max|x|, g²), d_m = max(max|d|, g²); k = lr·x_m·d_m/g;
- BL = min(ceil(k), desired_bl); if k > desired_bl the d scale is reduced to d_m·desired_bl/k;
- A = sqrt(lr/(g·BL))·sqrt(x_m/d_m'), B = sqrt(lr/(g·BL))·sqrt(d_m'/x_m);
- BL independent Bernoulli slots with probabilities min(1, B|x_j|) and min(1, A|d_i|); each slot
  where both fire is one pulse on device (i, j), up if x_j·d_i < 0 (the SGD direction);
- so device (i, j) receives Binomial(BL, p_j·q_i) pulses, lr·|x_j|·|d_i|/g on average when BL
  does not clip.

:func:`pulse_train_update` is also the write step of the transfer rules
(:mod:`~fetrain.train.transfer`), which pulse their arrays the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .crossbar import fire
from .rulebase import Rule, register


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
def pulse_train_update(x, d, off, n_in, n_out, layer, lr, dw_min, bl_max, dev, weff, counts,
                       tables, sums, noise_std, shift, rng_bits, rng_noise, scratch_i, scratch_m,
                       counters):
    """One stochastic pulse-train update of −lr·d⊗x on one layer of a device array (see the
    module's text), with the line counters at ``counters[0:2]``.

    Parameters
    ----------
    x, d : array of float32
        The layer's input (n_in,) and the gradient with respect to its output (n_out,).
    off, n_in, n_out, layer : int
        The layer's first device, size and row of ``sums``.
    lr, dw_min, bl_max : float32
        Learning rate, the device's dw_min (w units) and the longest bit stream (slots).
    dev, weff, counts, tables, sums : array
        The device array's records, weights, counts, step table and ledger sums; updated.
    noise_std, shift : float32
        Cycle-to-cycle noise (dimensionless) and the table's drift (w units).
    rng_bits, rng_noise : numpy.random.Generator
        Streams of the bits and of the step noise.
    scratch_i, scratch_m : array of int64
        Work space (indices and bit masks).
    counters : array of int64
        ``counters[0]`` line pulses, ``counters[1]`` line cell charges; updated.
    """
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
def _kernel(x, d, off, n_in, n_out, layer, samples_seen, shift, bar, record):
    lr, dw_min, noise_std, dev, weff, counts, tables, sums, rng_bits, rng_noise, si, sm = bar
    params, counters = record
    pulse_train_update(x, d, off, n_in, n_out, layer, lr, dw_min, np.float32(params[0]), dev,
                       weff, counts, tables, sums, noise_std, shift, rng_bits, rng_noise, si, sm,
                       counters)


@register
@dataclass(frozen=True)
class PulseTrains(Rule):
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
    label = "plain SGD"
    kernel = _kernel
    #: The counters, ``line_pulses`` (pulses the drivers put on the lines, one per fired slot of a
    #: row's or a column's bit stream) and ``line_cell_charges`` (Σ over those pulses of the
    #: devices on the line: what the driver charges, and the half-selected devices)
    counters = ("line_pulses", "line_cell_charges")
    style = {"marker": "o", "linestyle": "-"}
    aihwkit = "SingleRPUConfig (PulseType.StochasticCompressed)"

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
        """The parameters the kernel reads.

        Returns
        -------
        array of float64
            [desired_bl] (slots per sample).
        """
        return np.array([self.desired_bl], dtype=np.float64)

    def random_bits_per_line(self) -> int:
        """Slots per line of the bit streams: ``desired_bl`` (counts).

        Returns
        -------
        int
        """
        return self.desired_bl
