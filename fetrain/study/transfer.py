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
