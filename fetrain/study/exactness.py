"""fetrain's engine checked against AIHWKit as Appendix A runs it: one update in both engines,
exactly (:func:`single_update_table`, live, AIHWKit called directly), and the book's statistical
cross-checks with AIHWKit's side read from the shipped results and fetrain's side trained live
(:func:`statistical_check`), on all their seeds or on their first few.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from . import crosscheck as cc

#: The book's statistical cross-checks (Appendix A.3 and A.4), in the order the page shows them.
STATISTICAL_CHECKS: tuple[str, ...] = ("plain", "shifting", "mixed_precision")

#: The references of the exact check: the naive one at 0, and each device's symmetry point.
EXACT_REFERENCES: tuple[str, ...] = ("naive", "symmetry_point")


def single_update(model, x, d, lr: float, reference: str = "naive",
                  device_variation: bool = False) -> dict:
    """One rank-one pulse update of a one-layer network in fetrain's engine and in an AIHWKit
    ``AnalogTile`` from the same weights, without cycle-to-cycle noise.

    With ``x`` in {0, 1}, ``d`` in {−1, +1} and ``lr`` = k·dw_min (k ≤ 31 an integer), every bit
    probability of the stochastic pulse trains is 1 and the bit length is k: both engines fire
    k pulses on every active device, deterministically, and must end with the same weights.

    Parameters
    ----------
    model : DeviceModel
        The device model (its step table; its noise is left off).
    x : sequence of float
        The layer's input, one value per column (dimensionless).
    d : sequence of float
        The error at the layer's output, one value per row (dimensionless).
    lr : float
        Learning rate (w units per unit of x·d).
    reference : str
        ``"naive"`` (reference at 0) or ``"symmetry_point"`` (each device's reference at its
        symmetry point; AIHWKit's device range is shifted by the model's symmetry point, the same
        when devices do not vary).
    device_variation : bool
        Draw fetrain's device-to-device variation (AIHWKit's tile has none): the engines then
        differ.

    Returns
    -------
    dict
        ``reference``; ``largest weight change`` (w units: how far the update moved a weight in
        AIHWKit) and ``largest difference`` (w units: the largest gap between the two engines'
        weights after it).

    Raises
    ------
    ValueError
        If ``x`` or ``d`` is empty or not one-dimensional, or ``reference`` is neither.
    """
    import torch
    from aihwkit.simulator.tiles import AnalogTile

    from ..bridge.configs import rpu_config
    from ..train.config import TrainConfig
    from ..train.engine import Engine

    x = np.asarray(x, dtype=np.float32)
    d = np.asarray(d, dtype=np.float32)
    if x.ndim != 1 or d.ndim != 1 or not x.size or not d.size:
        raise ValueError(f"x and d must be non-empty vectors; got shapes {x.shape} and {d.shape}")
    if reference not in EXACT_REFERENCES:
        raise ValueError(f"reference must be one of {EXACT_REFERENCES}; got {reference!r}")
    config = TrainConfig(model=model, lr=lr, epochs=1, cycle_noise=False,
                         device_variation=device_variation, reference=reference)
    ours = Engine([config], sizes=(x.size, d.size))
    w0 = torch.tensor(ours.layers[0].effective()[0])
    ours.pulse_update(0, x[None, :], d[None, :])
    rpu = rpu_config(model, noise=False)
    if reference == "symmetry_point":
        rpu.device.w_min = -1.0 - model.symmetry_point
        rpu.device.w_max = 1.0 - model.symmetry_point
    tile = AnalogTile(d.size, x.size, rpu)
    tile.set_weights(w0.clone())
    tile.set_learning_rate(lr)
    tile.update(torch.tensor(x[None, :]), torch.tensor(d[None, :]))
    theirs = tile.get_weights()[0].numpy()
    return {"reference": reference,
            "largest weight change": float(np.abs(theirs - w0.numpy()).max()),
            "largest difference": float(np.abs(ours.layers[0].effective()[0] - theirs).max())}


def single_update_table(model, x, d, lr: float, references=EXACT_REFERENCES,
                        device_variation: bool = False) -> pd.DataFrame:
    """:func:`single_update` for each reference.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    x, d : sequence of float
        The layer's input and output error (dimensionless).
    lr : float
        Learning rate (w units per unit of x·d).
    references : sequence of str
        The references to check.
    device_variation : bool
        Draw fetrain's device-to-device variation.

    Returns
    -------
    pandas.DataFrame
        One row per reference: ``reference``, ``largest weight change`` and ``largest
        difference`` (w units).
    """
    return pd.DataFrame([single_update(model, x, d, lr, reference, device_variation)
                         for reference in references])


# ---- the statistical checks: AIHWKit shipped, fetrain live --------------------------------------


def book_check(name: str, n_seeds: int | None = None):
    """One of the book's cross-checks, on all its seeds or on its first ``n_seeds``.

    Parameters
    ----------
    name : str
        A name of :data:`fetrain.study.crosscheck.CROSS_CHECKS`.
    n_seeds : int, optional
        Keep the first ``n_seeds`` seeds (counts, ≥ 1); None: all of them, as shipped.

    Returns
    -------
    CrossCheck
        The check.

    Raises
    ------
    ValueError
        If the name is unknown or ``n_seeds`` is not an integer ≥ 1.
    """
    check = cc.get_check(name)
    if n_seeds is None:
        return check
    if not (isinstance(n_seeds, int) and n_seeds >= 1):
        raise ValueError(f"n_seeds must be an integer ≥ 1 or None (all); got {n_seeds!r}")
    return replace(check, seeds=check.seeds[:n_seeds])


def shipped_curves(check, folder=None) -> tuple[pd.DataFrame, dict]:
    """AIHWKit's shipped curves of a book's check, kept to the seeds of ``check``.

    The files are those of the book's check of the same name
    (:func:`fetrain.study.crosscheck.load_crosscheck`: refused if made with other settings,
    a warning if made by other code); ``check`` may hold fewer of its seeds
    (:func:`book_check`), but must otherwise be the same.

    Parameters
    ----------
    check : str or CrossCheck
        The check, or a name of :data:`~fetrain.study.crosscheck.CROSS_CHECKS`.
    folder : str or pathlib.Path, optional
        Where the files are; None: the results shipped with fetrain.

    Returns
    -------
    curves : pandas.DataFrame
        AIHWKit's curves of the check's seeds (``engine``, ``seed``, ``epoch``, ``samples``,
        ``val_accuracy``, ``test_accuracy``; accuracies as fractions).
    record : dict
        The shipped record (provenance: command, fingerprints, versions, seconds).

    Raises
    ------
    ValueError
        If ``check`` differs from the book's check in more than its seeds, or holds seeds that
        the book's check does not.
    """
    check = cc.get_check(check)
    book = cc.get_check(check.name)
    if replace(check, seeds=book.seeds) != book:
        raise ValueError(f"the check {check.name!r} differs from the book's in more than its "
                         "seeds: its AIHWKit side is not shipped; train it with "
                         "fetrain.study.crosscheck.aihwkit_side")
    extra = sorted(set(check.seeds) - set(book.seeds))
    if extra:
        raise ValueError(f"seeds {extra} of the check {check.name!r} are not shipped (the book's "
                         f"seeds are {list(book.seeds)})")
    curves, record = cc.load_crosscheck(book, folder)
    curves = curves[curves["seed"].isin(check.seeds)].reset_index(drop=True)
    return curves, record


@dataclass(frozen=True, eq=False)
class StatisticalCheck:
    """One statistical cross-check as the page computes it.

    Attributes
    ----------
    check : CrossCheck
        The check (its seeds are those tested).
    runs : list of RunResult
        fetrain's runs, trained live (through the run cache), one per seed.
    paired : pandas.DataFrame
        Both engines' curves, seed by seed (:func:`fetrain.study.crosscheck.paired_curves`).
    summary : pandas.DataFrame
        The one-row test (:func:`fetrain.study.crosscheck.agreement`; accuracies as fractions).
    record : dict
        The shipped record of AIHWKit's side.
    """

    check: object
    runs: list
    paired: pd.DataFrame
    summary: pd.DataFrame
    record: dict


def statistical_check(name: str, n_seeds: int | None = None, cache_dir=None
                      ) -> StatisticalCheck:
    """A book's cross-check: AIHWKit's shipped curves (:func:`shipped_curves`), fetrain's side
    trained live (:func:`fetrain.study.crosscheck.fetrain_side`) and the test between them
    (:func:`fetrain.study.crosscheck.check_agreement`), on the check's first ``n_seeds``.

    Parameters
    ----------
    name : str
        A name of :data:`fetrain.study.crosscheck.CROSS_CHECKS` with several seeds.
    n_seeds : int, optional
        The first ``n_seeds`` seeds (counts, ≥ 2); None: all, as shipped.
    cache_dir : str or pathlib.Path, optional
        The run cache; None: its default.

    Returns
    -------
    StatisticalCheck
        The check, fetrain's runs, the paired curves, the test and the shipped record.
    """
    check = book_check(name, n_seeds)
    curves, record = shipped_curves(check)
    runs = cc.fetrain_side(check, cache_dir=cache_dir)
    paired, summary = cc.check_agreement(check, runs, curves)
    return StatisticalCheck(check=check, runs=runs, paired=paired, summary=summary, record=record)


def pairing_complete(check, paired: pd.DataFrame) -> bool:
    """Whether paired curves hold both engines for every seed of a check, each with one
    evaluation before training and ``evaluations_per_epoch`` per epoch, at the same epochs.

    Parameters
    ----------
    check : str or CrossCheck
        The check (a name of :data:`~fetrain.study.crosscheck.CROSS_CHECKS`, or a check).
    paired : pandas.DataFrame
        Its paired curves (:func:`fetrain.study.crosscheck.paired_curves`).

    Returns
    -------
    bool
        Whether the pairing is complete.
    """
    check = cc.get_check(check)
    expected = check.epochs * check.evaluations_per_epoch + 1
    counts = paired.groupby(["engine", "seed"]).size()
    if set(counts.index) != {(e, s) for e in ("fetrain", "AIHWKit") for s in check.seeds}:
        return False
    per_point = paired.groupby(["seed", "epoch"])["engine"].nunique()
    return bool((counts == expected).all() and (per_point == 2).all()
                and len(per_point) == expected * len(check.seeds))


def start_difference(paired: pd.DataFrame) -> float:
    """The largest difference between two engines' test accuracies before training, over the
    seeds (fraction of accuracy): the same seed gives both the same initial weights.

    Parameters
    ----------
    paired : pandas.DataFrame
        Paired curves (:func:`fetrain.study.crosscheck.paired_curves`).

    Returns
    -------
    float
        max over seeds of |fetrain − AIHWKit| at epoch 0 (fraction, 0 … 1).
    """
    start = paired[paired["epoch"] == 0]
    by_seed = start.pivot(index="seed", columns="engine", values="test_accuracy")
    return float((by_seed["fetrain"] - by_seed["AIHWKit"]).abs().max())
