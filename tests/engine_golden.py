"""Canonical training runs whose numbers pin the engine down, bit for bit.

Every built-in rule, every reference, noise, variation, drift and the floating-point baseline
train a small network (784-12-10) on 240 digits of the embedded MNIST subset; the SHA-256 of every
array that training changes, the ledger's sums and the rule counters are recorded in
``tests/golden/engine.json`` together with the engine fingerprint of the code that made them.
``tests/test_engine_golden.py`` trains them again and compares: a change of code that keeps
these numbers keeps every result of the built-in rules, so results made by the recorded engine
stay valid (``tests/test_shipped.py`` accepts them). Regenerate with
``python tests/engine_golden.py --write FILE`` only when the numbers are meant to change — and then
remake every shipped result. The transfer algorithms' runs are in their own file, recorded by the
engine that introduced them.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
GOLDEN = GOLDEN_DIR / "engine.json"
SIZES = (784, 12, 10)
SAMPLES = 240


def configs():
    """The canonical configurations, by name."""
    from fetrain.device.build import build_device_model
    from fetrain.device.loading import load_embedded
    from fetrain.train.config import TrainConfig
    from fetrain.train.rules import MixedPrecision, PulseTrains

    pulses = load_embedded().pulses
    m20 = build_device_model(pulses, 20e-9, source="embedded")
    m2u = build_device_model(pulses, 2e-6, source="embedded")

    def cfg(model=m20, **kw):
        kw.setdefault("lr", 0.05)
        return TrainConfig(model=model, epochs=1, seed=kw.pop("seed", 3), **kw)

    return {
        "sgd-naive": cfg(),
        "sgd-2us-quiet": cfg(m2u, cycle_noise=False, device_variation=False),
        "sgd-bl1": cfg(algorithm=PulseTrains(desired_bl=1), lr=0.02),
        "sps-device": cfg(reference="symmetry_point", reference_offset=0.01),
        "sps-global": cfg(reference="global_symmetry_point", reference_start=0.5),
        "sgd-drift": cfg(drift_per_epoch=0.3),
        "mp-default": cfg(algorithm="mixed_precision", lr=0.1),
        "mp-capped": cfg(m2u, algorithm=MixedPrecision(threshold=2.0, transfer_every=3,
                                                       max_pulses=2), lr=0.1, seed=5),
        "float": TrainConfig(model=None, lr=0.05, epochs=1, seed=3),
    }


def transfer_configs():
    """The transfer algorithms' canonical configurations, by name (recorded later than the
    others, by the engine that introduced them: ``tests/golden/engine-transfer.json``)."""
    from fetrain.device.build import build_device_model
    from fetrain.device.loading import load_embedded
    from fetrain.train.config import TrainConfig
    from fetrain.train.rules import AGAD, ChoppedTTv2, TTv2

    pulses = load_embedded().pulses
    m20 = build_device_model(pulses, 20e-9, source="embedded")
    m2u = build_device_model(pulses, 2e-6, source="embedded")

    def cfg(model=m20, **kw):
        kw.setdefault("lr", 0.2)
        return TrainConfig(model=model, epochs=1, seed=kw.pop("seed", 3), **kw)

    return {
        "ttv2-zero": cfg(algorithm=TTv2(fast_lr=0.06, n_reads=4)),
        "ttv2-symmetry-gamma": cfg(algorithm=TTv2(fast_lr=0.06, n_reads=2, gamma=0.1,
                                                  fast_reference="symmetry_point",
                                                  transfer_every=2, transfer_bl=3)),
        "chopped-random": cfg(m2u, algorithm=ChoppedTTv2(fast_lr=0.06, n_reads=5,
                                                         in_chop_prob=0.3, out_chop_prob=0.1,
                                                         auto_scale=True)),
        "chopped-regular": cfg(algorithm=ChoppedTTv2(fast_lr=0.03, n_reads=3, in_chop_prob=0.5,
                                                     in_chop_random=False, momentum=0.2,
                                                     forget_buffer=False,
                                                     auto_granularity=500.0)),
        "agad": cfg(m2u, algorithm=AGAD(fast_lr=0.06, n_reads=6, in_chop_prob=0.5,
                                        tail_weightening=2.0), drift_per_epoch=0.2),
        "agad-random": cfg(algorithm=AGAD(fast_lr=0.06, n_reads=4, in_chop_prob=0.25,
                                          in_chop_random=True), reference="symmetry_point"),
    }


#: each record file and the configurations it holds
CONFIG_SETS = {"engine.json": configs, "engine-transfer.json": transfer_configs}


def fingerprints(named=None) -> dict:
    """Train every canonical configuration in one engine; the SHA-256 of what changed."""
    from fetrain.train import data as fdata
    from fetrain.train.config import data_order
    from fetrain.train.engine import Engine

    mnist = fdata.load_embedded()
    xs = mnist.train.x.reshape(len(mnist.train.y), -1).numpy()
    ys = mnist.train.y.numpy()
    named = configs() if named is None else named
    cfgs = list(named.values())
    eng = Engine(cfgs, sizes=SIZES, samples_per_epoch=SAMPLES, workers=1)
    orders = np.stack([data_order(c.seed, len(ys), 0)[:SAMPLES] for c in cfgs])
    eng.train(xs, ys, orders, 0, SAMPLES // 2)
    eng.train(xs, ys, orders, SAMPLES // 2, SAMPLES)
    arrays, meta = eng.state_arrays()
    out = {}
    for c, name in enumerate(named):
        record = {}
        for key in ("dev", "weff", "counts", "sums", "bias", "rule.chi", "rule.fast_dev",
                    "rule.fast_counts", "rule.fast_sums", "rule.buffer", "rule.in_chop",
                    "rule.out_chop", "rule.running_mean", "rule.past_mean", "rule.maxima"):
            if f"{key}_{c}" in arrays:
                a = np.ascontiguousarray(arrays[f"{key}_{c}"])
                record[key] = hashlib.sha256(a.tobytes()).hexdigest()[:16]
        record["snapshot"] = eng.snapshot(c)
        record["rng"] = hashlib.sha256(json.dumps(meta["rng"][c], sort_keys=True,
                                                  default=str).encode()).hexdigest()[:16]
        out[name] = record
    return out


def main(argv) -> int:
    """``--write FILE``: record the runs of one file of :data:`CONFIG_SETS`; else print all."""
    from fetrain.common.fingerprint import engine_fingerprint

    if len(argv) != 3 or argv[1] != "--write" or argv[2] not in CONFIG_SETS:
        print(json.dumps({f: fingerprints(make()) for f, make in CONFIG_SETS.items()}, indent=1))
        return 0
    path = GOLDEN_DIR / argv[2]
    path.write_text(json.dumps({"engine": engine_fingerprint(), "sizes": SIZES,
                                "samples": SAMPLES, "runs": fingerprints(CONFIG_SETS[argv[2]]())},
                               indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
