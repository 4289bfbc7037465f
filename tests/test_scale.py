"""The scale knob."""

import pytest

from fetrain.common import scale


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
