"""The engine's numbers, bit for bit: the canonical runs of ``tests/engine_golden.py`` trained
again give the recorded SHA-256 of every array and the recorded ledger sums and counters."""

import json

import pytest
from engine_golden import CONFIG_SETS, GOLDEN_DIR, fingerprints


@pytest.mark.parametrize("name", sorted(CONFIG_SETS))
def test_rules_train_as_recorded(name):
    from fetrain.common.fingerprint import SAME_NUMBERS_AS, engine_fingerprint

    golden = json.loads((GOLDEN_DIR / name).read_text(encoding="utf-8"))
    # the engine that recorded the runs is the present one or one it claims to reproduce
    assert golden["engine"] in SAME_NUMBERS_AS + (engine_fingerprint(),)
    now = fingerprints(CONFIG_SETS[name]())
    assert set(now) == set(golden["runs"])
    for run, recorded in golden["runs"].items():
        for key, value in recorded.items():
            assert now[run].get(key) == value, f"{name}, {run}: {key} differs from the record"
