"""Checked arguments and the messages that name them: one way to say what a parameter must be.

Every fetrain function that refuses a value says which parameter, what it got and what is
allowed (:func:`require`), with numbers shown plainly (``-1e-06``, not ``np.float64(-1e-06)``;
:func:`plain`, :func:`shown`). It uses nothing else of fetrain.
"""

from __future__ import annotations

import numpy as np


def shown(value) -> str:
    """A value as an error message shows it: numpy numbers and arrays as plain Python ones
    (``-1e-06``, not ``np.float64(-1e-06)``).

    Parameters
    ----------
    value : object
        Any value (any unit); numpy scalars and arrays are converted to Python ones first.

    Returns
    -------
    str
        The ``repr`` of the converted value.
    """
    if isinstance(value, np.generic):
        value = value.item()
    elif isinstance(value, np.ndarray):
        value = value.tolist()
    return repr(value)


def require(name: str, value, *, low: float | None = None, high: float | None = None,
             strict_low: bool = True, unit: str = "") -> None:
    """Raise ``ValueError`` naming ``name`` and its allowed range if ``value`` falls outside it."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {shown(value)}")
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= (arr <= low) if strict_low else (arr < low)
    if high is not None:
        bad |= arr > high
    if np.any(bad):
        lo = "" if low is None else (f"> {low:g}" if strict_low else f">= {low:g}")
        hi = "" if high is None else f"<= {high:g}"
        rng = " and ".join(s for s in (lo, hi) if s)
        suffix = f" {unit}" if unit else ""
        raise ValueError(f"{name} must be {rng}{suffix}; got {shown(value)}")


def plain(x, digits: int = 4) -> str:
    """A number as plain text for messages (``-1e-06``, ``0.3512``), never a numpy repr."""
    return f"{float(x):.{digits}g}"
