"""A reader's measured device: normalized data, several symmetry points, unit- and offset-free
noise figures, energy unavailable without units, named errors, and the command line."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from fetrain.bridge.devices import device_as_data, device_from_data
from fetrain.cli import main as fetrain_main
from fetrain.device.build import build_device_model, symmetry_point_uncertainty
from fetrain.device.curves import FitError, fit_curve
from fetrain.device.energy import ledger_energy
from fetrain.device.loading import DATA_DIR, load_device_file, load_embedded
from fetrain.device.model import EnergyUnavailable, Quantities, symmetrized
from fetrain.device.steps import N_NODES, stable_points_of_table
from fetrain.device.summary import AIHWKIT_FILE, FIGURES, SUMMARY_FILE
from fetrain.device.twobasin import TwoBasinTrace
from fetrain.device.validate import DeviceFileError
from fetrain.train import crossbar
from fetrain.train.config import TrainConfig
from fetrain.train.hardware import line_energy


@pytest.fixture(scope="module")
def two_basin(tmp_path_factory):
    trace = TwoBasinTrace()
    path = trace.write(tmp_path_factory.mktemp("two-basin") / "device.csv")
    data = load_device_file(path)
    model = build_device_model(data.pulses, degree=9, source="two-basin")
    return trace, path, data, model


def _on_model_scale(model, trace, w_true):
    g = trace.to_normalized(w_true)
    return 2 * (g - model.g_min_S) / (model.g_max_S - model.g_min_S) - 1


def test_truth_on_the_model_scale(two_basin):
    trace, _, _, model = two_basin
    truth = trace.on_scale(model.g_min_S, model.g_max_S)
    assert truth.stable_points == pytest.approx([_on_model_scale(model, trace, a) for a in (trace.a, trace.c)])
    w = np.array(truth.stable_points)
    assert truth.step_up(w) == pytest.approx(truth.step_down(w), rel=1e-9)
    # the fitted table follows the truth's steps to within 15% of dw_min in the middle of the range
    grid = np.linspace(-0.8, 0.8, 33)
    assert np.max(np.abs(model.step_up_at(grid) - truth.step_up(grid))) < 0.15 * model.dw_min


def test_normalized_updown_file_is_read_as_such(two_basin):
    trace, path, data, model = two_basin
    assert data.normalized and data.quantities.pulse_width == "unknown"
    assert len(data.pulses) == 2 * trace.n_pulses
    assert (data.pulses["conductance"] < 0).any()          # normalized values may be negative
    assert not np.isfinite(model.width_s)


def test_two_known_symmetry_points_are_recovered_within_their_uncertainty(two_basin):
    trace, _, data, model = two_basin
    points = symmetry_point_uncertainty(model, data.pulses, n_resamples=200, degree=9)
    assert len(points) == 2
    for point, truth in zip(points, trace.stable_points):
        expected = _on_model_scale(model, trace, truth)
        assert point.found_fraction > 0.9
        assert 0 < point.uncertainty < 0.1
        assert abs(point.w - expected) < 2 * point.uncertainty, (point, expected)
        # pulsing settles where the table says, from inside the basin
        assert point.w_pulsing == pytest.approx(point.w, abs=0.01)
        assert point.basin[0] <= expected <= point.basin[1]
    # the unstable root between them bounds both basins
    unstable = _on_model_scale(model, trace, trace.b)
    assert points[0].basin[1] == points[1].basin[0] == pytest.approx(unstable, abs=0.1)
    assert any("2 stable symmetry points" in w for w in model.warnings())


def test_the_start_decides_the_reference_and_says_why(two_basin):
    _, _, _, model = two_basin
    points = model.symmetry_points()
    low, why_low = model.reference_point(-1.0)
    high, why_high = model.reference_point(0.9)
    assert low == pytest.approx(points[0].w) and high == pytest.approx(points[1].w)
    assert "2 stable points" in why_low and "start decides" in why_high
    # the engine's references settle the same way, per device
    tables = np.stack([model.piecewise_up, model.piecewise_down]).astype(np.float32)
    dev = np.array([[0, 0, -1, 1, model.dw_min, model.dw_min]] * 2, dtype=np.float32)
    assert crossbar.symmetry_points(dev, tables, 60, np.float32(-1.0))[0] == pytest.approx(low, abs=1e-4)
    assert crossbar.symmetry_points(dev, tables, 60, np.float32(0.9))[0] == pytest.approx(high, abs=1e-4)


def _one_width(d1_only=False):
    p = load_embedded().pulses
    p = p[np.isclose(p.pulse_width_s, 200e-9)]
    if d1_only:
        p = p[p.device == "D1"]
    return p.reset_index(drop=True)


def test_noise_figures_do_not_depend_on_unit_or_offset():
    p = _one_width()
    reference = build_device_model(p, 200e-9)
    g = p["read_current_A"] / p["read_voltage_V"]
    # the same reads in another unit and with an offset: × 1e-6 of units of order one, plus 3e-6
    rescaled = p.drop(columns=["read_current_A", "read_voltage_V"]).assign(
        conductance=(g / g.mean()) * 1e-6 + 3e-6)
    other = build_device_model(rescaled, 200e-9)
    assert other.quantities.conductance == "unknown"
    for name in ("dw_min_std", "read_noise_w", "dw_min_dtod", "up_down_dtod", "w_min_dtod",
                 "w_max_dtod"):
        assert getattr(other.noise, name) == pytest.approx(getattr(reference.noise, name),
                                                           rel=1e-6), name
    assert other.symmetry_point == pytest.approx(reference.symmetry_point, abs=1e-9)
    assert other.dw_min == pytest.approx(reference.dw_min, rel=1e-9)
    assert other.noise.levels() == pytest.approx(reference.noise.levels(), rel=1e-6)
    # figures that need absolute conductance are unknown, not made up
    assert np.isnan(other.noise.read_noise_rel) and np.isnan(other.figures()["dynamic_range"])


def test_one_device_has_unknown_spreads_exported_as_zero_and_said():
    model = build_device_model(_one_width(d1_only=True), 200e-9)
    nf = model.noise
    assert nf.n_devices == 1
    assert all(np.isnan(v) for v in (nf.dw_min_dtod, nf.up_down_dtod, nf.w_min_dtod, nf.w_max_dtod))
    exported = device_as_data(model)
    assert set(exported["unknown_set_to_zero"]) == {"dw_min_dtod", "up_down_dtod", "w_min_dtod",
                                                    "w_max_dtod"}
    assert exported["parameters"]["dw_min_dtod"] == 0.0
    assert any("device-to-device figures are unknown" in w for w in model.warnings())


def test_energy_is_unavailable_without_units_never_zero(two_basin):
    _, _, _, model = two_basin
    assert not model.energy_available
    with pytest.raises(EnergyUnavailable, match="conductance in siemens"):
        model.pulse_energy(0.0, "set")
    ledger = ledger_energy(model, 10, 10, 0.0, 0.0, 0.1, 0.1)
    assert all(np.isnan(v) for v in ledger.values())
    assert all(np.isnan(v) for v in line_energy(model, 5, 50, 10).values())


def test_energy_is_available_with_given_width_and_amplitude_in_siemens(tmp_path, two_basin):
    trace, _, _, _ = two_basin
    up, down = trace.reads()
    path = tmp_path / "siemens.csv"
    pd.DataFrame({"up": (up + 2) * 1e-9, "down": (down + 2) * 1e-9}).to_csv(path, index=False)
    data = load_device_file(path, conductance_unit="S", width_s=20e-9, amplitude_V=3.8)
    model = build_device_model(data.pulses, degree=9)
    assert model.energy_available and model.quantities.pulse_width == "given"
    assert model.pulse_energy(0.0, "set").complete_J > 0


def _error(path, **kwargs):
    with pytest.raises(DeviceFileError) as err:
        load_device_file(path, **kwargs)
    return err.value


def test_empty_files_are_named(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "the file is empty" in str(_error(empty, format="updown"))
    assert "the file is empty" in str(_error(empty, format="fetrain"))


def test_a_direction_without_change_is_named(tmp_path):
    p = _one_width(d1_only=True)
    p.loc[p.direction == "depression", "read_current_A"] = 1e-11
    p.to_csv(tmp_path / "pulses.csv", index=False)
    err = _error(tmp_path)
    assert err.column == "read_current_A" and "depression: the conductance never changes" in str(err)
    (tmp_path / "flat.csv").write_text("up,down\n" + "\n".join(f"{0.1 * k},0.5" for k in range(20)))
    err = _error(tmp_path / "flat.csv")
    assert err.column == "down" and "never changes under the depression pulses" in str(err)


def test_undefined_fits_raise_instead_of_passing_nan():
    flat = pd.DataFrame({"pulse_index": np.arange(1, 21), "mean_w": np.zeros(20), "std_w": 0.0})
    with pytest.raises(FitError, match="does not change"):
        fit_curve(flat, "depression")
    falling = flat.assign(mean_w=-np.linspace(0, 1, 20))
    with pytest.raises(FitError, match="falls"):
        fit_curve(falling, "potentiation")


def test_numbers_in_messages_are_plain(tmp_path):
    p = _one_width(d1_only=True)
    p.loc[3, "pulse_width_s"] = -1e-6
    p.to_csv(tmp_path / "pulses.csv", index=False)
    message = str(_error(tmp_path))
    assert "-1e-06" in message and "np.float64" not in message


@pytest.mark.parametrize("column,factor,hint", [("read_current_A", 1e12, "nA or µA written as A"),
                                                 ("pulse_width_s", 1e9, "ns or µs written as s")])
def test_implausible_units_are_caught(tmp_path, column, factor, hint):
    p = _one_width(d1_only=True)
    p[column] = p[column] * factor
    p.to_csv(tmp_path / "pulses.csv", index=False)
    err = _error(tmp_path)
    assert err.column == column and hint in str(err)


def test_conductance_above_one_siemens_per_square_micron(tmp_path):
    p = _one_width(d1_only=True)
    g = p["read_current_A"] / p["read_voltage_V"]
    p = p.drop(columns=["read_current_A", "read_voltage_V"]).assign(conductance_S=g * 1e10)
    p.to_csv(tmp_path / "pulses.csv", index=False)
    err = _error(tmp_path)
    assert err.column == "conductance_S" and "implausible for a device of 1 µm²" in str(err)


def test_updown_layout_errors(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("up,down,extra\n1,2,3\n")
    assert "3 column(s)" in str(_error(path, format="updown"))
    rows = [f"{0.1 * k},{1 - 0.1 * k}" for k in range(20)]
    rows[4] = "0.4,abc"
    path.write_text("up,down\n" + "\n".join(rows))
    err = _error(path)
    assert (err.column, err.row) == ("down", 5) and "(line 6)" in str(err) and "'abc'" in str(err)
    path.write_text("\n".join(rows))                  # no header: row 5 is line 5
    err = _error(path)
    assert (err.column, err.row) == ("column 2", 5) or (err.row == 5 and "(line 5)" in str(err))
    path.write_text("\n".join(f"{0.1 * k}," for k in range(20)))
    assert "1 column(s); the updown format needs two columns" in str(_error(path, format="updown"))


def test_command_line_writes_summary_figures_and_aihwkit_device(two_basin, tmp_path, capsys):
    trace, path, _, _ = two_basin
    out = tmp_path / "out"
    rc = fetrain_main(["device", "fit", str(path), "--out", str(out), "--degree", "9", "--resamples", "40"])
    printed = capsys.readouterr().out
    assert rc == 0
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert len(summary["symmetry_points"]) == 2
    assert summary["energy"] == {"available": False, "missing": list(
        Quantities(conductance="unknown", pulse_width="unknown",
                               amplitude="unknown").missing_for_energy())}
    assert summary["noise"]["dw_min_dtod"] is None and summary["quantities"]["conductance"] == "unknown"
    assert summary["reference"]["w"] == pytest.approx(summary["symmetry_points"][0]["w"])
    assert "symmetry point 2: w* = " in printed and "energy: unavailable" in printed
    for name in FIGURES:
        assert (out / name).stat().st_size > 1000
    exported = json.loads((out / AIHWKIT_FILE).read_text())
    rebuilt = device_from_data(exported)
    assert rebuilt.dw_min == pytest.approx(exported["parameters"]["dw_min"])
    assert list(rebuilt.piecewise_up) == pytest.approx(exported["parameters"]["piecewise_up"])


def _run(*args):
    return subprocess.run([sys.executable, "-m", "fetrain", "device", *args], capture_output=True,
                          text=True, timeout=300)


def test_command_line_errors_exit_non_zero_without_traceback(tmp_path, capsys):
    from fetrain.cli import main

    empty = tmp_path / "empty.csv"
    empty.write_text("")
    # the command as a process: exit status and message, no traceback
    result = _run("fit", str(empty), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert "the file is empty" in result.stderr and "Traceback" not in result.stderr
    # the other errors through the same entry point in this process (an exception would fail
    # the test as a traceback would)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["device", "fit", str(empty), "--out", str(blocker / "sub")]) == 1
    assert "is not writable" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["device", "fit", str(empty), "--out", str(tmp_path / "o"), "--format", "xls"])
    assert exit_.value.code == 2 and "invalid choice" in capsys.readouterr().err
    for argv, needles in ((["device", "fit", "--help"], ("updown", "conductance_S")),
                          (["device", "--help"], ("fit",))):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        help_text = capsys.readouterr().out
        assert exit_.value.code == 0 and all(n in help_text for n in needles)


def test_symmetry_point_shifting_on_two_basins_says_which_point(two_basin):
    from fetrain.train.config import TrainConfig
    _, _, _, model = two_basin
    with pytest.warns(UserWarning, match="2 stable symmetry point.*start decides"):
        config = TrainConfig(model=model, lr=0.1, epochs=1, reference="symmetry_point",
                                    device_variation=False)
    assert config.describe()["quantities"]["conductance"] == "unknown"
    with pytest.raises(ValueError, match="reference_start"):
        TrainConfig(model=model, lr=0.1, epochs=1, reference_start=1.5)


def test_fetrain_layout_with_normalized_conductance_only(tmp_path):
    p = _one_width()
    g = p["read_current_A"] / p["read_voltage_V"]
    p = p.drop(columns=["read_current_A", "read_voltage_V", "pulse_width_s", "amplitude_V"])
    p.assign(conductance=g / g.mean() - 1.0).to_csv(tmp_path / "pulses.csv", index=False)
    data = load_device_file(tmp_path)
    assert data.normalized and data.quantities.pulse_width == "unknown"
    assert (data.pulses["conductance"] < 0).any()
    given = load_device_file(tmp_path / "pulses.csv", width_s=200e-9, amplitude_V=3.5)
    assert given.quantities.pulse_width == given.quantities.amplitude == "given"
    model = build_device_model(given.pulses)
    assert model.width_s == 200e-9 and model.amplitude_reset_V == 3.5
    assert not model.energy_available           # still normalized: no siemens, no joules
    reference = build_device_model(_one_width(), 200e-9)
    assert model.symmetry_point == pytest.approx(reference.symmetry_point, abs=1e-9)


def test_training_on_a_one_device_normalized_model_pulses_and_prices_nothing(two_basin):
    from fetrain.train import data as fdata
    from fetrain.train.loop import train
    _, _, _, model = two_basin
    with pytest.warns(UserWarning, match="spreads are unknown"):
        config = TrainConfig(model=model, lr=0.1, epochs=1, seed=0, evaluations_per_epoch=1)
    run, = train([config], fdata.load_embedded().subset(100))
    last = run.history.iloc[-1]
    assert last["pulses"] > 0 and np.isfinite(run.history["test_accuracy"]).all()
    assert np.isnan(last["energy_complete_J"]) and np.isnan(last["energy_study_J"])


def test_updown_files_as_they_come(tmp_path):
    up = [f"{0.05 * k:.3f}" for k in range(30)]
    down = [f"{1.5 - 0.05 * k:.3f}" for k in range(25)]
    ragged = tmp_path / "ragged.csv"                   # a shorter column without trailing commas
    ragged.write_text("up,down\n" + "\n".join(f"{u},{d}" for u, d in zip(up, down))
                      + "\n" + "\n".join(up[25:]) + "\n")
    assert len(load_device_file(ragged).pulses) == 55
    bom = tmp_path / "bom.csv"                         # a byte-order mark, no header
    bom.write_text("\ufeff" + "\n".join(f"{u};{d}" for u, d in zip(up, down)), encoding="utf-8")
    assert len(load_device_file(bom).pulses) == 50
    spaces = tmp_path / "spaces.txt"
    spaces.write_text("\n".join(f"{u}   {d}" for u, d in zip(up, down)))
    assert len(load_device_file(spaces).pulses) == 50
    one = tmp_path / "one.csv"
    one.write_text("up\n" + "\n".join(up))
    assert "1 column" in str(_error(one))


def test_auto_detection_keeps_fetrain_hints(tmp_path):
    p = _one_width(d1_only=True).rename(columns={"direction": "Direction"})
    p.to_csv(tmp_path / "pulses.csv", index=False)
    err = _error(tmp_path / "pulses.csv")
    assert "found 'Direction': misspelt?" in str(err)


def test_reference_point_at_a_bound_and_without_drift():
    nodes = np.linspace(-1, 1, N_NODES)
    down = np.full(nodes.size, 0.01)
    # drift < 0 below -0.5, > 0 on (-0.5, 0.3), < 0 above: one stable point, -1 outside its basin
    up = down + 0.004 * np.where(nodes < -0.5, -1, np.where(nodes < 0.3, 1, -1)) * np.abs(nodes + 0.01)
    points = stable_points_of_table(nodes, up, down)
    assert len(points) == 1 and points[0][0] == pytest.approx(0.3, abs=0.06)
    model = build_device_model(_one_width(), 200e-9, per_device=False)
    from dataclasses import replace
    odd = replace(model, step_up=up / 0.01 * model.dw_min, step_down=down / 0.01 * model.dw_min)
    w, why = odd.reference_point(-1.0)
    assert w == -1.0 and "ends at this bound" in why
    # the engine's references agree, and the start is a fraction of each device's own range
    tables = np.stack([odd.piecewise_up, odd.piecewise_down]).astype(np.float32)
    dev = np.array([[0, 0, -1, 1, odd.dw_min, odd.dw_min],
                    [0, 0, -1.2, 0.8, odd.dw_min, odd.dw_min]], dtype=np.float32)
    got = crossbar.symmetry_points(dev, tables, 60, np.float32(-1.0))
    assert got[0] == -1.0 and got[1] == pytest.approx(-1.2)
    flat = symmetrized(model)
    assert stable_points_of_table(flat.w_nodes, flat.step_up, flat.step_down) == []
    assert flat.reference_point(0.2)[0] == pytest.approx(0.2)


def test_zero_drift_at_a_node_is_classified_by_its_neighbours():
    nodes = np.linspace(-1, 1, 5)
    touch = stable_points_of_table(nodes, [1, 1, 0, 1, 1], [0, 0, 0, 0, 0])
    assert touch == []                                  # touches zero from above: no root
    through = stable_points_of_table(nodes, [1, 1, 0, -1, -1], [0, 0, 0, 0, 0])
    assert [p[0] for p in through] == [0.0]


def test_multi_width_file_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "o"
    assert fetrain_main(["device", "fit", str(DATA_DIR), "--out", str(out), "--width-ns", "20",
                        "--resamples", "20"]) == 0
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert summary["pulse_width_s"] == pytest.approx(20e-9) and summary["energy"]["available"]
    assert fetrain_main(["device", "fit", str(DATA_DIR), "--out", str(out), "--width-ns", "30"]) == 1
    assert "--width-ns must be one of the file's widths" in capsys.readouterr().err


def test_a_given_area_reaches_the_energy(tmp_path):
    p = _one_width(d1_only=True)
    p.to_csv(tmp_path / "pulses.csv", index=False)
    small = load_device_file(tmp_path)
    large = load_device_file(tmp_path, area_m2=4e-12)
    assert large.quantities.geometry == "given" and large.stack.area_m2 == 4e-12
    e_small = build_device_model(small.pulses, stack=small.stack).pulse_energy(0.0, "set")
    e_large = build_device_model(large.pulses, stack=large.stack).pulse_energy(0.0, "set")
    assert e_large.complete_J > e_small.complete_J


def test_device_from_data_names_what_is_wrong():
    with pytest.raises(ValueError, match="'parameters'"):
        device_from_data({"format": "fetrain AIHWKit device", "version": 1,
                                 "device_class": "PiecewiseStepDevice"})
    with pytest.raises(ValueError, match="missing device parameters"):
        device_from_data({"format": "fetrain AIHWKit device", "version": 1,
                                 "device_class": "PiecewiseStepDevice", "parameters": {"dw_min": 0.1}})
