"""The pilot, the robustness sweep and the cross-check with AIHWKit: their summaries on small
hand-made tables, and their commands."""

import numpy as np
import pandas as pd
import pytest

from fetrain.cli import main
from fetrain.device.pulsing import reference_programming
from fetrain.study.crosscheck import agreement
from fetrain.study.robustness import robustness_summary


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
    text = robustness_summary(full)
    assert "75.5%" in text and "toy data; toy device; 3 epochs; mean of 2 seeds" in text
    assert "δ from -0.10 to +0.10" in text                 # −0.2 is 15 points down: the range stops
    assert "a drift of up to 0.01 w per epoch stays within it" in text
    assert "below the symmetry point (δ from -0.20 to -0.10) it ranges from 60.5% to 70.5%" in text


def test_robustness_summary_needs_the_well_set_reference():
    with pytest.raises(ValueError, match="δ = 0"):
        robustness_summary(sweep({0.1: 0.5}, {}))


def _paired_curves(rng, seeds: int, shift: float, sd_seed: float = 0.05, sd_pair: float = 0.01,
                   epochs=(0.0, 1.0, 2.0)) -> pd.DataFrame:
    """Synthetic learning curves: a seed's level is shared by both engines (same initial weights and
    data order), each engine adds its own noise; AIHWKit's curve is ``shift`` lower."""
    rows = []
    for s in range(seeds):
        level = 0.6 + sd_seed * rng.standard_normal()
        for engine_name, offset in (("fetrain", 0.0), ("AIHWKit", -shift)):
            for ep in epochs:
                acc = 0.1 if ep == 0 else level + offset + sd_pair * rng.standard_normal()
                rows.append({"engine": engine_name, "seed": s, "epoch": ep, "test_accuracy": acc})
    return pd.DataFrame(rows)


def test_agreement_false_alarm_rate_is_alpha():
    """No real difference: with no tolerance (points = 0) the check rings in about alpha of the builds —
    Student's t for n − 1 degrees of freedom, not the normal quantile (which at five seeds would
    ring some six times more often)."""
    rng = np.random.default_rng(0)
    rings = sum(not agreement(_paired_curves(rng, 5, 0.0), points=0.0, alpha=0.01)["agree"].iloc[0]
                for _ in range(1000))
    assert rings <= 25, rings        # expected 10; the normal quantile would give ~62


def test_agreement_statistic_by_hand():
    """Mean over the evaluations after epoch 0 per seed, paired differences, SE with n − 1, and
    Student's two-sided critical value for n − 1 degrees of freedom."""
    from scipy import stats

    rows = []
    table = {0: (0.50, 0.60, 0.40, 0.55), 1: (0.70, 0.80, 0.72, 0.74), 2: (0.20, 0.40, 0.30, 0.20)}
    for seed, (f1, f2, a1, a2) in table.items():
        rows += [{"engine": "fetrain", "seed": seed, "epoch": 0.0, "test_accuracy": 0.1},
                 {"engine": "AIHWKit", "seed": seed, "epoch": 0.0, "test_accuracy": 0.1},
                 {"engine": "fetrain", "seed": seed, "epoch": 0.5, "test_accuracy": f1},
                 {"engine": "fetrain", "seed": seed, "epoch": 1.0, "test_accuracy": f2},
                 {"engine": "AIHWKit", "seed": seed, "epoch": 0.5, "test_accuracy": a1},
                 {"engine": "AIHWKit", "seed": seed, "epoch": 1.0, "test_accuracy": a2}]
    d = np.array([(f1 + f2 - a1 - a2) / 2 for f1, f2, a1, a2 in table.values()])   # 0.075, 0.02, 0.05
    out = agreement(pd.DataFrame(rows), points=0.03, alpha=0.01).iloc[0]
    assert out["difference"] == pytest.approx(d.mean())
    assert out["se"] == pytest.approx(np.sqrt(np.sum((d - d.mean()) ** 2) / 2) / np.sqrt(3))
    assert out["t"] == pytest.approx(stats.t.ppf(0.995, 2)) and out["t"] == pytest.approx(9.925, abs=1e-3)
    assert out["margin"] == pytest.approx(0.03 + out["t"] * out["se"])
    assert out["seeds"] == 3 and out["evaluations"] == 2 and out["agree"]


def test_agreement_tolerates_a_difference_within_points():
    """A true difference at the tolerance itself (3 points) with small noise: flagged only when the
    whole 1 − α interval lies beyond it, at most α/2 of the time (a rule max(points, t·SE) would
    flag it about half the time)."""
    rng = np.random.default_rng(3)
    rings = sum(not agreement(_paired_curves(rng, 10, 0.03), alpha=0.01)["agree"].iloc[0]
                for _ in range(400))
    assert rings <= 8, rings          # expected ≤ 2


