"""The transfer algorithms at work (Chapter 8): what their fast and slow arrays do over training,
and the rules in words.

:func:`array_traces` trains configurations side by side and, at regular points, records per layer
the state of each rule's fast array (where its devices sit, what a read of them gives), of the
slow array that holds the weights (their mean, spread and the share of devices at a bound) and of
the digital buffer — the picture that shows why a transfer algorithm learns on a device, or why it
does not. Plain tables: states in w units, accuracies as fractions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def describe_rule(rule) -> str:
    """A transfer rule in words: its fast update, transfer and, where it has them, choppers.

    Parameters
    ----------
    rule : TransferRule
        The rule (:mod:`fetrain.train.transfer`).

    Returns
    -------
    str
        One line.
    """
    parts = [f"{rule.label}: fast array pulsed at lr {rule.fast_lr:g} (bit length "
             f"{rule.fast_bl}), its devices {'at their symmetry points' if rule.fast_reference == 'symmetry_point' else 'read against zero'}",
             f"{rule.n_reads} column(s) read every {rule.transfer_every} sample(s)",
             f"buffer unit {rule.buffer_granularity:g} dw_min, at most {rule.transfer_bl} "
             f"pulse(s) per write"]
    if hasattr(rule, "in_chop_prob"):
        how = "random" if rule.in_chop_random else "regular"
        parts.append(f"choppers: {rule.in_chop_prob:g} ({how})")
    return "; ".join(parts)


def array_traces(configs: list, data, points_per_epoch: int = 4,
                 workers: int | None = None) -> pd.DataFrame:
    """Train ``configs`` side by side and trace their arrays: at ``points_per_epoch`` points of
    every epoch (and before training), per configuration and layer, the fast array's mean state
    and mean read, the slow array's mean weight, spread and share of devices within 1% of a
    bound, the buffer's mean magnitude, and the validation accuracy.

    Parameters
    ----------
    configs : list of TrainConfig
        Configurations with device models and transfer rules (a fast array), equal epochs.
    data : MNIST
        The data set.
    points_per_epoch : int
        Points per epoch (counts, ≥ 1).
    workers : int, optional
        Threads (counts); None: the cores.

    Returns
    -------
    pandas.DataFrame
        One row per configuration, point and layer: ``config`` (index), ``rule`` (label),
        ``seed``, ``epoch`` (fractional), ``layer`` (``L1`` …), ``fast_state`` and
        ``fast_read`` (w units), ``slow_mean`` and ``slow_spread`` (w units, of w − ref),
        ``slow_at_bound`` (fraction), ``buffer_abs`` (buffer units) and ``val_accuracy``
        (fraction).
    """
    from ..train.config import data_order
    from ..train.engine import Engine

    epochs = {c.epochs for c in configs}
    if not all(c.model is not None and "fast" in c.algorithm.ledgers for c in configs):
        raise ValueError("array_traces needs configurations with device models and transfer "
                         "rules (a fast array)")
    if len(epochs) != 1:
        raise ValueError(f"the configurations need the same epochs; got {sorted(epochs)}")
    n = len(data.train)
    engine = Engine(configs, samples_per_epoch=n, workers=workers)
    xs, ys = data.train.x.numpy(), data.train.y.numpy()
    val_x, val_y = data.validation.x.numpy(), data.validation.y.numpy()
    marks = sorted({int(round(n * (k + 1) / points_per_epoch)) for k in range(points_per_epoch)})
    rows = []

    def record(epoch: float) -> None:
        acc = engine.evaluate(val_x, val_y)
        for li, layer in enumerate(engine.layers):
            fast_w = layer.rule_view("fast_dev", 0)
            fast_read = layer.rule_view("fast_weff")
            buffer = layer.rule_view("buffer")
            slow = layer.effective()
            lo, hi = np.asarray(layer.lo), np.asarray(layer.hi)
            w = np.asarray(layer.w)
            margin = 0.01 * (hi - lo)
            at_bound = (w <= lo + margin) | (w >= hi - margin)
            for c, cfg in enumerate(configs):
                rows.append({
                    "config": c, "rule": cfg.algorithm.label, "seed": cfg.seed, "epoch": epoch,
                    "layer": f"L{li + 1}",
                    "fast_state": float(np.mean(fast_w[c])),
                    "fast_read": float(np.mean(fast_read[c])),
                    "slow_mean": float(slow[c].mean()), "slow_spread": float(slow[c].std()),
                    "slow_at_bound": float(at_bound[c].mean()),
                    "buffer_abs": float(np.mean(np.abs(buffer[c]))),
                    "val_accuracy": float(acc[c])})

    record(0.0)
    for epoch in range(next(iter(epochs))):
        orders = np.stack([data_order(cfg.seed, n, epoch) for cfg in configs])
        done = 0
        for mark in marks:
            engine.train(xs, ys, orders, done, mark)
            done = mark
            record(epoch + mark / n)
    return pd.DataFrame(rows)


#: The families of strategies Chapter 8 compares: how each answers the device's asymmetry
FAMILIES: dict[str, str] = {"sgd": "none (plain SGD)", "sps": "reference at w*",
                            "sps-global": "reference at w*", "mp": "mixed precision",
                            "ttv2": "transfer", "c-ttv2": "transfer", "agad": "transfer"}


def family_winners(summary: pd.DataFrame, column: str = "total_to_target_J") -> pd.DataFrame:
    """Where each family wins: per width, the cheapest strategy of every family to the target
    (mean over seeds, all seeds reaching it), the cheapest overall, and the best transfer
    algorithm's energy over the best other family's with its bootstrap interval over seeds
    (:func:`fetrain.study.confidence.ratio_interval`).

    Parameters
    ----------
    summary : pandas.DataFrame
        Per-run rows of :func:`fetrain.study.tradeoff.summary` (one scheme; ``width_s``,
        ``strategy``, ``seed``, ``column``), the transfer strategies' and the others'.
    column : str
        The energy compared (J).

    Returns
    -------
    pandas.DataFrame
        One row per width: ``width_s`` (s), per family the cheapest strategy (``best_<family>``)
        and its energy (``<family>_J``, NaN when none of its strategies reaches the target with
        every seed), ``winner`` and ``winner_family``, and ``transfer_over_best_other`` with
        ``low`` and ``high`` (dimensionless; inf where only the transfer side misses).
    """
    from .confidence import ratio_interval

    rows = []
    families = list(dict.fromkeys(FAMILIES.values()))
    for width, g in summary.groupby("width_s"):
        per = {}
        for strategy, runs in g.groupby("strategy"):
            values = runs[column].to_numpy(dtype=float)
            per[strategy] = values
        row = {"width_s": float(width)}
        best = {}
        for family in families:
            members = {s: v for s, v in per.items() if FAMILIES.get(s) == family}
            means = {s: (float(np.mean(v)) if np.all(np.isfinite(v)) else np.nan)
                     for s, v in members.items()}
            finite = {s: m for s, m in means.items() if np.isfinite(m)}
            pick = min(finite, key=finite.get) if finite else (next(iter(members), None))
            best[family] = pick
            row[f"best_{family}"] = pick
            row[f"{family}_J"] = finite.get(pick, np.nan) if pick else np.nan
        reached = {f: row[f"{f}_J"] for f in families if np.isfinite(row[f"{f}_J"])}
        row["winner_family"] = min(reached, key=reached.get) if reached else None
        row["winner"] = best[row["winner_family"]] if reached else None
        others = {f: v for f, v in reached.items() if f != "transfer"}
        t = best.get("transfer")
        if t is not None and others:
            rival = best[min(others, key=others.get)]
            r = ratio_interval(per[t], per[rival])
            row.update(transfer_over_best_other=r["ratio"], low=r["low"], high=r["high"],
                       rival=rival)
        else:
            row.update(transfer_over_best_other=np.nan, low=np.nan, high=np.nan, rival=None)
        rows.append(row)
    return pd.DataFrame(rows)


def arrays_table(groups: dict) -> pd.DataFrame:
    """Where each group's pulses went: per group (means over seeds), the final test accuracy,
    the pulses on the weights' (slow) array and on the fast array, the columns read and the
    writes the buffer released (0 and NaN-free for rules without a fast array).

    Parameters
    ----------
    groups : dict of str to list of RunResult
        Runs by name, one per seed, with device models.

    Returns
    -------
    pandas.DataFrame
        ``algorithm``, ``test accuracy`` (fraction), ``pulses, weights' array`` and ``pulses,
        fast array`` (counts), ``columns read`` and ``buffer writes`` (counts).
    """
    rows = []
    for name, runs in groups.items():
        final = pd.DataFrame([r.final for r in runs])
        fast = final["pulses_fast"] if "pulses_fast" in final else 0.0 * final["pulses"]
        rows.append({"algorithm": name, "test accuracy": final["test_accuracy"].mean(),
                     "pulses, weights' array": (final["pulses"] - fast).mean(),
                     "pulses, fast array": fast.mean(),
                     "columns read": final.get("transfer_reads", 0.0 * fast).mean(),
                     "buffer writes": final.get("buffer_rewrites", 0.0 * fast).mean()})
    return pd.DataFrame(rows)


def combined_summary(study: pd.DataFrame, transfers: pd.DataFrame, scheme: str) -> pd.DataFrame:
    """The per-run rows of two sweeps under one scheme, for one comparison: the study's
    strategies from ``study`` and the transfer algorithms from ``transfers`` (a strategy in both
    is taken from ``transfers``).

    Parameters
    ----------
    study, transfers : pandas.DataFrame
        Per-run summaries (:func:`fetrain.study.tradeoff.summary`), J.
    scheme : str
        The scheme kept.

    Returns
    -------
    pandas.DataFrame
        The rows of both under ``scheme``.

    Raises
    ------
    ValueError
        If the two were made for different targets or widths.
    """
    a = study[study["scheme"] == scheme]
    b = transfers[transfers["scheme"] == scheme]
    if set(a["target"]) != set(b["target"]):
        raise ValueError(f"the sweeps have different targets: {sorted(set(a['target']))} and "
                         f"{sorted(set(b['target']))}")
    if set(a["width_s"]) != set(b["width_s"]):
        raise ValueError("the sweeps have different widths")
    a = a[~a["strategy"].isin(set(b["strategy"]))]
    return pd.concat([a, b], ignore_index=True)


def winners_text(winners: pd.DataFrame) -> str:
    """Section 8.5's finding in words: at which widths a transfer algorithm is the cheapest,
    and, elsewhere, how far the best one is from the winner.

    Parameters
    ----------
    winners : pandas.DataFrame
        :func:`family_winners`.

    Returns
    -------
    str
    """
    from ..common.display import format_width
    from .plan import STRATEGIES

    def label(s):
        return STRATEGIES[s].label if s in STRATEGIES else str(s)

    won = winners[winners["winner_family"] == "transfer"]
    lost = winners[(winners["winner_family"] != "transfer") & winners["winner"].notna()]
    parts = []
    if len(won):
        parts.append("A transfer algorithm is the cheapest way to the target at "
                     + ", ".join(f"{format_width(r.width_s)} ({label(r.winner)}, "
                                 f"{r.transfer_over_best_other:.2f}× the best other family, "
                                 f"interval {r.low:.2f}–{r.high:.2f})"
                                 for r in won.itertuples()) + ".")
    else:
        parts.append("No transfer algorithm is the cheapest way to the target at any width.")
    if len(lost):
        bits = []
        for r in lost.itertuples():
            if np.isfinite(r.transfer_over_best_other):
                bits.append(f"{format_width(r.width_s)}: {label(r.winner)} wins; the best "
                            f"transfer algorithm needs {r.transfer_over_best_other:.2f}× its "
                            f"energy (interval {r.low:.2f}–{r.high:.2f})")
            else:
                bits.append(f"{format_width(r.width_s)}: {label(r.winner)} wins; no transfer "
                            "algorithm reaches the target with every seed")
        parts.append("Elsewhere — " + "; ".join(bits) + ".")
    return " ".join(parts)


def family_map(study_curves: pd.DataFrame, transfer_curves: pd.DataFrame, scheme: str,
               targets=(0.7, 0.8, 0.85, 0.9)) -> pd.DataFrame:
    """:func:`family_winners` at several targets, from two sweeps' energy-against-target
    curves (``energy_curves.csv``: one row per run and target, validation-judged).

    Parameters
    ----------
    study_curves, transfer_curves : pandas.DataFrame
        The curves of the study's sweep and of the transfer algorithms' (J).
    scheme : str
        The scheme compared.
    targets : sequence of float
        Target accuracies (fractions), each in both tables.

    Returns
    -------
    pandas.DataFrame
        :func:`family_winners`' rows with ``target`` (fraction).

    Raises
    ------
    ValueError
        If a target is missing from either table.
    """
    parts = []
    for target in targets:
        a = study_curves[np.isclose(study_curves["target"], target)]
        b = transfer_curves[np.isclose(transfer_curves["target"], target)]
        if a.empty or b.empty:
            raise ValueError(f"target {target:g} is not in both sweeps' curves")
        parts.append(family_winners(combined_summary(a, b, scheme)).assign(target=float(target)))
    return pd.concat(parts, ignore_index=True)


def transfer_read_share(model, rule, setting: str = "low") -> float:
    """What a transfer rule's reads of its fast array add to the read path's energy per sample,
    as a fraction of the forward and backward passes' (:mod:`fetrain.study.readpath`): columns
    read per sample ``n_reads / transfer_every`` per layer, each of its layer's outputs.

    Parameters
    ----------
    model : DeviceModel
        The device (conductance in S).
    rule : TransferRule
        The rule.
    setting : str
        A read-path setting (:data:`fetrain.study.readpath.READ_PATH_MODELS`).

    Returns
    -------
    float
        The fraction (dimensionless).
    """
    from ..train.config import LAYER_SIZES
    from .readpath import per_sample, transfer_reads

    per = rule.n_reads / rule.transfer_every
    outs = LAYER_SIZES[1:]
    reads = per * len(outs)
    cells = per * sum(outs)
    passes = per_sample(model, setting, rule.random_bits_per_line())["total"]
    return float(transfer_reads(model, setting, reads, cells)) / passes
