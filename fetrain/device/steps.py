"""The step table: up and down step sizes on nodes equally spaced over the weight scale,
interpolated as AIHWKit's ``PiecewiseStepDevice`` does (:func:`interpolate_table`), and the
symmetry points where they balance (:func:`stable_points_of_table`, each with its basin). The
device model and the training engine share it; it uses NumPy only.
"""

from __future__ import annotations

import numpy as np

N_NODES = 41               #: nodes of the step table on [-1, 1] (odd, so one node is at w = 0)


W_MIN, W_MAX = -1.0, 1.0   #: bounds of the weight scale


def _frozen(a, dtype=float) -> np.ndarray:
    arr = np.array(a, dtype=dtype)
    arr.flags.writeable = False
    return arr


def interpolate_table(w, nodes_values, w_min: float = W_MIN, w_max: float = W_MAX):
    """Linear interpolation of a table on equally spaced nodes, in AIHWKit's arithmetic.

    ``nodes_values`` (n values on n nodes from ``w_min`` to ``w_max``) are interpolated at ``w``
    the way AIHWKit 1.1.0's ``PiecewiseStepRPUDevice`` does (``rpu_piecewisestep_device.cpp``):
    w_scaled = max((w − w_min)/(w_max − w_min)·(n−1), 0), index = min(floor(w_scaled), n−2),
    t = min(w_scaled − index, 1), value = (1 − t)·v[index] + t·v[index+1]. The dtype of ``w``
    is kept (float32 reproduces AIHWKit's single-precision arithmetic).

    Parameters
    ----------
    w : float or array of float
        Weights to interpolate at (w units).
    nodes_values : sequence of float
        Table values on the nodes (any unit; the steps of a device table are in w units).
    w_min, w_max : float
        First and last node (w units).

    Returns
    -------
    float or array of float
        Interpolated values (the unit of ``nodes_values``), shaped and typed like ``w``.
    """
    w = np.asarray(w)
    dtype = w.dtype if np.issubdtype(w.dtype, np.floating) else np.float64
    v = np.asarray(nodes_values, dtype=dtype)
    n_sections = v.size - 1
    w_scaled = np.maximum((w - dtype.type(w_min)) / dtype.type(w_max - w_min) * dtype.type(n_sections),
                          dtype.type(0))
    index = np.minimum(np.floor(w_scaled).astype(np.int64), n_sections - 1)
    t = np.minimum(w_scaled - index.astype(dtype), dtype.type(1))
    return (dtype.type(1) - t) * v[index] + t * v[index + 1]


def symmetry_point_of_table(nodes, up, down) -> float:
    """The stable root of up(w) − down(w) on a piecewise-linear table (NaN when none).

    Parameters
    ----------
    nodes : sequence of float
        The table's nodes (w units), ascending.
    up, down : sequence of float
        Up steps and magnitudes of down steps at the nodes (w units).

    Returns
    -------
    float
        The lowest stable root (w units), or NaN.
    """
    diff = np.asarray(up, dtype=float) - np.asarray(down, dtype=float)
    for k in range(len(diff) - 1):
        a, b = diff[k], diff[k + 1]
        if a > 0 and b <= 0:
            return float(nodes[k] + a * (nodes[k + 1] - nodes[k]) / (a - b))
    return float("nan")


def _crossings(nodes, diff) -> tuple[list[float], list[float]]:
    """The stable and the unstable roots of a piecewise-linear drift ``diff`` on ``nodes``.

    A root is where the drift's sign changes: from + below to − above (stable) or from − to +
    (unstable). Nodes where the drift is exactly 0 are classified by the nearest non-zero values
    on either side: a zero that the drift only touches is no root; a run of zeros between opposite
    signs is one root, at the run's middle.
    """
    n = len(diff)
    stable, unstable = [], []
    k = 0
    while k < n - 1:
        a, b = diff[k], diff[k + 1]
        if a != 0 and b != 0:
            if (a > 0) != (b > 0):
                w = float(nodes[k] + a * (nodes[k + 1] - nodes[k]) / (a - b))
                (stable if a > 0 else unstable).append(w)
            k += 1
            continue
        if a == 0:            # a zero at the table's first node: an end, not a crossing
            k += 1
            continue
        # b == 0: find the run of zeros and the first non-zero value after it
        j = k + 1
        while j < n and diff[j] == 0:
            j += 1
        if j < n and (diff[j] > 0) != (a > 0):
            w = float(0.5 * (nodes[k + 1] + nodes[j - 1]))
            (stable if a > 0 else unstable).append(w)
        k = j
    return stable, unstable


def stable_points_of_table(nodes, up, down) -> list[tuple[float, float, float]]:
    """Every stable root of up(w) − down(w) on a piecewise-linear table, with its basin.

    Returns (w*, low, high) for each stable root (up − down changes sign from + below to −
    above), ascending; [low, high] is its basin under the drift up − down: bounded by the
    unstable roots around it (sign from − to +) or by the table's ends. Between nodes both
    tables are linear, so each section holds at most one root. A table without drift anywhere
    (up = down) has no stable root: every state is an equilibrium.

    Parameters
    ----------
    nodes : sequence of float
        The table's nodes (w units), ascending.
    up, down : sequence of float
        Up steps and magnitudes of down steps at the nodes (w units).

    Returns
    -------
    list of tuple of float
        (w*, low, high) per stable root, ascending (w units).
    """
    nodes = np.asarray(nodes, dtype=float)
    diff = np.asarray(up, dtype=float) - np.asarray(down, dtype=float)
    stable, unstable = _crossings(nodes, diff)
    out = []
    for w_star in stable:
        below = [u for u in unstable if u < w_star]
        above = [u for u in unstable if u > w_star]
        out.append((w_star, max(below) if below else float(nodes[0]),
                    min(above) if above else float(nodes[-1])))
    return out