def test_agreement_flags_a_real_difference_and_reports_its_resolution():
    rng = np.random.default_rng(1)
    same = agreement(_paired_curves(rng, 10, 0.0))
    assert same["agree"].iloc[0] and same["seeds"].iloc[0] == 10 and same["evaluations"].iloc[0] == 2
    shifted = agreement(_paired_curves(rng, 10, 0.08))
    assert not shifted["agree"].iloc[0]
    assert shifted["difference"].iloc[0] == pytest.approx(0.08, abs=0.02)
    # pairing: the seed-to-seed spread (5 points) cancels, the margin is set by the engines' own noise
    assert shifted["margin"].iloc[0] < 0.05
    # the tolerance: a difference under 3 points is not flagged, however small its SE
    tiny = agreement(_paired_curves(rng, 10, 0.02, sd_pair=0.0001))
    assert tiny["agree"].iloc[0] and tiny["margin"].iloc[0] == pytest.approx(0.03, abs=1e-3)


def test_agreement_rejects_bad_input():
    rng = np.random.default_rng(2)
    curves = _paired_curves(rng, 3, 0.0)
    with pytest.raises(ValueError, match="alpha"):
        agreement(curves, alpha=0.0)
    with pytest.raises(ValueError, match="engines"):
        agreement(curves[curves["engine"] == "fetrain"])
    with pytest.raises(ValueError, match="same"):
        agreement(curves.drop(index=curves.index[-1]))
    with pytest.raises(ValueError, match="at least 2 seeds"):
        agreement(curves[curves["seed"] == 0])
    with pytest.raises(ValueError, match="epoch > 0"):
        agreement(curves[curves["epoch"] == 0])
    with pytest.raises(ValueError, match="more than once"):
        agreement(pd.concat([curves, curves.iloc[[0]]]))
    with pytest.raises(ValueError, match="NaN"):
        agreement(curves.assign(test_accuracy=curves["test_accuracy"].where(curves.index != 5)))
    with pytest.raises(ValueError, match="columns"):
        agreement(curves.drop(columns="seed"))


def test_robustness_summary_drift_tolerance_stops_at_the_first_failure():
    # a fast drift that happens to land within the tolerance does not extend the range past a
    # slower one that does not
    full = sweep({-0.1: 0.70, 0.0: 0.75, 0.1: 0.70}, {0.01: 0.72, 0.05: 0.40, 0.2: 0.70})
    assert "a drift of up to 0.01 w per epoch stays within it" in robustness_summary(full)
    full = sweep({0.0: 0.75}, {0.01: 0.40, 0.2: 0.70})
    assert "even the slowest drift (0.01 w per epoch) costs more" in robustness_summary(full)


def test_reference_programming_costs_the_settling_pulses():
    from fetrain.device.build import build_device_model
    from fetrain.device.loading import load_embedded

    model = build_device_model(load_embedded().pulses, 20e-9, source="embedded")
    cost = reference_programming(model)
    settled, after_pairs = model.symmetry_point_by_pulsing(start=-1.0, tol=0.01 * model.dw_min)
    assert cost["pulses"] == 2 * 2 * (len(after_pairs) - 1)       # settle, then copy as many again
    assert cost["settled_at"] == pytest.approx(model.symmetry_point, abs=0.02)
    # energies: between the cheapest and the dearest pulse of the table, times the pulses
    w = np.linspace(-1, 1, 201)
    per_pulse = np.concatenate([model.pulse_energy(w, p).complete_J for p in ("set", "reset")])
    assert per_pulse.min() * cost["pulses"] <= cost["complete_J"] <= per_pulse.max() * cost["pulses"]
    assert cost["study_J"] < cost["complete_J"]


@pytest.mark.parametrize("command", ["pilot", "robustness"])
def test_experiment_commands_check_their_output_folder_before_any_work(tmp_path, command, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["experiments", command, "--out", str(blocker / "out")]) == 1
    assert "is not writable" in capsys.readouterr().err


def test_pilot_command_writes_its_table_and_removes_its_checkpoint(tmp_path, monkeypatch, capsys):
    """The pilot's command on a small subset: results written, the checkpoint gone once they are."""
    from fetrain.train import data as fdata

    small = fdata.load_embedded().subset(200)
    monkeypatch.setattr(fdata, "load_embedded", lambda: small)
    out = tmp_path / "pilot"
    assert main(["experiments", "pilot", "--out", str(out), "--epochs", "1", "--no-progress"]) == 0
    assert (out / "validation_pilot.csv").is_file() and (out / "validation_pilot.json").is_file()
    assert not (out / "checkpoint").exists()
    assert "wrote" in capsys.readouterr().out
