"""``fetrain bench``: training throughput of fetrain's engine against AIHWKit, in one run.

Both train the 784-256-128-10 network on the embedded MNIST subset with the 20 ns synthetic device
(its noise and device-to-device variation on), batch size 1, one tile per layer, perfect forward and
backward I/O, the same learning rate, for plain SGD (stochastic pulse trains) and for mixed
precision. AIHWKit's mixed precision is its own default ``MixedPrecisionCompound`` (stochastic
transfers of at most 31 pulses, its fast path), not the bridge's deterministic, uncapped transfer
(``fetrain.bridge.configs.mixed_precision_config``, which Appendix A uses for agreement and which is
slower).

Four rates per algorithm and round, measured one after the other and interleaved over ``--rounds``
rounds (warm-ups excluded):

* **per configuration** — fetrain with one configuration on one thread; AIHWKit with one network
  in a fresh process, with torch's default threads;
* **aggregate** — fetrain with ``--configs`` configurations side by side on all its threads;
  AIHWKit with one process per core (it gains nothing from a second thread), all timed at once
  after a common start, their rates added.

The table gives the median and range over the rounds of each rate and of the ratios fetrain /
AIHWKit (computed within a round); it is printed and written as CSV. Rates are only comparable
within one run on one machine.
"""

from __future__ import annotations

import time

import numpy as np


def _setup(algorithm: str, seed: int = 0):
    from ..device.build import build_device_model
    from ..device.loading import load_embedded
    from ..device.stack import DEFAULT_PULSE_WIDTH_S
    from ..train import data as fdata
    from ..train.config import TrainConfig
    from .pilot import DEFAULT_LR

    measurements = load_embedded()
    model = build_device_model(measurements.pulses, DEFAULT_PULSE_WIDTH_S,
                                           source=measurements.label)
    cfg = TrainConfig(model=model, lr=DEFAULT_LR, epochs=1, seed=seed, algorithm=algorithm)
    return cfg, fdata.load_embedded()


def _aihwkit_network(cfg):
    """AIHWKit's network for ``cfg``: the bridge's (pulse trains, the transfer algorithms); for
    mixed precision AIHWKit's default (stochastic) transfer on the same device and mapping."""
    from ..bridge.configs import mixed_precision_config
    from ..bridge.networks import analog_network, sigmoid_network
    from ..train.rules import MixedPrecision

    if not isinstance(cfg.algorithm, MixedPrecision):
        return analog_network(cfg)
    rpu = mixed_precision_config(cfg.model, deterministic_transfer=False)
    return sigmoid_network(rpu, cfg.seed)


def _aihwkit_rate(cfg, data, n_samples: int, warmup: int, barrier=None) -> float:
    import torch
    from aihwkit.optim import AnalogSGD

    net = _aihwkit_network(cfg)
    optimizer = AnalogSGD(net.parameters(), lr=cfg.lr)
    optimizer.regroup_param_groups(net)
    x, y = data.train.x, data.train.y

    def step(i: int) -> None:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x[i:i + 1]), y[i:i + 1])
        loss.backward()
        optimizer.step()

    for i in range(warmup):
        step(i % len(y))
    if barrier is not None:
        barrier.wait()
    start = time.perf_counter()
    for i in range(n_samples):
        step((warmup + i) % len(y))
    return n_samples / (time.perf_counter() - start)


def _aihwkit_process(algorithm, seed, n_samples, warmup, barrier, queue, one_thread) -> None:
    import torch

    if one_thread:
        torch.set_num_threads(1)
    cfg, data = _setup(algorithm, seed)
    queue.put(_aihwkit_rate(cfg, data, n_samples, warmup, barrier))


def _aihwkit_aggregate(algorithm: str, processes: int, n_samples: int, warmup: int) -> float:
    """Samples per second of ``processes`` fresh AIHWKit processes timed together (one thread
    each when there are several; torch's default threads when there is one)."""
    from multiprocessing import get_context

    ctx = get_context("spawn")
    barrier, queue = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=_aihwkit_process,
                         args=(algorithm, seed, n_samples, warmup, barrier, queue, processes > 1))
             for seed in range(processes)]
    for p in procs:
        p.start()
    rates = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    return float(sum(rates))


