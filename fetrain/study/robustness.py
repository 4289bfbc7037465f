"""Symmetry point shifting with a mis-set or drifting reference: the configurations of the sweep
(:func:`robustness_configs`), its table and its summary in one sentence, and the full-resolution
sweep that ships with fetrain (:func:`load_robustness`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..common import storage
from ..common.files import SHIPPED_DIR, results_dir


def robustness_configs(model, offsets=(), drifts=(), epochs: int = 10, seeds=(0,),
                       evaluations_per_epoch: int = 1) -> list:
    """Symmetry point shifting with its references mis-set by δ (``offsets``, w units) and with a
    symmetry point that drifts during training (``drifts``, w units per epoch).

    Parameters
    ----------
    model : DeviceModel
        The device model.
    offsets : sequence of float
        Reference offsets δ (w units).
    drifts : sequence of float
        Drift rates (w units per epoch).
    epochs : int
        Epochs per run (counts).
    seeds : sequence of int
        Seeds.
    evaluations_per_epoch : int
        Evaluations per epoch (counts).

    Returns
    -------
    list of TrainConfig
        The offset runs, then the drift runs, each for every seed.
    """
    from ..train.config import TrainConfig
    from .pilot import DEFAULT_LR

    make = lambda seed, **kw: TrainConfig(model=model, lr=DEFAULT_LR, epochs=epochs, seed=seed,  # noqa: E731
                                          reference="symmetry_point",
                                          evaluations_per_epoch=evaluations_per_epoch, **kw)
    return ([make(s, reference_offset=float(d)) for d in offsets for s in seeds]
            + [make(s, drift_per_epoch=float(r)) for r in drifts for s in seeds])


def robustness_summary(full: pd.DataFrame, tolerance: float = 0.10) -> str:
    """One sentence on a robustness sweep (the frame :func:`robustness_table` writes): the range of
    reference offsets δ (w units) and the drift rates (w per epoch, from the slowest up) whose mean
    test accuracy over seeds stays within ``tolerance`` (accuracy, 0.10 = 10 points) of the well-set
    reference (δ = 0), with the data set, device, epochs and seeds it came from.

    Parameters
    ----------
    full : pandas.DataFrame
        The table of :func:`robustness_table`.
    tolerance : float
        Accuracy loss tolerated (fraction of accuracy).

    Returns
    -------
    str
        The sentence (δ in w units, drifts in w per epoch, accuracies in percent).

    Raises
    ------
    ValueError
        If the sweep has no well-set reference (δ = 0).
    """
    offsets = full[full.sweep == "offset"].groupby("value")["test_accuracy"].mean()
    drifts = full[full.sweep == "drift"].groupby("value")["test_accuracy"].mean()
    if 0.0 not in offsets.index:
        raise ValueError("the sweep has no well-set reference (δ = 0) to compare with")
    base = float(offsets.loc[0.0])
    ok = (offsets >= base - tolerance).to_numpy()
    i0 = int(np.flatnonzero(offsets.index == 0.0)[0])
    lo = hi = i0                      # the contiguous range of δ around 0 within the tolerance
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    while hi < len(ok) - 1 and ok[hi + 1]:
        hi += 1
    passing = (drifts.sort_index() >= base - tolerance).to_numpy()
    n_within = len(passing) if passing.all() else int(np.argmin(passing))   # from the slowest up
    within = drifts.sort_index().iloc[:n_within]
    drift_text = (f"a drift of up to {within.index.max():g} w per epoch stays within it"
                  if len(within) else f"even the slowest drift ({drifts.index.min():g} w per epoch) "
                                      f"costs more")
    n_seeds = full["seed"].nunique()
    below, above = offsets[offsets.index < 0], offsets[offsets.index > 0]
    sides = "; ".join(f"with the reference {name} the symmetry point (δ from {part.index.min():+.2f} to "
                      f"{part.index.max():+.2f}) it ranges from {part.min() * 100:.1f}% to "
                      f"{part.max() * 100:.1f}%" for name, part in (("below", below), ("above", above))
                      if len(part))
    return (f"In the full sweep ({full['data_set'].iloc[0]}; {full['device'].iloc[0]}; "
            f"{full['epochs'].iloc[0]} epochs; mean of {n_seeds} seeds) the well-set reference "
            f"reaches {base * 100:.1f}%; {sides}. The accuracy stays within "
            f"{tolerance * 100:.0f} points of the well-set reference for δ from "
            f"{offsets.index[lo] + 0.0:+.2f} to {offsets.index[hi] + 0.0:+.2f}, and {drift_text}.")


def robustness_table(results) -> pd.DataFrame:
    """One row per run of :func:`robustness_configs`: which sweep, its value, the seed, the final
    validation and test accuracy, and where it came from (data set, device, epochs).

    Parameters
    ----------
    results : sequence of RunResult
        The runs.

    Returns
    -------
    pandas.DataFrame
        ``sweep``, ``value`` (w units, or w units per epoch for drifts), ``seed``,
        ``val_accuracy`` and ``test_accuracy`` (fractions), ``data_set``, ``device``, ``epochs``.
    """
    from ..common.display import format_width

    rows = []
    for r in results:
        c = r.config
        kind, value = (("drift", c.drift_per_epoch) if c.drift_per_epoch
                       else ("offset", c.reference_offset))
        rows.append({"sweep": kind, "value": value, "seed": c.seed,
                     "val_accuracy": float(r.final["val_accuracy"]),
                     "test_accuracy": float(r.final["test_accuracy"]), "data_set": r.data_set,
                     "device": f"{format_width(c.model.width_s)} device ({c.model.source})",
                     "epochs": c.epochs})
    return pd.DataFrame(rows)


#: The full-resolution robustness sweep (``fetrain experiments robustness``), shipped
#: with fetrain: its table and provenance.
ROBUSTNESS_DIR = SHIPPED_DIR / "robustness"

#: the sweep's table (one row per run) and its record (provenance)
ROBUSTNESS_TABLE, ROBUSTNESS_RECORD = "robustness.csv", "robustness.json"


def load_robustness(folder: str | Path | None = None) -> tuple[pd.DataFrame, dict, Path]:
    """The full-resolution robustness sweep: the reader's own run if there is one, else fetrain's.

    Parameters
    ----------
    folder : str or Path, optional
        A folder written by ``fetrain experiments robustness``. Without it, the
        reader's ``results/robustness`` (see :func:`~fetrain.common.files.results_dir`) when it holds a finished sweep,
        else the copy shipped with fetrain (:data:`ROBUSTNESS_DIR`).

    Returns
    -------
    table : pandas.DataFrame
        One row per run, as :func:`robustness_table` writes it (accuracies as fractions; offsets
        in w units, drifts in w units per epoch).
    provenance : dict
        What the sweep was, its data set, device, epochs, seeds, command and code fingerprint.
    folder : Path
        The folder the sweep was read from.
    """
    if folder is None:
        own = results_dir() / "robustness"
        folder = own if (own / ROBUSTNESS_TABLE).is_file() else ROBUSTNESS_DIR
    folder = Path(folder)
    if not (folder / ROBUSTNESS_TABLE).is_file():
        raise FileNotFoundError(f"{folder} holds no robustness.csv: run "
                                "fetrain experiments robustness OUT first")
    try:
        provenance = storage.read_json(storage.check_file(folder / ROBUSTNESS_RECORD))
        table = storage.read_csv(folder / ROBUSTNESS_TABLE)
    except storage.DamagedFile as err:
        raise storage.DamagedFile(err.path, err.problem, "remake it with: fetrain experiments "
                                  f"robustness --out {folder}") from None
    return table, provenance, folder
