"""Symmetry point shifting (Chapter 4): where the weights sit against their references, the
coarse robustness sweep a page trains, and where the full sweep it is read beside came from.

Plain functions of settings and :class:`~fetrain.train.loop.RunResult` objects; accuracies are
fractions, states and offsets in w units, drifts in w units per epoch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: the command that makes the full-resolution robustness sweep
ROBUSTNESS_COMMAND = "fetrain experiments robustness"


@dataclass(frozen=True)
class RobustnessSweep:
    """The coarse robustness sweep a page trains beside the shipped full one.

    Attributes
    ----------
    offsets : tuple of float
        Reference offsets δ (w units), sorted; always includes 0, the well-set reference.
    drifts : tuple of float
        Drift rates of the symmetry point (w units per epoch).
    epochs : int
        Epochs of every run of the sweep.
    """

    offsets: tuple
    drifts: tuple
    epochs: int

    def describe(self, seeds=(0,)) -> str:
        """One line: the offsets, drifts, epochs and seeds of the sweep."""
        return (f"robustness sweep: offsets δ {', '.join(f'{d:+g}' for d in self.offsets)} w; "
                f"drifts {', '.join(f'{r:g}' for r in self.drifts)} w per epoch; "
                f"{self.epochs} epoch(s), seeds {tuple(seeds)}")


def robustness_sweep(scale, offsets=None) -> RobustnessSweep:
    """The robustness sweep of a page at its scale: the scale's offsets unless ``offsets`` are
    given, the scale's drift rates, and half the book's epochs at book scale (one at quick scale,
    all of them at paper scale).

    Parameters
    ----------
    scale : Scale
        The page's scale (:mod:`fetrain.common.scale`).
    offsets : sequence of float, optional
        Reference offsets δ (w units; must include 0); None: the scale's.

    Returns
    -------
    RobustnessSweep
        The sweep's settings.

    Raises
    ------
    ValueError
        If the offsets do not include 0.
    """
    from .pilot import DEFAULT_EPOCHS

    if offsets is None:
        offsets = scale.pick(quick=(-0.3, 0.0, 0.3), book=(-0.3, -0.15, 0.0, 0.15, 0.3),
                             paper=tuple(np.round(np.arange(-0.3, 0.301, 0.05), 2)))
    offsets = tuple(sorted(float(d) for d in offsets))
    if 0.0 not in offsets:
        raise ValueError(f"offsets must include 0.0, the well-set reference the sweep is read "
                         f"against; got {offsets}")
    return RobustnessSweep(
        offsets=offsets,
        drifts=scale.pick(quick=(0.1,), book=(0.03, 0.1), paper=(0.01, 0.02, 0.05, 0.1, 0.2)),
        epochs=scale.pick(quick=1, book=max(DEFAULT_EPOCHS // 2, 1), paper=DEFAULT_EPOCHS))


def robustness_sweep_configs(model, sweep: RobustnessSweep, lr: float, seeds=(0,),
                             device_variation: bool = True) -> list:
    """The runs of a :class:`RobustnessSweep`: :func:`fetrain.study.robustness.robustness_configs`
    at a page's learning rate and device-to-device variation.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    sweep : RobustnessSweep
        Offsets (w units), drifts (w units per epoch) and epochs.
    lr : float
        The learning rate.
    seeds : sequence of int
        Seeds of every setting.
    device_variation : bool
        Draw device-to-device variation.

    Returns
    -------
    list of TrainConfig
        The offset runs, then the drift runs, each for every seed.
    """
    from .robustness import robustness_configs

    return [dataclasses.replace(c, lr=lr, device_variation=device_variation)
            for c in robustness_configs(model, sweep.offsets, sweep.drifts, sweep.epochs,
                                        seeds=tuple(seeds))]


def sweep_means(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Mean final test accuracy over seeds per offset and per drift rate of a robustness sweep.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`fetrain.study.robustness.robustness_table` of the sweep's runs.

    Returns
    -------
    offsets : pandas.Series
        Test accuracy (fraction) indexed by the offset δ (w units), ascending.
    drifts : pandas.Series
        Test accuracy (fraction) indexed by the drift rate (w units per epoch), ascending.
    """
    means = table.groupby(["sweep", "value"])["test_accuracy"].mean()
    offsets = means.get("offset", pd.Series(dtype=float)).sort_index()
    drifts = means.get("drift", pd.Series(dtype=float)).sort_index()
    return offsets, drifts


