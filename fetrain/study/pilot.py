"""The validation pilot and what it fixed: the learning rate, the epochs and the target accuracy
(:data:`DEFAULT_LR`, :data:`DEFAULT_EPOCHS`, :data:`TARGET_ACCURACY`), chosen once on the
validation split by the rule :func:`choose_from_pilot`. The pilot's table ships with fetrain
(:func:`load_pilot`); :func:`validation_pilot` trains it again.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..common import storage
from ..common.files import SHIPPED_DIR

#: Chosen once, on the validation split, by the pilot (``fetrain/data/pilot``) with the rule
#: :func:`choose_from_pilot` — before any sweep, and never moved afterwards (Chapter 3).
DEFAULT_LR: float = 0.1


#: Epochs of every training run, chosen by the pilot with the same rule and at the same time.
DEFAULT_EPOCHS: int = 10


#: Target accuracy per data set, judged on its validation split: the embedded subset's from the
#: pilot; full MNIST's (``mnist`` fetched from the registry, ``full`` from IDX files) the study's 95%.
TARGET_ACCURACY: dict[str, float] = {"embedded": 0.70, "mnist": 0.95, "full": 0.95}


def choose_from_pilot(pilot: pd.DataFrame, smooth: int = 3, tolerance: float = 0.01,
                      target_step: float = 0.05) -> dict:
    """The rule that turns the validation pilot into the book's learning rate, epochs and target.

    Only validation accuracies of the analog runs on the default device are used (both references,
    all seeds; the test split is never looked at):

    1. **lr**: the rate with the highest mean validation accuracy over the last ``smooth`` epochs
       of the pilot (ties: the smaller rate);
    2. **epochs**: at that rate, the mean validation accuracy per epoch is smoothed with a
       ``smooth``-epoch running mean; the epochs are the first at which it comes within
       ``tolerance`` of its maximum over the pilot;
    3. **target** (embedded data): at that rate and epoch, the better reference's smoothed mean
       validation accuracy, rounded down to a multiple of ``target_step``.

    Parameters
    ----------
    pilot : pandas.DataFrame
        The pilot's table (``kind``, ``lr``, ``reference``, ``epoch``, ``val_accuracy``).
    smooth : int
        Epochs of the running mean (counts).
    tolerance : float
        Accuracy below the maximum that counts as reached (fraction).
    target_step : float
        Grid of the target accuracy (fraction).

    Returns
    -------
    dict
        ``lr`` (learning rate), ``epochs`` (counts), ``target_accuracy`` (fraction, 0 … 1), and
        the scores behind them (``lr_scores``, ``smoothed_curve``, ``reference_scores``:
        fractions).
    """
    analog = pilot[pilot["kind"] == "analog"]
    last = analog["epoch"].max()
    tail = analog[analog["epoch"] > last - smooth]
    by_lr = tail.groupby("lr")["val_accuracy"].mean()
    lr = float(by_lr[by_lr == by_lr.max()].index.min())
    at_lr = analog[analog["lr"] == lr]
    curve = at_lr.groupby("epoch")["val_accuracy"].mean()
    curve = curve[curve.index > 0].rolling(smooth, min_periods=smooth).mean().dropna()
    epochs = int(curve.index[np.argmax(curve.to_numpy() >= curve.max() - tolerance)])
    per_ref = (at_lr[at_lr["epoch"] > 0].groupby(["reference", "epoch"])["val_accuracy"].mean()
               .groupby(level=0).apply(lambda s: s.droplevel(0).rolling(smooth, min_periods=smooth)
                                       .mean().loc[epochs]))
    target = float(np.floor(per_ref.max() / target_step + 1e-9) * target_step)
    return {"lr": lr, "epochs": epochs, "target_accuracy": round(target, 4),
            "lr_scores": by_lr.to_dict(), "smoothed_curve": curve.to_dict(),
            "reference_scores": per_ref.to_dict()}


#: The folder of the validation pilot's results, shipped with fetrain.
PILOT_DIR = SHIPPED_DIR / "pilot"

#: the pilot's table (one row per run and evaluation) and its record (provenance)
PILOT_TABLE, PILOT_RECORD = "validation_pilot.csv", "validation_pilot.json"


def load_pilot(folder: str | Path | None = None) -> tuple[pd.DataFrame, dict]:
    """The validation pilot's table and provenance (``validation_pilot.csv`` and ``.json``).

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        The pilot's folder; None: the one shipped with fetrain.

    Returns
    -------
    table : pandas.DataFrame
        One row per run and evaluation (accuracies as fractions).
    meta : dict
        Provenance.

    Raises
    ------
    fetrain.common.storage.DamagedFile
        If a file is missing, does not match the folder's manifest or cannot be read (the message
        gives the command that remakes it).
    """
    folder = PILOT_DIR if folder is None else Path(folder)
    try:
        table = storage.read_csv(folder / PILOT_TABLE)
        meta = storage.read_json(storage.check_file(folder / PILOT_RECORD))
    except storage.DamagedFile as err:
        raise storage.DamagedFile(err.path, err.problem, "remake it with: fetrain experiments "
                                  f"pilot --out {folder}") from None
    return table, meta


def validation_pilot(model, data, lrs=(0.05, 0.1, 0.2, 0.4), epochs: int = 15, seeds=(0, 1, 2),
                     references=("naive", "symmetry_point"), progress: bool = False,
                     checkpoint_dir=None) -> pd.DataFrame:
    """The validation pilot that fixes the learning rate, the epochs and the target accuracy.

    Trains, side by side, the floating-point baseline and the analog engine on ``model`` with each
    reference, for every learning rate and seed, evaluating on the *validation* split once per
    epoch (the test split is recorded but never used for a choice). Returns one row per
    (kind, reference, lr, seed, epoch) with ``val_accuracy`` and ``test_accuracy``. With
    ``checkpoint_dir`` the runs are checkpointed after every epoch and a rerun resumes
    (:func:`fetrain.train.loop.train`).

    Parameters
    ----------
    model : DeviceModel
        The device model of the analog runs.
    data : MNIST
        The data set.
    lrs : sequence of float
        Learning rates.
    epochs : int
        Epochs per run (counts).
    seeds : sequence of int
        Seeds.
    references : sequence of str
        References of the analog runs.
    progress : bool
        Show a progress bar.
    checkpoint_dir : str or pathlib.Path, optional
        Checkpoint folder.

    Returns
    -------
    pandas.DataFrame
        ``kind``, ``reference``, ``lr``, ``seed``, ``epoch`` and ``val_accuracy``,
        ``test_accuracy`` (fractions, 0 … 1).
    """
    from ..train.config import TrainConfig
    from ..train.loop import train

    configs, keys = [], []
    for lr in lrs:
        for seed in seeds:
            configs.append(TrainConfig(model=None, lr=lr, epochs=epochs, seed=seed,
                                       evaluations_per_epoch=1))
            keys.append(("float", "none", lr, seed))
            for ref in references:
                configs.append(TrainConfig(model=model, lr=lr, epochs=epochs, seed=seed,
                                           reference=ref, evaluations_per_epoch=1))
                keys.append(("analog", ref, lr, seed))
    results = train(configs, data, progress=progress, checkpoint_dir=checkpoint_dir)
    rows = []
    for (kind, ref, lr, seed), res in zip(keys, results):
        for _, h in res.history.iterrows():
            rows.append({"kind": kind, "reference": ref, "lr": lr, "seed": seed,
                         "epoch": h["epoch"], "val_accuracy": h["val_accuracy"],
                         "test_accuracy": h["test_accuracy"]})
    return pd.DataFrame(rows)
