"""Loading characterisation files: the embedded set, and every bad-input rule on small files."""

import pytest

from fetrain.device.formats import IV_FILE, PULSE_COLUMNS, PULSES_FILE
from fetrain.device.loading import DATA_DIR, load_campaign, load_embedded
from fetrain.device.validate import MIN_PULSES_PER_PHASE, DeviceFileError


@pytest.fixture(scope="module")
def good_frame():
    """A small valid campaign: device D1, two widths, one cycle, the first 12 pulses of each phase."""
    p = load_embedded().pulses
    sel = p[(p.device == "D1") & (p.cycle == 1) & (p.pulse_index <= 12)
            & p.pulse_width_s.isin([200e-9, 2e-6])]
    return sel.reset_index(drop=True)


def write(tmp_path, frame, text=None):
    path = tmp_path / PULSES_FILE
    if text is not None:
        path.write_text(text, encoding="utf-8")
    else:
        frame.to_csv(path, index=False)
    return path


def error(tmp_path):
    with pytest.raises(DeviceFileError) as err:
        load_campaign(tmp_path)
    return err.value


def test_load_embedded():
    data = load_embedded()
    assert len(data.pulses) > 1000 and len(data.iv) > 100
    assert data.source == DATA_DIR and data.label == "embedded synthetic data set"
    assert data.pulses["pulse_index"].dtype.kind == "i"


def test_small_valid_file_loads(tmp_path, good_frame):
    write(tmp_path, good_frame)
    data = load_campaign(tmp_path)
    assert len(data.pulses) == len(good_frame) and data.iv.empty and data.metadata == {}
    assert not data.synthetic


def test_missing_file(tmp_path):
    err = error(tmp_path)
    assert "pulses.csv" in str(err) and "file not found" in str(err)


def test_missing_column(tmp_path, good_frame):
    write(tmp_path, good_frame.drop(columns="read_current_A"))
    err = error(tmp_path)
    assert err.column == "read_current_A" and "pulses.csv" in str(err)
    assert "missing column(s) 'read_current_A'" in str(err)


def test_misspelt_column_gets_a_hint(tmp_path, good_frame):
    write(tmp_path, good_frame.rename(columns={"pulse_width_s": "pulse_widht_s"}))
    err = error(tmp_path)
    assert err.column == "pulse_width_s" and "found 'pulse_widht_s': misspelt?" in str(err)


def test_non_numeric_value(tmp_path, good_frame):
    frame = good_frame.astype({"read_current_A": object})
    frame.loc[4, "read_current_A"] = "12 pA"
    write(tmp_path, frame)
    err = error(tmp_path)
    assert (err.column, err.row) == ("read_current_A", 5)
    assert "non-numeric value '12 pA'" in str(err) and "line 6" in str(err)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", ""])
def test_nan_inf_and_empty(tmp_path, good_frame, value):
    frame = good_frame.astype({"amplitude_V": object})
    frame.loc[7, "amplitude_V"] = value
    write(tmp_path, frame)
    err = error(tmp_path)
    assert (err.column, err.row) == ("amplitude_V", 8)
    assert "non-finite" in str(err)


def test_negative_conductance(tmp_path, good_frame):
    frame = good_frame.copy()
    frame.loc[3, "read_current_A"] = -1e-11
    write(tmp_path, frame)
    err = error(tmp_path)
    assert (err.column, err.row) == ("read_current_A", 4) and "negative conductance" in str(err)


def test_negative_pulse_width(tmp_path, good_frame):
    frame = good_frame.copy()
    frame.loc[2, "pulse_width_s"] = -2e-7
    write(tmp_path, frame)
    err = error(tmp_path)
    assert (err.column, err.row) == ("pulse_width_s", 3) and "must be > 0" in str(err)


def test_pulse_indices_not_increasing(tmp_path, good_frame):
    frame = good_frame.copy()
    frame.loc[[5, 6], "pulse_index"] = frame.loc[[6, 5], "pulse_index"].to_numpy()
    write(tmp_path, frame)
    err = error(tmp_path)
    assert (err.column, err.row) == ("pulse_index", 7)
    assert "must increase within a cycle's phase" in str(err)


def test_non_integer_index(tmp_path, good_frame):
    frame = good_frame.astype({"cycle": float})
    frame.loc[9, "cycle"] = 1.5
    write(tmp_path, frame)
    err = error(tmp_path)
    assert (err.column, err.row) == ("cycle", 10) and "integer" in str(err)


def test_unknown_direction(tmp_path, good_frame):
    frame = good_frame.copy()
    frame.loc[0, "direction"] = "LTP"
    write(tmp_path, frame)
    err = error(tmp_path)
    assert (err.column, err.row) == ("direction", 1) and "potentiation" in str(err)


def test_too_few_points_for_the_fit(tmp_path, good_frame):
    frame = good_frame[good_frame.pulse_index <= MIN_PULSES_PER_PHASE - 1]
    write(tmp_path, frame)
    err = error(tmp_path)
    assert err.column == "pulse_index" and "degree-5 fit" in str(err) and err.row == 1


def test_potentiation_without_depression(tmp_path, good_frame):
    frame = good_frame[~((good_frame.pulse_width_s == 2e-6) & (good_frame.direction == "depression"))]
    write(tmp_path, frame.reset_index(drop=True))
    err = error(tmp_path)
    assert err.column == "direction" and "2e-06 s has potentiation data but no depression" in str(err)


def test_header_only(tmp_path):
    write(tmp_path, None, text=",".join(PULSE_COLUMNS) + "\n")
    assert "no data rows" in str(error(tmp_path))


def test_iv_file_is_validated_too(tmp_path, good_frame):
    write(tmp_path, good_frame)
    iv = load_embedded().iv.head(20).astype({"temperature_K": object})
    iv.loc[3, "temperature_K"] = "room"
    iv.to_csv(tmp_path / IV_FILE, index=False)
    err = error(tmp_path)
    assert err.path.name == "iv_sweeps.csv" and (err.column, err.row) == ("temperature_K", 4)
