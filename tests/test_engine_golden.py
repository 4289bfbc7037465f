"""The engine's numbers, bit for bit: the canonical runs of ``tests/engine_golden.py`` trained
again give the recorded SHA-256 of every array and the recorded ledger sums and counters."""

import json

import pytest
from engine_golden import GOLDEN, fingerprints


@pytest.fixture(scope="module")
def golden():
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_built_in_rules_train_as_recorded(golden):
    from fetrain.common.fingerprint import SAME_NUMBERS_AS, engine_fingerprint

    # the engine that recorded the runs is the present one or one it claims to reproduce
    assert golden["engine"] in SAME_NUMBERS_AS + (engine_fingerprint(),)
    now = fingerprints()
    assert set(now) == set(golden["runs"])
    for name, recorded in golden["runs"].items():
        for key, value in recorded.items():
            assert now[name].get(key) == value, f"{name}: {key} differs from the golden record"
