"""Symmetry point shifting over a long life: what a reference programmed once does as the
devices age, and how often to program it again.

The devices age by the assumed step drift of :mod:`fetrain.device.aging`, at the cycles a
training gives its devices (the ledger's mean per device). After k trainings a reference that
was programmed when the chip was new sits at the fresh symmetry point; the aged devices'
symmetry point has moved. :func:`aging_groups` builds, for each age, symmetry point shifting
with the stale reference (the fresh w*, an offset of w*_fresh − w*_aged on every reference) and
with references programmed again at the aged w*; :func:`aging_table` reads their accuracies,
:func:`recalibration_interval` the oldest age at which the stale reference still costs less
than a stated accuracy, and :func:`recalibration_cost` the energy of programming again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..device.aging import StepDrift, aged

#: The two ways of running symmetry point shifting on an aged chip.
VARIANTS = {"stale": "reference programmed when new",
            "recalibrated": "reference programmed again at the aged w*"}


@dataclass(frozen=True)
class AgingStudy:
    """Which ages the recalibration study trains at, and how a training ages a device.

    Attributes
    ----------
    drift : StepDrift
        The assumed drift of the up/down step ratio.
    trainings : tuple of float
        Ages in trainings (counts), ascending, the first 0 (the new chip).
    cycles_per_training : float
        Bipolar cycles one training gives a device (counts, > 0): half the ledger's mean
        pulses per device.
    """

    drift: StepDrift
    trainings: tuple
    cycles_per_training: float

    def __post_init__(self) -> None:
        t = [float(k) for k in self.trainings]
        if not t or t[0] != 0 or any(b <= a for a, b in zip(t, t[1:])):
            raise ValueError(f"trainings must be ascending and start at 0 (the new chip); got "
                             f"{self.trainings}")
        if not self.cycles_per_training > 0:
            raise ValueError(f"cycles_per_training must be > 0; got {self.cycles_per_training!r}")

    def cycles(self, trainings: float) -> float:
        """Cycles a device has seen after ``trainings`` trainings (counts)."""
        return float(trainings) * self.cycles_per_training

    def device(self, model, trainings: float):
        """The device model after ``trainings`` trainings (:func:`fetrain.device.aging.aged`)."""
        return aged(model, self.cycles(trainings), self.drift)

    def shifts(self, model) -> pd.DataFrame:
        """Per age: trainings, cycles, the step-ratio factor and the symmetry point's shift
        w*_aged − w*_fresh (w units; the mean device model's)."""
        fresh = model.symmetry_point
        rows = []
        for k in self.trainings:
            c = self.cycles(k)
            rows.append({"trainings": float(k), "cycles": c,
                         "factor": float(self.drift.factor(c)),
                         "shift": self.device(model, k).symmetry_point - fresh})
        return pd.DataFrame(rows)


def aging_groups(study: AgingStudy, model, configs) -> dict:
    """The configurations of the study: per age and variant, symmetry point shifting on the aged
    device (keys ``(trainings, variant)``; at age 0 only ``recalibrated``, the two being one).

    Parameters
    ----------
    study : AgingStudy
        The ages and the drift.
    model : DeviceModel
        The fresh device model.
    configs : callable
        ``configs(model, **fields)`` → one configuration per seed (a chapter's
        :meth:`fetrain.book.kit.TrainingSetup.configs` with its learning rate bound).

    Returns
    -------
    dict of tuple to list of TrainConfig
    """
    shifts = study.shifts(model).set_index("trainings")["shift"]
    groups = {}
    for k in study.trainings:
        device = study.device(model, k)
        groups[(float(k), "recalibrated")] = configs(device, reference="symmetry_point")
        if k:
            groups[(float(k), "stale")] = configs(device, reference="symmetry_point",
                                                  reference_offset=-float(shifts[float(k)]))
    return groups


def aging_table(study: AgingStudy, model, results: dict) -> pd.DataFrame:
    """Accuracy of each age and variant: mean, min and max over seeds of the final validation and
    test accuracy (fractions), with the age's cycles and symmetry point shift.

    Parameters
    ----------
    study : AgingStudy
        The study.
    model : DeviceModel
        The fresh device model.
    results : dict of tuple to list of RunResult
        The trained groups of :func:`aging_groups`.

    Returns
    -------
    pandas.DataFrame
        ``trainings``, ``variant``, ``cycles``, ``shift`` (w units), ``val``, ``val_min``,
        ``val_max``, ``test`` (fractions), ``seeds``.
    """
    shifts = study.shifts(model).set_index("trainings")
    rows = []
    for (k, variant), runs in results.items():
        val = np.array([r.final["val_accuracy"] for r in runs], dtype=float)
        test = np.array([r.final["test_accuracy"] for r in runs], dtype=float)
        rows.append({"trainings": k, "variant": variant, "cycles": shifts.loc[k, "cycles"],
                     "shift": shifts.loc[k, "shift"], "val": val.mean(), "val_min": val.min(),
                     "val_max": val.max(), "test": test.mean(), "seeds": len(runs)})
    return pd.DataFrame(rows).sort_values(["trainings", "variant"]).reset_index(drop=True)


def paired_losses(results: dict) -> pd.DataFrame:
    """Per age and seed, the validation accuracy the stale reference lost against the reference
    programmed again (same seed: same initial weights and sample order; fraction, positive = a
    loss).

    Parameters
    ----------
    results : dict of tuple to list of RunResult
        The trained groups of :func:`aging_groups`.

    Returns
    -------
    pandas.DataFrame
        ``trainings``, ``seed``, ``loss`` (fraction).
    """
    rows = []
    for (k, variant), runs in results.items():
        if variant != "stale":
            continue
        fresh = {r.config.seed: r for r in results[(k, "recalibrated")]}
        for r in runs:
            rows.append({"trainings": k, "seed": r.config.seed,
                         "loss": float(fresh[r.config.seed].final["val_accuracy"]
                                       - r.final["val_accuracy"])})
    return pd.DataFrame(rows, columns=["trainings", "seed", "loss"])


def recalibration_interval(table: pd.DataFrame, tolerance: float) -> float:
    """The oldest age (trainings) up to which the stale reference's mean validation accuracy
    stays within ``tolerance`` of the recalibrated one at every age of the study: recalibrate at
    least that often. The study's oldest age when it never falls out (a lower bound then).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`aging_table`.
    tolerance : float
        Accepted loss of validation accuracy (fraction, > 0).

    Returns
    -------
    float
        Trainings (counts).
    """
    if not tolerance > 0:
        raise ValueError(f"tolerance must be > 0 (a fraction of accuracy); got {tolerance!r}")
    wide = table.pivot(index="trainings", columns="variant", values="val")
    ok = 0.0
    for k, row in wide.sort_index().iterrows():
        if k == 0:
            continue
        if row["recalibrated"] - row["stale"] > tolerance:
            break
        ok = float(k)
    return ok


def recalibration_cost(model, n_synapses: int) -> dict:
    """What programming every reference again costs a chip: energy (J, complete form) and
    pulses per synapse (counts), from :func:`fetrain.device.pulsing.reference_programming`.

    Parameters
    ----------
    model : DeviceModel
        The (aged) device model.
    n_synapses : int
        Synapses of the network (counts).

    Returns
    -------
    dict
        ``energy_J`` (J), ``pulses_per_synapse`` (counts).
    """
    from ..device.pulsing import reference_programming
    from .plan import REFERENCE_TOLERANCE

    r = reference_programming(model, REFERENCE_TOLERANCE)
    return {"energy_J": n_synapses * r["complete_J"], "pulses_per_synapse": r["pulses"]}


def settled_points(study: AgingStudy, model, pulses: int = 10_000) -> pd.DataFrame:
    """Where ``pulses`` alternating pulses settle the mean device model and each of its
    per-device models at every age of the study
    (:func:`fetrain.device.aging.symmetry_point_after`).

    Parameters
    ----------
    study : AgingStudy
        The study.
    model : DeviceModel
        The fresh device model.
    pulses : int
        Alternating pulses (counts).

    Returns
    -------
    pandas.DataFrame
        ``trainings``, ``cycles`` (counts), ``device`` (label), ``w_star`` (w units).
    """
    from ..device.aging import symmetry_point_after

    devices = {"mean model": model, **{name: m for name, m in
                                       zip(model.device_names, model.device_models)}}
    rows = []
    for k in study.trainings:
        c = study.cycles(k)
        for label, m in devices.items():
            rows.append({"trainings": float(k), "cycles": c, "device": label,
                         "w_star": symmetry_point_after(m, c, study.drift, pulses)})
    return pd.DataFrame(rows)


def interval_text(table: pd.DataFrame, interval: float, tolerance: float,
                  losses: pd.DataFrame | None = None) -> str:
    """A sentence on what the study found: how long the stale reference stays within the
    tolerance, and the recommended interval.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`aging_table`.
    interval : float
        :func:`recalibration_interval` (trainings).
    tolerance : float
        The tolerance (fraction).
    losses : pandas.DataFrame, optional
        :func:`paired_losses`, to show each age's range over seeds.

    Returns
    -------
    str
    """
    ages = sorted(float(k) for k in table["trainings"].unique() if k > 0)
    wide = table.pivot(index="trainings", columns="variant", values="val")
    loss = {k: (wide.loc[k, "recalibrated"] - wide.loc[k, "stale"]) * 100 for k in ages}
    spread = {}
    if losses is not None and len(losses):
        g = losses.groupby("trainings")["loss"]
        spread = {k: f" [{g.min()[k] * 100:+.1f} … {g.max()[k] * 100:+.1f}]" for k in ages}
    shown = ", ".join(f"{k:,.0f}: {v:+.1f}{spread.get(k, '')}" for k, v in loss.items())
    head = (f"The stale reference's loss of validation accuracy against the recalibrated one, "
            f"mean over seeds{' [range]' if spread else ''} (points, by age in trainings), is "
            f"{shown}. ")
    pts = tolerance * 100
    if interval == 0:
        return head + (f"It costs more than {pts:g} points already at {ages[0]:,.0f} "
                       f"trainings: recalibrate more often than that.")
    if interval == ages[-1]:
        return head + (f"It stays within {pts:g} points up to the oldest age studied: "
                       f"recalibrating every {interval:,.0f} trainings suffices (a lower bound "
                       f"on the interval).")
    return head + (f"It stays within {pts:g} points up to {interval:,.0f} trainings and not "
                   f"beyond: recalibrate every {interval:,.0f} trainings.")
