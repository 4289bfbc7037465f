"""How sure a ratio is: bootstrap intervals over seeds.

A configuration's energy to target is the mean over its seeds; a ratio of two configurations (20 ns
over 200 ns, or the shortest width over the best other) moves when other seeds are drawn. The
percentile bootstrap (Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993) resamples each
configuration's seeds with replacement, independently, and reads the ratio of the resampled means;
the interval holds the central ``level`` of those ratios. A seed that did not reach the target has
no energy to target: a resample that draws it has an infinite mean (the configuration did not
reach), so an interval can run to infinity (or to 0), and says so. With one seed per configuration
the interval is the point itself: no spread can be seen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Resamples and level of every interval, and the seed of the resampling (fixed, so that an
#: interval is the same number on every build).
RESAMPLES = 4000
LEVEL = 0.95
SEED = 0


def _means(values: np.ndarray, rng, n: int) -> np.ndarray:
    """``n`` resampled means of ``values`` (NaN: not reached → that resample's mean is inf)."""
    v = np.where(np.isfinite(values), values, np.inf)
    draws = rng.integers(0, len(v), size=(n, len(v)))
    return v[draws].mean(axis=1)


def _percentiles(r: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` of the resampled ratios ``r`` (NaN: both sides missed, left out);
    read at observed values (no interpolation), so that an infinite ratio stays infinite."""
    r = r[~np.isnan(r)]
    if not r.size:
        return np.nan, np.nan
    tail = 100 * (1 - level) / 2
    return (float(np.percentile(r, tail, method="lower")),
            float(np.percentile(r, 100 - tail, method="higher")))


def _ratio(num, den):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(num, dtype=float) / np.asarray(den, dtype=float)


def ratio_interval(numerator, denominator, resamples: int = RESAMPLES, level: float = LEVEL,
                   seed: int = SEED) -> dict:
    """The ratio of two configurations' mean energies and its bootstrap interval over seeds.

    Parameters
    ----------
    numerator, denominator : sequence of float
        Per-seed values (J; NaN where a seed did not reach the target).
    resamples : int
        Bootstrap resamples (counts).
    level : float
        Central coverage of the interval (fraction, 0 … 1).
    seed : int
        Seed of the resampling.

    Returns
    -------
    dict
        ``ratio`` (mean over mean; inf when only the numerator missed, 0 when only the
        denominator did, NaN when both did), ``low`` and ``high`` (the interval),
        ``seeds_numerator`` and ``seeds_denominator`` (counts).

    Raises
    ------
    ValueError
        If a side has no seed, or ``level`` is not in (0, 1).
    """
    a = np.asarray(numerator, dtype=float)
    b = np.asarray(denominator, dtype=float)
    if a.size == 0 or b.size == 0:
        raise ValueError("numerator and denominator need at least one seed each")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1); got {level!r}")
    rng = np.random.default_rng(seed)
    point = float(_ratio(np.where(np.isfinite(a), a, np.inf).mean(),
                         np.where(np.isfinite(b), b, np.inf).mean()))
    r = _ratio(_means(a, rng, resamples), _means(b, rng, resamples))
    low, high = _percentiles(r, level)
    return {"ratio": point, "low": float(low), "high": float(high),
            "seeds_numerator": int(a.size), "seeds_denominator": int(b.size)}


def width_ratios(summ: pd.DataFrame, numerator_s: float, denominator_s: float,
                 column: str = "total_to_target_J", by=("scheme", "strategy")) -> pd.DataFrame:
    """The ratio of one width's energy to another's, with its interval, for each group.

    Parameters
    ----------
    summ : pandas.DataFrame
        Per-run rows (:func:`fetrain.study.tradeoff.summary`), with ``width_s`` (s) and
        ``column``.
    numerator_s, denominator_s : float
        The two widths (s).
    column : str
        The energy read (J).
    by : sequence of str
        The columns that make a group.

    Returns
    -------
    pandas.DataFrame
        One row per group holding both widths: the group's keys, ``ratio``, ``low``, ``high``,
        ``seeds_numerator`` and ``seeds_denominator``.
    """
    rows = []
    for key, g in summ.groupby(list(by), sort=True):
        a = g.loc[np.isclose(g["width_s"], numerator_s, rtol=1e-9, atol=0), column]
        b = g.loc[np.isclose(g["width_s"], denominator_s, rtol=1e-9, atol=0), column]
        if len(a) and len(b):
            key = key if isinstance(key, tuple) else (key,)
            rows.append({**dict(zip(by, key)), **ratio_interval(a.to_numpy(), b.to_numpy())})
    return pd.DataFrame(rows)


def shortest_against_best_other(summ: pd.DataFrame, column: str = "total_to_target_J",
                                by=("scheme", "strategy"), resamples: int = RESAMPLES,
                                level: float = LEVEL, seed: int = SEED) -> pd.DataFrame:
    """For each group, the shortest width's energy over the best other width's, with a bootstrap
    interval in which the best other width is chosen anew in every resample (below 1: the shortest
    width wins).

    Parameters
    ----------
    summ : pandas.DataFrame
        Per-run rows with ``width_s`` (s) and ``column`` (J; NaN where a seed missed the target).
    column : str
        The energy read (J).
    by : sequence of str
        The columns that make a group.
    resamples, level, seed
        As for :func:`ratio_interval`.

    Returns
    -------
    pandas.DataFrame
        One row per group: its keys, ``shortest_width_s`` and ``best_other_width_s`` (s, the
        point estimate's), ``ratio``, ``low``, ``high`` and ``seeds`` (of the shortest width).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for key, g in summ.groupby(list(by), sort=True):
        widths = sorted(g["width_s"].unique())
        if len(widths) < 2:
            continue
        per = {w: g.loc[g["width_s"] == w, column].to_numpy(dtype=float) for w in widths}
        means = {w: np.where(np.isfinite(v), v, np.inf).mean() for w, v in per.items()}
        others = widths[1:]
        best = min(others, key=lambda w: means[w])
        resampled = {w: _means(v, rng, resamples) for w, v in per.items()}
        best_other = np.min(np.vstack([resampled[w] for w in others]), axis=0)
        low, high = _percentiles(_ratio(resampled[widths[0]], best_other), level)
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), "shortest_width_s": float(widths[0]),
                     "best_other_width_s": float(best),
                     "ratio": float(_ratio(means[widths[0]], means[best])),
                     "low": float(low), "high": float(high), "seeds": int(len(per[widths[0]]))})
    return pd.DataFrame(rows)
