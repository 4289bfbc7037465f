"""Wear per training from the pulse ledger: each device's consumed life, its distribution over
the chip, and trainings per chip lifetime.

A training run's ledger holds every device's up and down pulses at the width's amplitudes; a
wear law (:mod:`fetrain.device.wear`) prices one pulse in life. :func:`device_life` gives each
device's consumed life, :func:`ledger_wear` its distribution per array and layer (mean, 99.9th
percentile, maximum — the busiest device ends the chip), :func:`result_wear` does it for a
trained run: the weights' devices, a rule's further arrays (a transfer rule's fast array),
and the one-off programming of references that symmetry point shifting and Tiki-Taka v2 with
its fast array at the symmetry points need (counted per training, as the energy ledger counts
it). :func:`lifetime` turns a sweep's wear into trainings per chip lifetime, per run and law.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..device.wear import WEAR_MODELS, pulse_life

#: The quantile of devices reported beside the maximum (a chip with spare rows for 0.1% of its
#: devices lives until its 99.9th-percentile device fails).
QUANTILE = 0.999

#: Columns of a wear table (:func:`ledger_wear`), after the run's keys.
WEAR_COLUMNS = ["array", "layer", "law", "devices", "mean", "p999", "max", "reference",
                "pulses_mean", "pulses_p999", "pulses_max"]

#: The reference arrays programmed before training, named in wear tables.
REFERENCES = "references"


def device_life(up, down, life_up: float, life_down: float) -> np.ndarray:
    """Each device's consumed life: n_up·a_up + n_down·a_down (Miner's rule; fractions).

    Parameters
    ----------
    up, down : array of int
        Up and down pulses per device (counts), ≥ 0, same shape.
    life_up, life_down : float
        Life one up / one down pulse spends (fractions, ≥ 0; :func:`fetrain.device.wear.pulse_life`).

    Returns
    -------
    numpy.ndarray
        Consumed life per device (fractions; 1 = failed), shaped like ``up``.

    Raises
    ------
    ValueError
        If the shapes differ or a count or life is negative.
    """
    up, down = np.asarray(up, dtype=float), np.asarray(down, dtype=float)
    if up.shape != down.shape:
        raise ValueError(f"up and down pulse counts must have the same shape; got {up.shape} "
                         f"and {down.shape}")
    if np.any(up < 0) or np.any(down < 0):
        raise ValueError("pulse counts must be ≥ 0")
    if life_up < 0 or life_down < 0:
        raise ValueError(f"life per pulse must be ≥ 0; got {life_up!r}, {life_down!r}")
    return up * life_up + down * life_down


def _row(array: str, layer: str, law: str, life: np.ndarray, pulses: np.ndarray,
         reference: float) -> dict:
    return {"array": array, "layer": layer, "law": law, "devices": int(life.size),
            "mean": float(life.mean()), "p999": float(np.quantile(life, QUANTILE)),
            "max": float(life.max()), "reference": reference,
            "pulses_mean": float(pulses.mean()),
            "pulses_p999": float(np.quantile(pulses, QUANTILE)), "pulses_max": float(pulses.max())}


def ledger_wear(arrays: dict, model, laws=None, programmed: dict | None = None) -> pd.DataFrame:
    """The distribution of consumed life over a chip's devices, per array and layer and over
    the whole chip, under each wear law.

    Parameters
    ----------
    arrays : dict of str to list of tuple of array of int
        Per array name (``weights``, ``fast``, …), per layer, (up, down) pulses per device
        (counts).
    model : DeviceModel
        The device model whose width and amplitudes the pulses had.
    laws : dict of str to law, optional
        Wear laws by name; None: :data:`fetrain.device.wear.WEAR_MODELS`.
    programmed : dict of str to float, optional
        Per array name, up and down pulses each of its devices got (each, counts) when its
        references were programmed before training; the copies onto the reference devices
        themselves form the array :data:`REFERENCES`. None: no programming.

    Returns
    -------
    pandas.DataFrame
        :data:`WEAR_COLUMNS`: per ``array`` and ``layer`` (``L1``…, and ``all``; array ``all``:
        every device of the chip), ``law``; ``devices`` (counts); ``mean``, ``p999`` and ``max``
        consumed life per training (fractions), of which ``reference`` was the programming
        (fractions per device); training pulses per device ``pulses_*`` (counts, up + down).
    """
    laws = WEAR_MODELS if laws is None else laws
    programmed = dict(programmed or {})
    arrays = dict(arrays)
    if programmed:
        first = next(iter(arrays.values()))
        copies = sum(programmed.values())
        arrays[REFERENCES] = [(np.zeros(up.shape, np.int64),) * 2 for up, _ in first]
        programmed[REFERENCES] = copies
    rows = []
    for law_name, law in laws.items():
        a_up, a_down = pulse_life(model, law)
        chip_life, chip_pulses = [], []
        for name, layers in arrays.items():
            extra = programmed.get(name, 0.0)
            ref = extra * (a_up + a_down)
            lives, pulses = [], []
            for li, (up, down) in enumerate(layers):
                life = device_life(up, down, a_up, a_down).ravel() + ref
                n = (np.asarray(up, dtype=float) + np.asarray(down, dtype=float)).ravel()
                rows.append(_row(name, f"L{li + 1}", law_name, life, n, ref))
                lives.append(life)
                pulses.append(n)
            rows.append(_row(name, "all", law_name, np.concatenate(lives),
                             np.concatenate(pulses), ref))
            chip_life += lives
            chip_pulses += pulses
        rows.append(_row("all", "all", law_name, np.concatenate(chip_life),
                         np.concatenate(chip_pulses), np.nan))
    return pd.DataFrame(rows, columns=WEAR_COLUMNS)


def programming_pulses(config) -> dict:
    """Up and down pulses (each) that one programming of a configuration's references gives
    every device it settles: symmetry point shifting's weights, Tiki-Taka v2's fast array at
    its symmetry points (:func:`fetrain.device.pulsing.reference_programming`: alternate pulses
    until a pair moves the device by less than 1% of dw_min, from w = −1; the copy onto the
    reference device takes as many pulses again). Empty for a configuration that programs none.

    Parameters
    ----------
    config : TrainConfig
        The configuration (with a device model).

    Returns
    -------
    dict of str to float
        Array name (``weights``, or a rule's ledger) to pulses of each polarity (counts).
    """
    from ..device.pulsing import reference_programming
    from .plan import REFERENCE_TOLERANCE

    out = {}
    names = []
    if config.reference in ("symmetry_point", "global_symmetry_point"):
        names.append("weights")
    names += list(config.algorithm.ledgers[:config.algorithm.programmed_arrays()])
    if names:
        settle = reference_programming(config.model, REFERENCE_TOLERANCE)["pulses"] / 2
        out = {name: settle / 2 for name in names}
    return out


def result_wear(result, laws=None) -> pd.DataFrame:
    """The wear of one trained run (:func:`ledger_wear` of its ledger, its further arrays and its
    reference programming).

    Parameters
    ----------
    result : RunResult
        A trained run with a device model.
    laws : dict of str to law, optional
        Wear laws by name; None: :data:`fetrain.device.wear.WEAR_MODELS`.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`ledger_wear`.

    Raises
    ------
    ValueError
        If the run has no device model (the floating-point baseline).
    """
    config = result.config
    if config.model is None:
        raise ValueError("the floating-point baseline has no devices to wear")
    arrays = {"weights": result.pulse_counts, **result.array_counts}
    return ledger_wear(arrays, config.model, laws, programming_pulses(config))


def lifetime(summ: pd.DataFrame, wear: pd.DataFrame) -> pd.DataFrame:
    """Trainings per chip lifetime, per run and wear law: how many trainings to the target
    (and whole trainings of the run's length) the busiest device survives.

    A training to the target spends the reference programming and the share of the run's
    training wear that its pulses to the target are of the run's (the busiest device's share
    is taken to follow the chip's — an approximation: the devices' ranking may change over a run).

    Parameters
    ----------
    summ : pandas.DataFrame
        The runs' summary (:func:`fetrain.study.tradeoff.summary`: ``pulses_to_target``,
        ``pulses_final``, ``reached``, energies).
    wear : pandas.DataFrame
        The runs' wear (:data:`WEAR_COLUMNS` with the run keys), rows with array and layer
        ``all`` are used.

    Returns
    -------
    pandas.DataFrame
        The run keys, ``law``, ``reached``, ``max_per_training`` and ``p999_per_training``
        (consumed life of the busiest / 99.9th-percentile device per training to the target,
        fractions), ``trainings`` (to the target per lifetime, 1/max; NaN unless reached),
        ``trainings_p999`` (1/p999), ``trainings_run`` (whole runs per lifetime), and the
        summary's ``total_to_target_J`` (J).
    """
    from .tradeoff import RUN_KEYS

    chip = wear[(wear["array"] == "all") & (wear["layer"] == "all")]
    weights = wear[(wear["layer"] == "all") & (wear["array"] != "all")]
    ref = (weights.groupby(RUN_KEYS + ["law"])["reference"].max().rename("ref").reset_index())
    out = chip.merge(ref, on=RUN_KEYS + ["law"], how="left")
    keep = RUN_KEYS + ["reached", "pulses_to_target", "pulses_final", "total_to_target_J"]
    out = out.merge(summ[keep], on=RUN_KEYS, how="inner")
    share = (out["pulses_to_target"] / out["pulses_final"]).where(out["reached"])
    ref = out["ref"].fillna(0.0)
    out["max_per_training"] = share * (out["max"] - ref) + ref
    out["p999_per_training"] = share * (out["p999"] - ref) + ref
    out["trainings"] = 1.0 / out["max_per_training"]
    out["trainings_p999"] = 1.0 / out["p999_per_training"]
    out["trainings_run"] = 1.0 / out["max"]
    cols = RUN_KEYS + ["law", "reached", "max_per_training", "p999_per_training", "trainings",
                       "trainings_p999", "trainings_run", "total_to_target_J"]
    return out[cols].reset_index(drop=True)


def lifetime_summary(life: pd.DataFrame) -> pd.DataFrame:
    """Trainings per chip lifetime per configuration and wear law: mean, min and max over seeds
    (NaN unless every seed reached the target), with the energy to target.

    Parameters
    ----------
    life : pandas.DataFrame
        :func:`lifetime`.

    Returns
    -------
    pandas.DataFrame
        ``scheme``, ``width_s`` (s), ``strategy``, ``law``, ``reached`` (every seed),
        ``trainings``, ``trainings_min``, ``trainings_max``, ``trainings_p999``,
        ``trainings_run`` (counts), ``total_to_target_J`` (J, mean over seeds).
    """
    rows = []
    for key, g in life.groupby(["scheme", "width_s", "strategy", "law"], sort=True):
        row = dict(zip(["scheme", "width_s", "strategy", "law"], key))
        row["reached"] = bool(g["reached"].all())
        for col in ("trainings", "trainings_p999", "total_to_target_J"):
            v = g[col].to_numpy(dtype=float)
            row[col] = float(v.mean()) if row["reached"] else np.nan
        v = g["trainings"].to_numpy(dtype=float)
        row["trainings_min"] = float(v.min()) if row["reached"] else np.nan
        row["trainings_max"] = float(v.max()) if row["reached"] else np.nan
        row["trainings_run"] = float(g["trainings_run"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def winners(summ: pd.DataFrame, law: str) -> dict:
    """Under one wear law: the configuration cheapest in energy to the target and the one that
    survives the most trainings, among those whose every seed reached it, and, per strategy, its
    width cheapest in energy and its width with the most trainings.

    Parameters
    ----------
    summ : pandas.DataFrame
        :func:`lifetime_summary` (of one scheme).
    law : str
        The wear law's name.

    Returns
    -------
    dict
        ``energy`` and ``lifetime`` (rows as dicts: ``width_s``, ``strategy``, …), ``same``
        (whether they are one configuration), ``per_strategy`` (DataFrame: ``strategy``,
        ``energy_width_s``, ``lifetime_width_s`` in s, ``same``).
    """
    s = summ[(summ["law"] == law) & summ["reached"]]
    if s.empty:
        raise ValueError(f"no configuration reached the target under law {law!r}")
    e = s.loc[s["total_to_target_J"].idxmin()]
    t = s.loc[s["trainings"].idxmax()]
    rows = []
    for strategy, g in s.groupby("strategy", sort=False):
        ew = float(g.loc[g["total_to_target_J"].idxmin(), "width_s"])
        lw = float(g.loc[g["trainings"].idxmax(), "width_s"])
        rows.append({"strategy": strategy, "energy_width_s": ew, "lifetime_width_s": lw,
                     "same": ew == lw})
    return {"energy": e.to_dict(), "lifetime": t.to_dict(),
            "same": (e["width_s"], e["strategy"]) == (t["width_s"], t["strategy"]),
            "per_strategy": pd.DataFrame(rows)}


def busiest_layers(wear: pd.DataFrame) -> pd.DataFrame:
    """Per run and law, which array and layer holds the chip's busiest device, and the busiest
    device's life per training in each layer (fractions).

    Parameters
    ----------
    wear : pandas.DataFrame
        Wear tables with the run keys (rows per layer ``L1``…).

    Returns
    -------
    pandas.DataFrame
        One row per run key and law: ``array`` and ``layer`` of the maximum, ``max``.
    """
    from .tradeoff import RUN_KEYS

    per_layer = wear[(wear["layer"] != "all") & (wear["array"] != "all")]
    idx = per_layer.groupby(RUN_KEYS + ["law"])["max"].idxmax()
    return per_layer.loc[idx, RUN_KEYS + ["law", "array", "layer", "max"]].reset_index(drop=True)


def crossover_gamma(short: dict, long: dict) -> float:
    """The breakdown law's voltage acceleration γ (1/V) at which the busiest device of two
    configurations spends the same time-weighted life per training: below it the one at the
    higher amplitude spends less, above it more. An estimate: each busiest device's pulses are
    taken at its configuration's higher amplitude.

    Parameters
    ----------
    short, long : dict
        Per configuration: ``pulses`` (the busiest device's pulses per training, counts),
        ``width_s`` (s), ``amplitude_V`` (V).

    Returns
    -------
    float
        γ (1/V); NaN when the amplitudes are equal.
    """
    dv = short["amplitude_V"] - long["amplitude_V"]
    if dv == 0:
        return float("nan")
    ratio = (long["pulses"] * long["width_s"]) / (short["pulses"] * short["width_s"])
    return float(np.log(ratio) / dv)
