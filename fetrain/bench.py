"""``python -m fetrain.bench``: training throughput of fetrain's engine against AIHWKit, in one run.

Both train the 784-256-128-10 network on the embedded MNIST subset with the 20 ns synthetic device
(its noise and device-to-device variation on), batch size 1, one tile per layer, perfect forward and
backward I/O, the same learning rate. A warm-up is excluded from the timing. fetrain runs one
configuration and then ``--configs`` configurations side by side (different seeds); AIHWKit trains
configurations one after another, so its aggregate throughput equals its single-configuration one.
Throughputs are ratios within one run on one machine: compare them, not their absolute values.
"""

from __future__ import annotations

import argparse
import time

import torch


def _aihwkit_rate(config, data, n_samples: int, warmup: int) -> float:
    from aihwkit.optim import AnalogSGD

    from .bridge import analog_network

    net = analog_network(config)
    optimizer = AnalogSGD(net.parameters(), lr=config.lr)
    optimizer.regroup_param_groups(net)
    x, y = data.train.x, data.train.y

    def step(i: int) -> None:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x[i:i + 1]), y[i:i + 1])
        loss.backward()
        optimizer.step()

    for i in range(warmup):
        step(i % len(y))
    start = time.perf_counter()
    for i in range(n_samples):
        step((warmup + i) % len(y))
    return n_samples / (time.perf_counter() - start)


def _fetrain_rate(configs, data, n_samples: int, warmup: int, device: str = "cpu",
                  profile: bool = False) -> tuple[float, str]:
    from .engine import Engine

    engine = Engine(configs, device=device)
    x, y = data.train.x.to(engine.device), data.train.y.to(engine.device)
    c = len(configs)
    offsets = torch.arange(c, device=engine.device) * 97     # each configuration its own sample

    def step(i: int) -> None:
        idx = (i + offsets) % len(y)
        engine.train_step(x[idx], y[idx])

    for i in range(warmup):
        step(i)
    report = ""
    if profile:
        from torch.profiler import ProfilerActivity, profile as torch_profile

        with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
            for i in range(min(n_samples, 300)):
                step(warmup + i)
        report = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15)
    start = time.perf_counter()
    for i in range(n_samples):
        step(warmup + i)
    if engine.device.type == "cuda":
        torch.cuda.synchronize()
    return n_samples / (time.perf_counter() - start), report


def run(n_samples: int = 1500, warmup: int = 200, configs: int = 15, device: str = "cpu",
        profile: bool = False) -> dict:
    """Measure and return the throughputs (samples per second)."""
    from . import data as fdata
    from . import devicemodel, io, training
    from .engine import TrainConfig
    from .physics import DEFAULT_PULSE_WIDTH_S

    measurements = io.load_embedded()
    model = devicemodel.build_device_model(measurements.pulses, DEFAULT_PULSE_WIDTH_S,
                                           source=measurements.label)
    mnist = fdata.load_embedded()
    make = lambda seed: TrainConfig(model=model, lr=training.DEFAULT_LR, epochs=1,  # noqa: E731
                                    seed=seed)
    aihwkit = _aihwkit_rate(make(0), mnist, n_samples, warmup)
    single, _ = _fetrain_rate([make(0)], mnist, n_samples, warmup, device)
    batched, report = _fetrain_rate([make(s) for s in range(configs)], mnist,
                                    max(n_samples // 3, 100), max(warmup // 3, 20), device, profile)
    return {"threads": torch.get_num_threads(), "device": device,
            "aihwkit_samples_per_s": aihwkit,
            "fetrain_samples_per_s": single,
            "fetrain_batched_steps_per_s": batched,
            "configs": configs,
            "fetrain_batched_config_samples_per_s": batched * configs,
            "ratio_single": single / aihwkit,
            "ratio_aggregate": batched * configs / aihwkit,
            "profile": report}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fetrain.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1500, help="timed samples (default 1500)")
    parser.add_argument("--warmup", type=int, default=200, help="untimed warm-up samples")
    parser.add_argument("--configs", type=int, default=15, help="configurations side by side")
    parser.add_argument("--device", default="cpu", help="torch device for fetrain (cpu, cuda)")
    parser.add_argument("--profile", action="store_true", help="print where fetrain's time goes")
    args = parser.parse_args(argv)
    r = run(args.samples, args.warmup, args.configs, args.device, args.profile)
    print(f"torch threads: {r['threads']}; fetrain device: {r['device']}")
    print(f"AIHWKit 1.1.0, one configuration:        {r['aihwkit_samples_per_s']:8.0f} samples/s "
          "(15 configurations one after another: the same aggregate)")
    print(f"fetrain, one configuration:              {r['fetrain_samples_per_s']:8.0f} samples/s "
          f"({r['ratio_single']:.2f}× AIHWKit)")
    print(f"fetrain, {r['configs']} configurations side by side: "
          f"{r['fetrain_batched_config_samples_per_s']:8.0f} configuration-samples/s "
          f"({r['ratio_aggregate']:.2f}× AIHWKit's aggregate)")
    if r["profile"]:
        print(r["profile"])


if __name__ == "__main__":
    main()
