"""How the answer moves with each choice the reading makes: the split that judges the target, the
read path counted, the target itself — one choice changed at a time from the book's rule — and the
ratio of two widths' energies under each, with its bootstrap interval over seeds
(:mod:`~fetrain.study.confidence`).

The book's rule (``BASELINE``): the target judged on the validation split, the write path
only (the study's accounting), the plan's target. Tuning is the other choice; its runs come from
:mod:`~fetrain.study.tune` and are read with :func:`tuned_energies`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .confidence import width_ratios
from .tradeoff import DEFAULT_DIGITAL, RUN_KEYS, summary


@dataclass(frozen=True)
class Choice:
    """One way of reading energy to target.

    Attributes
    ----------
    name : str
        Short name.
    label : str
        What changes, in words.
    split : str
        The split that judges the target (``validation`` or ``test``).
    read_path : str
        Read-path setting (``none``, ``low``, ``high``).
    target : float or None
        The target (fraction); None: the plan's.
    """

    name: str
    label: str
    split: str = "validation"
    read_path: str = "none"
    target: float | None = None


BASELINE = Choice("validation", "the book's rule: judged on validation, write path only")

#: The readings compared, the book's rule first; each changes one thing.
CHOICES: tuple[Choice, ...] = (
    BASELINE,
    Choice("test-split", "judged on the test split (as Chapter 6 once did)", split="test"),
    Choice("read-low", "read path counted, low setting", read_path="low"),
    Choice("read-high", "read path counted, high setting", read_path="high"),
    Choice("target-80", "target 80% instead of the plan's", target=0.80),
)


def choice_energies(histories: pd.DataFrame, target: float, digital: str = DEFAULT_DIGITAL,
                    choices=CHOICES) -> pd.DataFrame:
    """Every run's total energy to target under each choice.

    Parameters
    ----------
    histories : pandas.DataFrame
        A sweep's histories (with the read-path columns).
    target : float
        The plan's target (fraction).
    digital : str
        Hardware model of the digital work.
    choices : sequence of Choice
        The readings.

    Returns
    -------
    pandas.DataFrame
        The run keys, ``choice``, ``target`` (fraction), ``reached``, ``energy_J`` (J, NaN
        where not reached), ``epochs_to_target`` (epochs) and ``test_at_target`` (fraction).
    """
    frames = []
    for c in choices:
        s = summary(histories, c.target or target, digital, read_path=c.read_path, split=c.split)
        frames.append(s[RUN_KEYS + ["target", "reached", "epochs_to_target", "test_at_target"]]
                      .assign(choice=c.name, energy_J=s["total_to_target_J"]))
    return pd.concat(frames, ignore_index=True)


def tuned_energies(retrained: pd.DataFrame, read_paths=("none", "low")) -> pd.DataFrame:
    """The retrained runs of a tuning (:func:`fetrain.study.tune.retrained_table`) as choices
    ``tuned`` (write path only) and ``tuned-read-<setting>``, in the columns of
    :func:`choice_energies`."""
    frames = []
    for r in read_paths:
        s = retrained[retrained["read_path"] == r]
        name = "tuned" if r == "none" else f"tuned-read-{r}"
        frames.append(s[RUN_KEYS + ["target", "reached", "epochs_to_target", "test_at_target"]]
                      .assign(choice=name, energy_J=s["total_to_target_J"]))
    return pd.concat(frames, ignore_index=True)


#: Labels of the tuned choices, and of the other engine's.
TUNED_LABELS = {"tuned": "each width tuned on validation, retrained with fresh seeds",
                "tuned-read-low": "tuned, and the read path counted (low setting)",
                "aihwkit": "AIHWKit's own training of the same devices, priced by fetrain's "
                           "ledger"}


def engine_energies(curves: dict, histories: pd.DataFrame, scheme: str, target: float,
                    digital: str = DEFAULT_DIGITAL) -> pd.DataFrame:
    """Another engine's runs (AIHWKit's learning curves of plain SGD, one per width) read as a
    choice (``aihwkit``): each run reaches the target at its first evaluation whose validation
    accuracy does, and that many samples are priced with fetrain's ledger — the mean over
    fetrain's seeds of the total energy (write path) its own runs of the same width and strategy
    had spent after as many samples.

    Parameters
    ----------
    curves : dict of float to pandas.DataFrame
        Per width (s), the other engine's curves (``seed``, ``epoch``, ``samples``,
        ``val_accuracy``, ``test_accuracy``; accuracies as fractions).
    histories : pandas.DataFrame
        fetrain's histories of the same plan (its plain-SGD runs are the ledger).
    scheme : str
        The programming scheme of the devices the curves were trained on.
    target : float
        The target (fraction).
    digital : str
        Hardware model of the digital work.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`choice_energies`, ``choice`` = ``aihwkit``, strategy ``sgd``.
    """
    from .tradeoff import with_totals

    rows = []
    h = with_totals(histories[(histories["scheme"] == scheme)
                              & (histories["strategy"] == "sgd")], digital)
    for width, c in curves.items():
        mine = h[np.isclose(h["width_s"], width, rtol=1e-9, atol=0)]
        price = mine.groupby("samples")["total_J"].mean()
        for seed, run in c.sort_values("samples").groupby("seed"):
            hit = run[run["val_accuracy"] >= target]
            reached = len(hit) > 0 and float(hit["samples"].iloc[0]) in price.index
            first = hit.iloc[0] if len(hit) else None
            rows.append({"scheme": scheme, "width_s": float(width), "strategy": "sgd",
                         "seed": int(seed), "target": target, "reached": bool(reached),
                         "epochs_to_target": float(first["epoch"]) if reached else np.nan,
                         "test_at_target": float(first["test_accuracy"]) if reached else np.nan,
                         "choice": "aihwkit",
                         "energy_J": float(price.loc[float(first["samples"])]) if reached
                         else np.nan})
    return pd.DataFrame(rows)


def ratio_moves(energies: pd.DataFrame, numerator_s: float, denominator_s: float,
                scheme: str) -> pd.DataFrame:
    """The ratio of two widths' energy to target under every choice and strategy of one scheme,
    with bootstrap intervals over seeds.

    Parameters
    ----------
    energies : pandas.DataFrame
        :func:`choice_energies` (and :func:`tuned_energies`) rows.
    numerator_s, denominator_s : float
        The widths (s).
    scheme : str
        The programming scheme.

    Returns
    -------
    pandas.DataFrame
        One row per (choice, strategy): ``ratio``, ``low``, ``high``, the seeds, ``label`` and
        ``verdict`` (``wins``/``loses`` when the interval lies below/above 1 — for the
        numerator width — ``open`` when it holds 1, ``not reached`` when the numerator width
        missed the target).
    """
    e = energies[energies["scheme"] == scheme]
    out = width_ratios(e, numerator_s, denominator_s, column="energy_J",
                       by=("choice", "strategy"))
    if out.empty:
        return out
    labels = {c.name: c.label for c in CHOICES} | TUNED_LABELS
    out["label"] = out["choice"].map(labels)
    order = {name: k for k, name in enumerate(labels)}
    out = out.sort_values(["choice", "strategy"], key=lambda col: col.map(order)
                          if col.name == "choice" else col).reset_index(drop=True)
    out["verdict"] = np.select(
        [~np.isfinite(out["ratio"]), out["high"] < 1, out["low"] > 1],
        ["not reached", "wins", "loses"], "open")
    return out


def highest_target_reached(curves: pd.DataFrame, width_s: float, strategy: str,
                           scheme: str) -> float:
    """The highest target every seed of a configuration reaches (fraction; NaN if none).

    Parameters
    ----------
    curves : pandas.DataFrame
        :func:`fetrain.study.tradeoff.energy_curves` rows.
    width_s : float
        The width (s).
    strategy, scheme : str
        The configuration.

    Returns
    -------
    float
        The target (fraction).
    """
    c = curves[np.isclose(curves["width_s"], width_s, rtol=1e-9, atol=0)
               & (curves["strategy"] == strategy) & (curves["scheme"] == scheme)]
    ok = c.groupby("target")["reached"].all()
    ok = ok[ok]
    return float(ok.index.max()) if len(ok) else np.nan