def centring(groups: dict) -> pd.DataFrame:
    """Where the pulsed weights w − w_ref sit, per layer, and the layer's share of up pulses,
    averaged over seeds, for each group of runs.

    Parameters
    ----------
    groups : dict of str to list of RunResult
        Runs by name, one per seed.

    Returns
    -------
    pandas.DataFrame
        Indexed by layer (``L1`` …); two-level columns (group name, quantity):
        ``median w − w_ref (pulsed)`` (w units, the devices that received pulses) and
        ``up fraction`` (dimensionless), means over the group's seeds.
    """
    frames = {}
    for name, runs in groups.items():
        rows = []
        for r in runs:
            for li, (w, ref, (up, down)) in enumerate(zip(r.weights, r.references,
                                                          r.pulse_counts)):
                pulsed = (up + down) > 0
                n = up.sum() + down.sum()
                rows.append({"layer": f"L{li + 1}",
                             "median w − w_ref (pulsed)": (float(np.median((w - ref)[pulsed]))
                                                           if pulsed.any() else np.nan),
                             "up fraction": float(up.sum() / n) if n else np.nan})
        frames[name] = pd.DataFrame(rows).groupby("layer").mean()
    return pd.concat(frames, axis=1)


def reference_errors(runs, model=None) -> float:
    """The largest distance of any reference from where shifting should have put it: each
    device's own symmetry point, or, with ``model``, the model's one symmetry point.

    Parameters
    ----------
    runs : list of RunResult
        Runs with symmetry point shifting.
    model : DeviceModel, optional
        The device model of a global shift; None: each device's own symmetry point.

    Returns
    -------
    float
        The largest absolute difference (w units).
    """
    errors = [np.max(np.abs(np.asarray(ref) - (model.symmetry_point if model is not None
                                                else np.asarray(sp))))
              for r in runs for ref, sp in zip(r.references, r.symmetry_points)]
    return float(max(errors))


def sweep_provenance(record: dict, folder: Path) -> str:
    """Where a full robustness sweep came from, as the page's prose says it: the copy shipped
    with fetrain (its command and the fingerprint of the engine that made it, against this
    code's) or the reader's own run.

    Parameters
    ----------
    record : dict
        The sweep's provenance (``robustness.json``); every field is optional.
    folder : Path
        The folder it was read from.

    Returns
    -------
    str
        A phrase, e.g. "the copy shipped with fetrain, made by `fetrain experiments robustness`
        with the engine of this page (fingerprint …)".
    """
    from ..common.fingerprint import engine_fingerprint, same_numbers
    from .robustness import ROBUSTNESS_DIR

    if Path(folder).resolve() != Path(ROBUSTNESS_DIR).resolve():
        return f"the reader's own run in `{Path(folder).name}`"
    made = record.get("command") or ROBUSTNESS_COMMAND
    command = (f"`{made}`" if made == ROBUSTNESS_COMMAND
               else f"`{made}` (now `{ROBUSTNESS_COMMAND}`)")
    engine, code = record.get("engine"), record.get("code")
    if engine and engine == engine_fingerprint():
        by = f"the engine of this page (fingerprint {engine})"
    elif engine and same_numbers(engine):
        by = (f"an earlier engine (fingerprint {engine}) whose numbers this page's engine "
              f"({engine_fingerprint()}) reproduces bit for bit")
    elif engine:
        by = (f"an earlier engine (fingerprint {engine}; this page's is "
              f"{engine_fingerprint()})")
    elif code:
        by = f"fetrain code {code} (no engine fingerprint recorded)"
    else:
        by = "an unrecorded version of fetrain"
    return f"the copy shipped with fetrain, made by {command} with {by}"
