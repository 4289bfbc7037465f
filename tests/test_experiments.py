"""Summaries of the long sweeps (fetrain.experiments), on small hand-made tables."""

import pandas as pd
import pytest

from fetrain import experiments


def sweep(offsets, drifts):
    rows = [{"sweep": "offset", "value": v, "seed": s, "test_accuracy": a + 0.01 * s}
            for v, a in offsets.items() for s in (0, 1)]
    rows += [{"sweep": "drift", "value": v, "seed": s, "test_accuracy": a + 0.01 * s}
             for v, a in drifts.items() for s in (0, 1)]
    frame = pd.DataFrame(rows)
    frame["data_set"], frame["device"], frame["epochs"] = "toy data", "toy device", 3
    return frame


def test_robustness_summary_reads_the_tolerance_off_the_table():
    # means: δ −0.2 → 0.605, −0.1 → 0.705, 0 → 0.755, +0.1 → 0.665 (9 points down), +0.2 → 0.305
    full = sweep({-0.2: 0.60, -0.1: 0.70, 0.0: 0.75, 0.1: 0.66, 0.2: 0.30}, {0.01: 0.70, 0.1: 0.50})
    text = experiments.robustness_summary(full)
    assert "75.5%" in text and "toy data; toy device; 3 epochs; mean of 2 seeds" in text
    assert "δ from -0.10 to +0.10" in text                 # −0.2 is 15 points down: the range stops
    assert "a drift of up to 0.01 w per epoch stays within it" in text
    assert "below the symmetry point (δ from -0.20 to -0.10) it ranges from 60.5% to 70.5%" in text


def test_robustness_summary_needs_the_well_set_reference():
    with pytest.raises(ValueError, match="δ = 0"):
        experiments.robustness_summary(sweep({0.1: 0.5}, {}))
