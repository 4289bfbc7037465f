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


def wear_identity() -> dict:
    """What a run's wear table depends on besides its ledger: the wear laws' constants and the
    reported quantile (plain data, part of a sweep run's signature)."""
    return {"laws": {name: law.describe() for name, law in WEAR_MODELS.items()},
            "quantile": QUANTILE}


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
        Wear laws by name; None: :data:`fetrain.device.wear.WEAR_MODELS`. A model whose width
        or amplitudes are unknown gets NaN life (its pulse counts are still reported).
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
        try:
            a_up, a_down = pulse_life(model, law)
        except ValueError:                  # width or amplitudes unknown: no life, still pulses
            a_up = a_down = float("nan")
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
    its symmetry points (as :func:`fetrain.device.pulsing.reference_programming` counts them:
    alternate pulses until a pair moves the device by less than 1% of dw_min, from w = −1; the
    copy onto the reference device takes as many pulses again). Empty for a configuration that
    programs none.

    Parameters
    ----------
    config : TrainConfig
        The configuration (with a device model).

    Returns
    -------
    dict of str to float
        Array name (``weights``, or a rule's ledger) to pulses of each polarity (counts).
    """
    from ..device.steps import W_MIN
    from .plan import REFERENCE_TOLERANCE

    names = []
    if config.reference in ("symmetry_point", "global_symmetry_point"):
        names.append("weights")
    names += list(config.algorithm.ledgers[:config.algorithm.programmed_arrays()])
    if not names:
        return {}
    model = config.model
    _, after_pairs = model.symmetry_point_by_pulsing(start=W_MIN,
                                                     tol=REFERENCE_TOLERANCE * model.dw_min)
    pairs = float(len(after_pairs) - 1)          # up/down pairs until the device settled
    return {name: pairs for name in names}


def result_wear(result, laws=None) -> pd.DataFrame:
    """The wear of one trained run (:func:`fetrain.study.wear.ledger_wear` of its ledger, its
    further arrays and its reference programming).

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
    dict or None
        ``energy`` and ``lifetime`` (rows as dicts: ``width_s``, ``strategy``, …), ``same``
        (whether they are one configuration), ``per_strategy`` (DataFrame: ``strategy``,
        ``energy_width_s``, ``lifetime_width_s`` in s, ``same``); None when no configuration
        reached the target.
    """
    s = summ[(summ["law"] == law) & summ["reached"]]
    if s.empty:
        return None
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


def life_per_pulse_table(models: dict, laws=None) -> pd.DataFrame:
    """Life one set and one reset pulse spend at each width's amplitudes, per law.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Device models by width (s).
    laws : dict of str to law, optional
        Wear laws by name; None: :data:`fetrain.device.wear.WEAR_MODELS`.

    Returns
    -------
    pandas.DataFrame
        ``law``, ``width_s`` (s), ``life_set``, ``life_reset`` and ``life`` (the higher;
        fractions per pulse).
    """
    laws = WEAR_MODELS if laws is None else laws
    rows = []
    for name, law in laws.items():
        for width, model in sorted(models.items()):
            up, down = pulse_life(model, law)
            rows.append({"law": name, "width_s": float(width), "life_set": up,
                         "life_reset": down, "life": max(up, down)})
    return pd.DataFrame(rows)


def pulse_layers(results: dict) -> pd.DataFrame:
    """Pulses per device in each array and layer of one run per label: how uneven they are.

    Parameters
    ----------
    results : dict of str to RunResult
        One run per label.

    Returns
    -------
    pandas.DataFrame
        ``run``, ``array``, ``layer``, ``devices`` (counts), ``idle`` (share never pulsed,
        fraction), ``mean``, ``p999``, ``max`` (pulses per device, counts).
    """
    rows = []
    for label, result in results.items():
        arrays = {"weights": result.pulse_counts, **result.array_counts}
        for name, layers in arrays.items():
            for li, (up, down) in enumerate(layers):
                n = (np.asarray(up, dtype=float) + np.asarray(down, dtype=float)).ravel()
                rows.append({"run": label, "array": name, "layer": f"L{li + 1}",
                             "devices": n.size, "idle": float(np.mean(n == 0)),
                             "mean": float(n.mean()), "p999": float(np.quantile(n, QUANTILE)),
                             "max": float(n.max())})
    return pd.DataFrame(rows)


def busiest_devices(result) -> dict:
    """Where one run's busiest device is, and how uneven its first and last layers are.

    Parameters
    ----------
    result : RunResult
        A run.

    Returns
    -------
    dict
        ``layer`` (of the busiest device, ``L1``…), ``max_over_mean`` (its pulses over the
        chip's mean), ``l1_idle`` (share of the first layer's devices never pulsed, fraction),
        ``l1_mean`` and ``last_mean`` (mean pulses per device of the first and last layer).
    """
    totals = [np.asarray(up, dtype=float) + np.asarray(down, dtype=float)
              for up, down in result.pulse_counts]
    maxima = [t.max() for t in totals]
    chip_mean = np.concatenate([t.ravel() for t in totals]).mean()
    return {"layer": f"L{int(np.argmax(maxima)) + 1}",
            "max_over_mean": float(max(maxima) / chip_mean) if chip_mean else float("nan"),
            "l1_idle": float(np.mean(totals[0] == 0)), "l1_mean": float(totals[0].mean()),
            "last_mean": float(totals[-1].mean())}


def width_reading(summ: pd.DataFrame) -> dict:
    """Per wear law, a sentence: which width lasts longest for each strategy, and the shortest
    against the longest width for plain SGD.

    Parameters
    ----------
    summ : pandas.DataFrame
        :func:`lifetime_summary` of one scheme.

    Returns
    -------
    dict of str to str
    """
    from ..common.display import format_width

    out = {}
    for law, s in summ.groupby("law", sort=False):
        s = s[s["reached"]]
        best = {strategy: float(g.loc[g["trainings"].idxmax(), "width_s"])
                for strategy, g in s.groupby("strategy", sort=True)}
        by_width: dict = {}
        for strategy, width in best.items():
            by_width.setdefault(width, []).append(strategy)
        if len(by_width) == 1:
            line = f"every strategy lasts longest at {format_width(next(iter(by_width)))}."
        else:
            parts = "; ".join(f"at {format_width(w)}: {', '.join(names)}"
                              for w, names in sorted(by_width.items()))
            line = f"the strategies last longest {parts}."
        sgd = s[s["strategy"] == "sgd"].set_index("width_s")["trainings"]
        if len(sgd) >= 2:
            short, long_ = sgd.index.min(), sgd.index.max()
            line += (f" Plain SGD survives {sgd[short]:.3g} trainings at {format_width(short)} "
                     f"and {sgd[long_]:.3g} at {format_width(long_)}.")
        out[law] = line
    return out


def plain_sgd_crossover(summ_life: pd.DataFrame, wear_runs: pd.DataFrame, summ: pd.DataFrame,
                        models: dict, strategy: str = "sgd") -> float:
    """The breakdown acceleration γ (1/V) at which a strategy's shortest and longest widths
    spend the same life per training at their busiest device (:func:`crossover_gamma`, with the
    busiest device's pulses to the target: its run's pulses scaled by the share to the target,
    mean over seeds).

    Parameters
    ----------
    summ_life : pandas.DataFrame
        :func:`lifetime_summary` of one scheme (gives the scheme and widths).
    wear_runs : pandas.DataFrame
        The sweep's wear.
    summ : pandas.DataFrame
        The sweep's summary (:func:`fetrain.study.tradeoff.summary`).
    models : dict of float to DeviceModel
        The scheme's device models by width (s).
    strategy : str
        The strategy.

    Returns
    -------
    float
        γ (1/V); NaN where a width did not reach the target.
    """
    scheme = summ_life["scheme"].iloc[0]
    widths = sorted(summ_life["width_s"].unique())
    busiest = {}
    for width in (widths[0], widths[-1]):
        rows = wear_runs[(wear_runs.scheme == scheme) & (wear_runs.width_s == width)
                         & (wear_runs.strategy == strategy) & (wear_runs.array == "all")
                         & (wear_runs.layer == "all")].drop_duplicates("seed")
        runs = summ[(summ.scheme == scheme) & (summ.width_s == width)
                    & (summ.strategy == strategy)].set_index("seed")
        if not runs["reached"].all():
            return float("nan")
        share = runs["pulses_to_target"] / runs["pulses_final"]
        pulses = float(np.mean([r.pulses_max * share[r.seed] for r in rows.itertuples()]))
        m = models[width]
        busiest[width] = {"pulses": pulses, "width_s": float(width),
                          "amplitude_V": max(m.amplitude_set_V, m.amplitude_reset_V)}
    return crossover_gamma(busiest[widths[0]], busiest[widths[-1]])


def cycles_per_training(wear_runs: pd.DataFrame, width_s: float, scheme: str,
                        strategy: str) -> float:
    """Bipolar cycles one training of the sweep's length gives the average device of the
    weights' array: half its mean pulses, mean over seeds (counts).

    Parameters
    ----------
    wear_runs : pandas.DataFrame
        The sweep's wear.
    width_s : float
        Pulse width (s).
    scheme, strategy : str
        The configuration.

    Returns
    -------
    float
        Cycles per training (counts).

    Raises
    ------
    ValueError
        If the sweep holds no such run.
    """
    rows = wear_runs[(wear_runs.scheme == scheme) & np.isclose(wear_runs.width_s, width_s)
                     & (wear_runs.strategy == strategy) & (wear_runs.array == "weights")
                     & (wear_runs.layer == "all")].drop_duplicates("seed")
    if rows.empty:
        raise ValueError(f"the sweep holds no run of {strategy} at {width_s:g} s under {scheme}")
    return float(rows["pulses_mean"].mean() / 2)


def dark_inputs(result, x) -> dict:
    """How the first layer's idle devices relate to input pixels that are dark in every training
    image: a stochastic pulse train fires only where its input is non-zero.

    Parameters
    ----------
    result : RunResult
        A run.
    x : array of float
        The training images it saw, N × inputs (dimensionless, 0 … 1).

    Returns
    -------
    dict
        ``dark_pixels`` (counts), ``dark_idle`` (share of the dark pixels' devices never pulsed,
        fraction), ``idle_on_dark`` (share of the layer's never-pulsed devices whose pixel is
        dark, fraction).
    """
    up, down = result.pulse_counts[0]
    idle = (np.asarray(up) + np.asarray(down)) == 0            # out × in
    dark = ~np.any(np.asarray(x) > 0, axis=0)                  # per input
    dark_devices = np.broadcast_to(dark, idle.shape)
    return {"dark_pixels": int(dark.sum()),
            "dark_idle": float(idle[dark_devices].mean()) if dark.any() else float("nan"),
            "idle_on_dark": float(dark_devices[idle].mean()) if idle.any() else float("nan")}


def winner_label(row: dict) -> str:
    """A configuration as the prose names it: ``sgd at 200 ns (95 µJ)``.

    Parameters
    ----------
    row : dict
        A row of :func:`lifetime_summary` (``strategy``, ``width_s``, ``total_to_target_J``).

    Returns
    -------
    str
    """
    from ..common.display import format_width

    return (f"{row['strategy']} at {format_width(row['width_s'])} "
            f"({row['total_to_target_J'] * 1e6:,.0f} µJ)")


def field_range(models: dict) -> dict:
    """The lowest and highest programming field of a scheme's models, and their film thickness.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Device models by width (s).

    Returns
    -------
    dict
        ``field_low``, ``field_high`` (MV/cm), ``film_nm`` (nm; of the first model's stack).
    """
    from ..device.wear import MV_PER_CM

    fields = [m.stack.field(v) / MV_PER_CM for m in models.values()
              for v in (m.amplitude_set_V, m.amplitude_reset_V)]
    first = next(iter(models.values()))
    return {"field_low": float(min(fields)), "field_high": float(max(fields)),
            "film_nm": first.stack.thickness_m * 1e9}
