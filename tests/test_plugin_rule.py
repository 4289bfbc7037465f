"""A training rule defined here, outside the package, trains in fetrain's engine: it allocates
its own arrays, counts its own work, prices it, and its runs are histories and checkpoints like
any other — without a line of fetrain changed."""

from dataclasses import dataclass

import numpy as np
import pytest
from numba import njit

from fetrain.device.build import build_device_model
from fetrain.device.loading import load_embedded
from fetrain.train import data as fdata
from fetrain.train.config import TrainConfig
from fetrain.train.crossbar import fire
from fetrain.train.engine import Engine
from fetrain.train.loop import train
from fetrain.train.rulebase import RULES, Rule, register


@njit(nogil=True)
def _sign_kernel(x, d, off, n_in, n_out, layer, samples_seen, shift, bar, record):
    """One pulse against the gradient's sign wherever |lr·d_i·x_j| ≥ half a dw_min; the last
    sign per device is kept, and every decision counted."""
    lr, dw_min, noise_std, dev, weff, counts, tables, sums, rng_bits, rng_noise, si, sm = bar
    params, counters, last = record
    half = np.float32(params[0]) * dw_min
    for j in range(n_in):
        if x[j] == 0:
            continue
        for i in range(n_out):
            g = lr * d[i] * x[j]
            counters[0] += 1
            if abs(g) >= half:
                k = off + j * n_out + i
                last[k] = -1 if g > 0 else 1
                fire(k, g < 0, 1, dev, weff, counts, tables, sums, layer, noise_std,
                     rng_noise, shift)


@register
@dataclass(frozen=True)
class SignPulses(Rule):
    """One pulse per device and sample, in the direction against the gradient's sign."""

    fraction: float = 0.5

    name = "test_sign_pulses"
    label = "sign pulses"
    kernel = _sign_kernel
    counters = ("sign_decisions",)
    style = {"marker": "x"}

    def describe(self) -> dict:
        return {"algorithm": self.name, "sign_fraction": self.fraction}

    def params(self) -> np.ndarray:
        return np.array([self.fraction])

    def allocate(self, layout) -> dict:
        return {**super().allocate(layout),
                "last_sign": np.zeros(layout.n_devices, dtype=np.int8)}

    def digital_energy_J(self, counters: dict, costs=None) -> float:
        return 1e-15 * counters.get("sign_decisions", 0)


@pytest.fixture(scope="module")
def model():
    return build_device_model(load_embedded().pulses, 20e-9, source="embedded")


def test_a_rule_defined_outside_fetrain_trains(model, tmp_path):
    assert RULES["test_sign_pulses"] is SignPulses
    cfg = TrainConfig(model=model, lr=0.05, epochs=1, algorithm="test_sign_pulses",
                      evaluations_per_epoch=1)
    assert isinstance(cfg.algorithm, SignPulses)
    assert cfg.describe()["sign_fraction"] == 0.5
    mnist = fdata.load_embedded()
    small = mnist.subset(200)
    result, = train([cfg], small, checkpoint_dir=tmp_path / "ck")
    last = result.final
    # its counter is a column of its history, its digital energy priced by the rule
    assert last["sign_decisions"] > 0
    assert last["energy_digital_J"] == pytest.approx(1e-15 * last["sign_decisions"])
    # every pulse it fired is in the ledger, and in the devices' counts
    up, down = result.pulse_counts[0]
    assert last["pulses"] == sum(int(u.sum() + v.sum()) for u, v in result.pulse_counts) > 0
    assert last["pulses_up_L1"] == up.sum()
    # its own array is the engine's, by name, and travels with the checkpoint
    eng = Engine([cfg], sizes=(784, 256, 128, 10))
    assert eng.layers[0].rule_view("last_sign") is not None
    arrays, _ = eng.state_arrays()
    assert "rule.last_sign_0" in arrays and "rule.counters_0" in arrays


def test_a_rule_must_be_a_rule():
    class NotARule:
        name = "x"

    with pytest.raises(TypeError, match="subclass"):
        register(NotARule)
    with pytest.raises(ValueError, match="algorithm must be one of"):
        TrainConfig(model=None, lr=0.1, epochs=1, algorithm="no_such_rule")


def test_threads_that_need_a_new_loop_at_once_get_it(tmp_path):
    """Several threads of one engine ask for a rule's compiled loop before it exists (an empty
    cache folder): one builds it, the others wait for it, and all train."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import numpy as np
        from fetrain.device.build import build_device_model
        from fetrain.device.loading import load_embedded
        from fetrain.train.config import TrainConfig
        from fetrain.train.engine import Engine
        m = build_device_model(load_embedded().pulses, 20e-9, source="x")
        cfgs = [TrainConfig(model=m, lr=0.1, epochs=1, seed=s) for s in range(4)]
        e = Engine(cfgs, sizes=(784, 8, 10), samples_per_epoch=5, workers=4)
        xs = np.random.default_rng(0).random((5, 784)).astype(np.float32)
        e.train(xs, np.zeros(5, np.int64), np.tile(np.arange(5), (4, 1)), 0, 5)
        print(e.samples_seen)
    """)
    import os

    env = dict(os.environ, FETRAIN_CACHE=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "5"
    assert list((tmp_path / "compiled").glob("*/loop.py"))
