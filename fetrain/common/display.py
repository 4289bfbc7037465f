"""Numbers as the book and the command line show them: a pulse width in the unit a reader expects
(:func:`format_width`: ``20 ns``, ``2 µs``, ``0.2 ms``). It uses nothing else of fetrain.
"""

from __future__ import annotations

import numpy as np


def format_width(width_s: float) -> str:
    """A pulse width as the book writes it: ``20 ns``, ``2 µs``, ``0.2 ms`` … (``unknown width``
    for NaN).

    Parameters
    ----------
    width_s : float
        Pulse width (s).

    Returns
    -------
    str
        The width with its unit (ns, µs, ms or s).
    """
    if not np.isfinite(width_s):
        return "unknown width"
    for unit, factor in (("ns", 1e9), ("µs", 1e6), ("ms", 1e3)):
        value = width_s * factor
        if value < 1000 - 1e-9:
            return f"{value:g} {unit}"
    return f"{width_s:g} s"
