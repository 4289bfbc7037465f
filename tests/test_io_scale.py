"""Loading data folders, and the scale knob."""

import pandas as pd
import pytest

from fetrain import io, scale, synthetic


def test_load_embedded():
    data = io.load_embedded()
    assert len(data.pulses) > 1000 and len(data.iv) > 100
    assert data.source == io.DATA_DIR


def test_missing_pulse_file_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="pulses.csv"):
        io.load_campaign(tmp_path)


def test_missing_column_names_the_file_and_column(tmp_path):
    frame = pd.DataFrame({c: [1] for c in synthetic.PULSE_COLUMNS if c != "read_current_A"})
    frame.to_csv(tmp_path / synthetic.PULSES_FILE, index=False)
    with pytest.raises(ValueError, match=r"pulses.csv: missing column\(s\) \['read_current_A'\]"):
        io.load_campaign(tmp_path)


def test_scale_default_env_and_errors(monkeypatch):
    monkeypatch.delenv(scale.ENV_VAR, raising=False)
    assert scale.current().name == "book"
    monkeypatch.setenv(scale.ENV_VAR, "quick")
    assert scale.current().name == "quick"
    assert scale.current().pick(quick=1, book=2, paper=3) == 1
    assert scale.current("paper").pick(quick=1, book=2, paper=3) == 3
    monkeypatch.setenv(scale.ENV_VAR, "huge")
    with pytest.raises(ValueError, match=r"scale must be one of \('quick', 'book', 'paper'\); got 'huge'"):
        scale.current()
