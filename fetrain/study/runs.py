"""What a set of training runs says: accuracy over seeds, where the weights went, and what each
epoch cost.

Plain functions of :class:`~fetrain.train.loop.RunResult` objects that return tidy tables (accuracies
as fractions, energies in J); the book's tables and figures display them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..train.loop import layer_summary


def final_accuracies(groups: dict) -> pd.DataFrame:
    """The final test and validation accuracy of every run, one row per run.

    Parameters
    ----------
    groups : dict of str to list of RunResult
        Runs by name (one per seed).

    Returns
    -------
    pandas.DataFrame
        ``run`` (the group's name), ``seed``, ``test accuracy`` and ``validation accuracy``
        (fractions, 0 … 1), in the order given.
    """
    rows = [{"run": name, "seed": r.config.seed, "test accuracy": float(r.final["test_accuracy"]),
             "validation accuracy": float(r.final["val_accuracy"])}
            for name, runs in groups.items() for r in runs]
    return pd.DataFrame(rows)


def layers_over_seeds(runs) -> pd.DataFrame:
    """Where the weights went, per layer, averaged over seeds: :func:`fetrain.train.loop.layer_summary`
    of each run, with the offset of the pulsed devices' median state from their median symmetry
    point.

    Parameters
    ----------
    runs : list of RunResult
        Runs of one configuration, one per seed.

    Returns
    -------
    pandas.DataFrame
        Indexed by layer: ``pulsed`` (devices, counts), ``median w (pulsed)``,
        ``median w* (pulsed)``, ``median w − median w*`` and ``balance point`` (w units),
        ``up fraction`` (dimensionless); means over the runs.
    """
    per_seed = pd.concat([layer_summary(r).assign(seed=r.config.seed) for r in runs])
    per_seed["median w − median w*"] = per_seed["median w (pulsed)"] - per_seed["median w* (pulsed)"]
    columns = ["pulsed", "median w (pulsed)", "median w* (pulsed)", "median w − median w*",
               "up fraction", "balance point"]
    return per_seed.groupby("layer", sort=False)[columns].mean()


def layers_per_seed(runs) -> pd.DataFrame:
    """:func:`fetrain.train.loop.layer_summary` of each run, one row per (seed, layer).

    Parameters
    ----------
    runs : list of RunResult
        Runs of one configuration, one per seed.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`~fetrain.train.loop.layer_summary` and ``seed``.
    """
    return pd.concat([layer_summary(r).assign(seed=r.config.seed) for r in runs],
                     ignore_index=True)


def epoch_costs(history: pd.DataFrame) -> pd.DataFrame:
    """What each epoch of a run fired and cost, from its history's evaluations at whole epochs.

    Parameters
    ----------
    history : pandas.DataFrame
        A run's history (cumulative pulses, energies in J).

    Returns
    -------
    pandas.DataFrame
        ``epoch``, ``test accuracy`` (fraction), ``pulses`` (counts), ``study energy (J)`` and
        ``complete energy (J)`` fired during the epoch that ends there.
    """
    at_epochs = history[history.epoch == np.floor(history.epoch)]
    return pd.DataFrame({
        "epoch": at_epochs["epoch"].to_numpy(),
        "test accuracy": at_epochs["test_accuracy"].to_numpy(),
        "pulses": at_epochs["pulses"].diff().to_numpy(),
        "study energy (J)": at_epochs["energy_study_J"].diff().to_numpy(),
        "complete energy (J)": at_epochs["energy_complete_J"].diff().to_numpy(),
    }).dropna().reset_index(drop=True)


def train_groups(groups: dict, data, cache_dir=None) -> dict:
    """Train named groups of configurations in one call of
    :func:`fetrain.train.store.train_cached` (so that what is missing trains side by side, and
    what a chapter already trained is read back from the run cache).

    Parameters
    ----------
    groups : dict of str to list of TrainConfig
        Configurations by name, one per seed.
    data : MNIST
        The data set.
    cache_dir : str or pathlib.Path, optional
        The run cache; None: the default one.

    Returns
    -------
    dict of str to list of RunResult
        The runs by name, in the order given.
    """
    from ..train.store import train_cached

    configs = [c for group in groups.values() for c in group]
    results = iter(train_cached(configs, data, cache_dir=cache_dir))
    return {name: [next(results) for _ in group] for name, group in groups.items()}


def accuracy_at_epoch(groups: dict, epoch: float = 1.0,
                      column: str = "test_accuracy") -> pd.Series:
    """Mean accuracy over seeds at one epoch of training, for each group of runs.

    Parameters
    ----------
    groups : dict of str to list of RunResult
        Runs by name, one per seed.
    epoch : float
        The epoch (evaluations at that epoch; NaN for a run that has none).
    column : str
        The history's accuracy column.

    Returns
    -------
    pandas.Series
        Accuracy (fraction) by group name, in the order given.
    """
    def at(history):
        hit = history.loc[np.isclose(history["epoch"], epoch), column]
        return float(hit.iloc[0]) if len(hit) else np.nan

    return pd.Series({name: float(np.mean([at(r.history) for r in runs]))
                      for name, runs in groups.items()}, name=column)


def pulses_per_epoch(runs) -> pd.Series:
    """Pulses fired in each epoch, all layers, mean over seeds.

    Parameters
    ----------
    runs : list of RunResult
        Runs of one configuration, one per seed.

    Returns
    -------
    pandas.Series
        Pulses (counts) fired during the epoch that ends at each index (epochs).
    """
    table = pd.concat([r.history.set_index("epoch")["pulses"] for r in runs], axis=1).mean(axis=1)
    return table[table.index == np.floor(table.index)].diff().dropna()
