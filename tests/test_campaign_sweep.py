"""A reader's measured campaign through the whole sweep: ``fetrain reproduce --campaign``."""

import json

import numpy as np
import pandas as pd
import pytest

from fetrain.cli import main
from fetrain.study import tradeoff
from fetrain.study.devices import ladder_campaign
from fetrain.study.measured import MEASURED, campaign_checksum
from fetrain.study.plan import SweepPlan

WIDTHS = (20e-9, 2e-6)


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """A campaign measured under another scheme (the fixed ladder), two widths, saved as a reader
    would bring it."""
    folder = tmp_path_factory.mktemp("campaign")
    ladder_campaign(WIDTHS, n_devices=2, n_cycles=2).write(folder)
    return folder


def test_reproduce_runs_a_measured_campaign_through_the_sweep(campaign, tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["reproduce", "--campaign", str(campaign), "--scale", "quick", "--target", "15",
                 "--algorithms", "sgd", "--out", str(out), "--no-progress"]) == 0
    record = json.loads((out / "plan.json").read_text())
    c = record["plan"]["campaign"]
    assert c["path"] == str(campaign.resolve()) and c["sha256"] == campaign_checksum(campaign)
    assert c["widths_s"] == list(WIDTHS) and c["energy"] == "available"
    assert list(record["plan"]["schemes"]) == [MEASURED]
    assert "measured campaign" in record["device"]
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["scheme"]) == {MEASURED} and set(summary["width_s"]) == set(WIDTHS)
    win = pd.read_csv(out / "map.csv")
    assert set(win["ranked_by"]) == {"energy"}
    assert len(list((out / "figures").glob("*.png"))) == 6
    # a changed campaign is another plan: refused, naming the checksum
    (campaign / "notes.txt").write_text("a new file in the campaign")
    try:
        assert main(["reproduce", "--campaign", str(campaign), "--scale", "quick", "--target",
                     "15", "--algorithms", "sgd", "--out", str(out), "--no-progress"]) == 1
        assert "sha256" in capsys.readouterr().err
    finally:
        (campaign / "notes.txt").unlink()


def test_a_campaign_without_joules_ranks_by_pulses_and_says_so(campaign, tmp_path):
    normalized = tmp_path / "normalized"
    normalized.mkdir()
    p = pd.read_csv(campaign / "pulses.csv")
    g = p["read_current_A"] / p["read_voltage_V"]
    p["conductance"] = (g - g.min()) / (g.max() - g.min())
    p.drop(columns=["read_voltage_V", "read_current_A"]).to_csv(normalized / "pulses.csv",
                                                                index=False)
    out = tmp_path / "sweep"
    assert main(["reproduce", "--campaign", str(normalized), "--scale", "quick", "--target", "15",
                 "--algorithms", "sgd,sps", "--out", str(out), "--no-progress"]) == 0
    record = json.loads((out / "plan.json").read_text())
    assert record["plan"]["campaign"]["energy"].startswith("unavailable: the data lack")
    summary = pd.read_csv(out / "summary.csv")
    assert summary["total_to_target_J"].isna().all(), "no joules: no total, never 0"
    assert len(list((out / "figures").glob("*.png"))) == 6


def test_without_joules_the_map_ranks_widths_by_pulses():
    agg = pd.DataFrame({"strategy": "sgd", "scheme": MEASURED, "width_s": [20e-9, 2e-6],
                        "reached": True, "total_to_target_J": np.nan,
                        "pulses_to_target": [3e5, 1e5], "epochs_to_target": [1.0, 1.0]})
    row = tradeoff.rank_widths(agg).iloc[0]
    assert row["ranked_by"] == "pulses" and row["winner_width_s"] == 2e-6
    assert row["shortest_over_winner"] == pytest.approx(3.0)
    with_energy = agg.assign(total_to_target_J=[1.0, 2.0])
    row = tradeoff.rank_widths(with_energy).iloc[0]
    assert row["ranked_by"] == "energy" and row["winner_width_s"] == 20e-9


def test_a_campaign_plan_refuses_widths_and_schemes_it_does_not_hold(campaign):
    with pytest.raises(ValueError, match="widths_s"):
        SweepPlan.for_scale("quick", campaign=str(campaign), widths_s=(200e-9,))
    with pytest.raises(ValueError, match="schemes"):
        SweepPlan(scale="quick", campaign=str(campaign), widths_s=WIDTHS, schemes=("iso-3.8",))
    with pytest.raises(FileNotFoundError, match="no such"):
        SweepPlan(scale="quick", campaign="/no/such/campaign", widths_s=WIDTHS,
                  schemes=(MEASURED,))


def test_tune_takes_a_measured_campaign(campaign, tmp_path):
    out = tmp_path / "tune"
    assert main(["tune", "--campaign", str(campaign), "--scale", "quick", "--trials", "2",
                 "--out", str(out), "--no-progress"]) == 0
    record = json.loads((out / "tune_plan.json").read_text())
    assert record["plan"]["campaign"]["sha256"] == campaign_checksum(campaign)
    chosen = pd.read_csv(out / "chosen.csv")
    assert set(chosen["scheme"]) == {MEASURED} and set(chosen["width_s"]) == set(WIDTHS)
