"""The chapters' closing checks fail on a false claim and name it."""

import pytest

from fetrain.book.claims import Claims


def test_a_false_claim_fails_and_is_named(capsys):
    claim = Claims()
    assert claim("two is more than one", 2 > 1)
    assert not claim("one is more than two", 1 > 2)
    out = capsys.readouterr().out
    assert "✓ two is more than one" in out and "✗ one is more than two" in out
    with pytest.raises(AssertionError, match="one is more than two") as err:
        claim.assert_all()
    assert "two is more than one" not in str(err.value)


def test_true_claims_pass_and_none_is_an_error():
    claim = Claims()
    claim("numpy booleans count", __import__("numpy").bool_(True))
    claim.assert_all()
    with pytest.raises(AssertionError, match="no claim"):
        Claims().assert_all()


def test_a_claim_stated_for_other_parameters_is_skipped_not_asserted(capsys):
    claim = Claims()
    assert claim.stated_for(True, "the default device", "-", "holds", True) is True
    assert claim.stated_for(False, "the default device", "cap 4.5 V (default 3.8)", "fails here", False) is None
    claim.assert_all()                                  # the skipped claim is not asserted
    assert claim.skipped == [("fails here", "stated for the default device only; with cap 4.5 V (default 3.8)")]
    assert "skipped: fails here" in capsys.readouterr().out
    claim.stated_for(True, "the default device", "-", "checked and false", False)
    with pytest.raises(AssertionError, match="checked and false"):
        claim.assert_all()
