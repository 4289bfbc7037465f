"""Mixed-precision SGD (:class:`MixedPrecision`, ``"mixed_precision"``): AIHWKit's
``MixedPrecisionCompound`` (Nandakumar et al. 2020). A digital χ accumulates lr·d⊗x every
sample; on a transfer sample (every ``transfer_every`` samples, the first at the second sample as
in AIHWKit) each device with |χ| ≥ ε = threshold·dw_min receives n = trunc(χ/ε) pulses (at most
``max_pulses`` if set), down for positive χ, and χ loses what was fired. Its counters are the
digital work: χ elements updated (``chi_updates``), scanned at transfers (``chi_scans``) and
rewritten after a transfer (``chi_rewrites``), priced by :mod:`~fetrain.train.hardware`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .crossbar import fire
from .rulebase import Layout, Rule, register


@njit(cache=True, nogil=True)
def _kernel(x, d, off, n_in, n_out, layer, samples_seen, shift, bar, record):
    lr, dw_min, noise_std, dev, weff, counts, tables, sums, rng_bits, rng_noise, si, sm = bar
    params, counters, state = record
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


@register
@dataclass(frozen=True)
class MixedPrecision(Rule):
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
    label = "mixed precision"
    kernel = _kernel
    #: The counters, ``chi_updates`` (χ elements updated, every element every sample),
    #: ``chi_scans`` (elements checked at transfers), ``chi_rewrites`` (elements rewritten after a
    #: transfer), ``chi_updates_nonzero_x`` (the updates whose input x_j is non-zero, what
    #: hardware that skips zero inputs does), and ``line_pulses`` and ``line_cell_charges`` as for
    #: plain SGD, with each transfer pulse addressing its device alone (one row and one column
    #: pulse)
    counters = ("chi_updates", "chi_scans", "chi_rewrites", "chi_updates_nonzero_x",
                "line_pulses", "line_cell_charges")
    style = {"marker": "^", "linestyle": "-"}
    aihwkit = "MixedPrecisionCompound"

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
        """The parameters the kernel reads.

        Returns
        -------
        array of float64
            [threshold (units of dw_min), transfer_every (samples), cap (pulses; inf: none)].
        """
        cap = math.inf if self.max_pulses is None else float(self.max_pulses)
        return np.array([self.threshold, self.transfer_every, cap], dtype=np.float64)

    def allocate(self, layout: Layout) -> dict[str, np.ndarray]:
        """``params``, ``counters`` and ``chi``: one χ per device (w units, float32).

        Parameters
        ----------
        layout : Layout
            The crossbar's layout.

        Returns
        -------
        dict of str to numpy.ndarray
        """
        return {**super().allocate(layout),
                "chi": np.zeros(layout.n_devices, dtype=np.float32)}

    def memory_elements(self, n_synapses: int) -> int:
        """One χ per synapse (counts).

        Parameters
        ----------
        n_synapses : int
            Synapses (counts).

        Returns
        -------
        int
        """
        return n_synapses

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
