"""Compiled primitives of the crossbar: one programming pulse on one device, with its ledger entry.

The device physics that every training rule shares, as small numba functions (:func:`fire`,
:func:`step_size`, :func:`symmetry_points`) that the rules (:mod:`~fetrain.train.rules`) and the
compiled training loop (:mod:`~fetrain.train.kernels`) call. They hold no state; every array
belongs to the caller.

A configuration's crossbar is a set of flat per-device arrays (all layers one after the other;
within a layer, device (i, j) — output i, input j — sits at ``offset + j·n_out + i``):

* ``dev`` — per device, float32, (n, 6): its state on the weight scale w, its reference, its lower
  and upper bound, its up and down scale — side by side, so that a pulse reads one record;
* ``weff`` — the weights the network uses, ``w − ref`` (kept up to date by every pulse), float32;
* ``counts`` — per device (up, down) pulses fired, int32, (n, 2);
* ``tables`` — the device model's step table, (2, N_NODES) float32: row 0 up, row 1 down, on
  nodes equally spaced over each device's own bounds (AIHWKit's ``PiecewiseStepDevice``);
* ``sums`` — per layer (n_up, n_down, Σ state before each up pulse, the same for down,
  Σ|Δw| up, Σ|Δw| down), float64, (n_layers, 6): what :func:`fetrain.device.energy.ledger_energy`
  needs to price every pulse at the state it met.

The module also keeps numba's on-disk cache of the compiled modules in step with their sources.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from numba import njit


def _drop_stale_compiled_code() -> None:
    """Remove the package's numba cache files when any compiled module's source changed.

    numba's on-disk cache checks only the source file of the function it compiled, not the
    compiled functions it calls from other modules: after an edit to :func:`fire`, a rule's
    cached kernel would keep the old one. A stamp of these sources beside the cache catches that
    (the next call compiles afresh, once). A rule defined outside fetrain keeps its own cache."""
    here = Path(__file__).resolve().parent
    try:
        # every module of the subpackage: the compiled ones call one another (crossbar ← the
        # rules' kernels ← the loops of kernels.py)
        stamp = hashlib.sha256(b"".join(p.read_bytes()
                                        for p in sorted(here.glob("*.py")))).hexdigest()
        cache = here / "__pycache__"
        mark = cache / "numba-sources.sha256"
        if mark.is_file() and mark.read_text(encoding="utf-8") == stamp:
            return
        for f in cache.glob("*.nb[ic]"):
            f.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        mark.write_text(stamp, encoding="utf-8")
    except OSError:              # a read-only installation: numba then caches elsewhere
        pass


_drop_stale_compiled_code()


#: columns of a device's record in ``dev``
DEV_COLUMNS: tuple[str, ...] = ("w", "ref", "lo", "hi", "scale_up", "scale_down")


#: columns of a layer's ledger sums
SUM_COLUMNS: tuple[str, ...] = ("n_up", "n_down", "w_up", "w_down", "dw_up", "dw_down")


@njit(cache=True, nogil=True, inline="always")
def step_size(w, lo, hi, scale, tables, row):
    """Mean step magnitude (w units) of a device at state ``w`` (float32): the table row
    interpolated on the device's own bounds [lo, hi] in AIHWKit 1.1.0's float32 arithmetic,
    times the device's scale.

    Parameters
    ----------
    w : float32
        Device state (w units).
    lo, hi : float32
        The device's bounds (w units).
    scale : float32
        The device's step scale for this direction (w units); negative for down steps.
    tables : array of float32
        The step table, (2, N_NODES), relative to dw_min (dimensionless).
    row : int
        0 for up, 1 for down.

    Returns
    -------
    float32
        The step (w units), signed like ``scale``.
    """
    n_sec = tables.shape[1] - 1
    ws = (w - lo) / (hi - lo) * np.float32(n_sec)
    if ws < np.float32(0.0):
        ws = np.float32(0.0)
    node = int(np.floor(ws))
    if node > n_sec - 1:
        node = n_sec - 1
    t = ws - np.float32(node)
    if t > np.float32(1.0):
        t = np.float32(1.0)
    return scale * ((np.float32(1.0) - t) * tables[row, node] + t * tables[row, node + 1])


@njit(cache=True, nogil=True)
def fire(k, up, n, dev, weff, counts, tables, sums, layer, noise_std, rng_noise, shift):
    """Fire ``n`` pulses, one after the other, on device ``k`` (up if ``up``, else down).

    Each pulse moves the device by its state-dependent step (looked up at ``w − shift``: a
    drifting table), times (1 + noise_std·ξ) with ξ standard normal from ``rng_noise`` when
    ``noise_std`` > 0, then clips to the device's bounds. A pulse that meets a bound still counts.
    The device's counts and the layer's sums are updated.

    Parameters
    ----------
    k : int
        Device index in the flat arrays.
    up : bool
        Up (set) pulses if true, else down (reset).
    n : int
        Number of pulses (counts).
    dev : array of float32
        Device records, (n_devices, 6), columns ``DEV_COLUMNS`` (all in w units); updated.
    weff : array of float32
        The network's weights w − ref (w units); updated.
    counts : array of int32
        (up, down) pulses per device (counts); updated.
    tables : array of float32
        The step table, (2, N_NODES), relative to dw_min (dimensionless).
    sums : array of float64
        Ledger sums per layer, columns ``SUM_COLUMNS`` (counts, w units); updated.
    layer : int
        The device's layer (row of ``sums``).
    noise_std : float32
        Cycle-to-cycle relative step noise (dimensionless).
    rng_noise : numpy.random.Generator
        Stream of the step noise.
    shift : float32
        Translation of the table along w, the drift (w units).
    """
    lo = dev[k, 2]
    hi = dev[k, 3]
    row = 0 if up else 1
    scale = dev[k, 4] if up else -dev[k, 5]
    wk = dev[k, 0]
    moved = 0.0
    before = 0.0
    for _ in range(n):
        step = step_size(wk - shift, lo, hi, scale, tables, row)
        if noise_std > np.float32(0.0):
            step = step * (np.float32(1.0) + noise_std * np.float32(rng_noise.standard_normal()))
        new = wk + step
        if new < lo:
            new = lo
        if new > hi:
            new = hi
        before += np.float64(wk)
        moved += np.float64(abs(new - wk))
        wk = new
    dev[k, 0] = wk
    weff[k] = wk - dev[k, 1]
    if up:
        counts[k, 0] += n
        sums[layer, 0] += n
        sums[layer, 2] += before
        sums[layer, 4] += moved
    else:
        counts[k, 1] += n
        sums[layer, 1] += n
        sums[layer, 3] += before
        sums[layer, 5] += moved


@njit(cache=True, nogil=True)
def _drift(w, lo, hi, su, sd, tables):
    """Up step minus down step of a device at state w (float32)."""
    return step_size(w, lo, hi, su, tables, 0) - step_size(w, lo, hi, sd, tables, 1)


@njit(cache=True, nogil=True)
def symmetry_points(dev, tables, iterations, start):
    """Where each device settles under alternating up/down pulses from state ``start``.

    ``start`` is on [−1, 1] and is mapped onto the device's own bounds [lo, hi] (−1 is its lower
    bound, a reset). The result is the stable root of the device's up step minus its down step
    that the drift from ``start`` reaches — with several stable roots, the one whose basin holds
    ``start``; a bound when the drift ends there; ``start`` itself where there is no drift. The
    table is linear between nodes, so scanning node by node in the drift's direction finds the
    first sign change, and bisection refines it. float32, one per row of ``dev``.

    Parameters
    ----------
    dev : array of float32
        Device records, (n_devices, 6), columns ``DEV_COLUMNS`` (w units).
    tables : array of float32
        The step table, (2, N_NODES), relative to dw_min (dimensionless).
    iterations : int
        Bisection steps (counts).
    start : float32
        Starting state on [−1, 1] (w units of the nominal range).

    Returns
    -------
    array of float32
        Where each device settles (w units), one per row of ``dev``.
    """
    n = dev.shape[0]
    out = np.empty(n, dtype=np.float32)
    n_sec = tables.shape[1] - 1
    for k in range(n):
        lo = dev[k, 2]
        hi = dev[k, 3]
        su = dev[k, 4]
        sd = dev[k, 5]
        h = (hi - lo) / np.float32(n_sec)
        # the start as the same fraction of this device's own range as of [-1, 1]
        s = lo + (np.float32(start) + np.float32(1.0)) * np.float32(0.5) * (hi - lo)
        s = min(max(s, lo), hi)
        d0 = _drift(s, lo, hi, su, sd, tables)
        if d0 == np.float32(0.0):
            out[k] = s
            continue
        j0 = int(np.floor((s - lo) / h))
        a = s
        b = s
        found = False
        if d0 > 0:
            # drifting up: the first node above s where the drift is no longer positive
            for j in range(j0 + 1, n_sec + 1):
                x = hi if j == n_sec else lo + h * np.float32(j)
                if x <= s:
                    continue
                if _drift(x, lo, hi, su, sd, tables) <= 0:
                    b = x
                    found = True
                    break
                a = x
            if not found:
                out[k] = hi
                continue
        else:
            # drifting down: the first node below s where the drift is positive
            for j in range(j0, -1, -1):
                x = lo + h * np.float32(j)
                if x >= s:
                    continue
                if _drift(x, lo, hi, su, sd, tables) > 0:
                    a = x
                    found = True
                    break
                b = x
            if not found:
                out[k] = lo
                continue
        for _ in range(iterations):
            mid = np.float32(0.5) * (a + b)
            if _drift(mid, lo, hi, su, sd, tables) > 0:
                a = mid
            else:
                b = mid
        out[k] = np.float32(0.5) * (a + b)
    return out