def _fetrain_rate(configs, data, n_samples: int, warmup: int, workers: int) -> float:
    """Configuration-samples per second of fetrain's engine."""
    from ..train.config import data_order
    from ..train.engine import Engine

    engine = Engine(configs, samples_per_epoch=len(data.train), workers=workers)
    xs, ys = data.train.x.numpy(), data.train.y.numpy()
    n = len(ys)
    orders = np.stack([np.resize(data_order(cfg.seed, n, 0), warmup + n_samples)
                       for cfg in configs])
    engine.train(xs, ys, orders, 0, warmup)
    start = time.perf_counter()
    engine.train(xs, ys, orders, warmup, warmup + n_samples)
    return len(configs) * n_samples / (time.perf_counter() - start)


def run(rounds: int = 3, n_samples: int = 1500, warmup: int = 200, configs: int = 15,
        processes: int | None = None, algorithms=("sgd", "mixed_precision", "ttv2"),
        progress: bool = False):
    """Measure the rates; returns (per-round table, summary table) as pandas DataFrames.

    Parameters
    ----------
    rounds : int
        Interleaved rounds (counts).
    n_samples : int
        Timed samples per measurement (counts).
    warmup : int
        Untimed warm-up samples (counts).
    configs : int
        fetrain configurations side by side for the aggregate (counts).
    processes : int, optional
        AIHWKit processes for the aggregate (counts); None: the cores.
    algorithms : sequence of str
        Rules measured, names of ``fetrain.train.rules.RULES``.
    progress : bool
        Show a progress bar over the measurements (four per algorithm and round).

    Returns
    -------
    table : pandas.DataFrame
        Per round and algorithm, the rates (samples per second; configuration-samples per
        second for fetrain's aggregate) and the ratios fetrain / AIHWKit (dimensionless).
    summary : pandas.DataFrame
        Per algorithm and quantity, ``median``, ``min`` and ``max`` over the rounds (the
        quantity's unit) and ``rounds`` (counts).
    """
    from dataclasses import replace

    import pandas as pd
    from tqdm.auto import tqdm

    from ..train.config import default_workers

    cores = default_workers() if processes is None else processes
    rows = []
    bar = tqdm(total=4 * rounds * len(algorithms), desc="bench", unit="measurement",
               disable=not progress)

    def measured(what: str, rate: float) -> float:
        bar.set_postfix_str(what)
        bar.update(1)
        return rate

    for r in range(rounds):
        for algorithm in algorithms:
            cfg, data = _setup(algorithm)
            aihw_one = measured(f"{algorithm}: AIHWKit, one network",
                                _aihwkit_aggregate(algorithm, 1, n_samples, warmup))
            ours_one = measured(f"{algorithm}: fetrain, one configuration",
                                _fetrain_rate([cfg], data, n_samples, warmup, workers=1))
            aihw_all = measured(f"{algorithm}: AIHWKit, {cores} processes",
                                _aihwkit_aggregate(algorithm, cores, n_samples, warmup))
            ours_all = measured(f"{algorithm}: fetrain, {configs} configurations",
                                _fetrain_rate([replace(cfg, seed=s) for s in range(configs)],
                                              data, max(n_samples // 3, 100),
                                              max(warmup // 3, 20), workers=cores))
            rows.append({"round": r + 1, "algorithm": algorithm,
                         "aihwkit_per_config": aihw_one, "fetrain_per_config": ours_one,
                         "ratio_per_config": ours_one / aihw_one,
                         f"aihwkit_aggregate_{cores}_processes": aihw_all,
                         f"fetrain_aggregate_{configs}_configs": ours_all,
                         "ratio_aggregate": ours_all / aihw_all})
    bar.close()
    table = pd.DataFrame(rows)
    value_cols = [c for c in table.columns if c not in ("round", "algorithm")]
    summary = []
    for algorithm, g in table.groupby("algorithm", sort=False):
        for col in value_cols:
            v = g[col].to_numpy()
            summary.append({"algorithm": algorithm, "quantity": col, "median": float(np.median(v)),
                            "min": float(v.min()), "max": float(v.max()), "rounds": len(v)})
    return table, pd.DataFrame(summary)
