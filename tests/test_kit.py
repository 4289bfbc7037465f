"""The chapter kit: parameters against the book's defaults, and which claims a page asserts."""

import re
from dataclasses import dataclass

import pytest
from chapters import notebook_sources

from fetrain.book.kit import NoParameters, Page, Parameters, parameter
from fetrain.device import HZODevice, HZOStack


@dataclass(frozen=True)
class Toy(Parameters):
    width_s: float = parameter(20e-9, "pulse width", "s")
    lr: float = parameter(0.1, "learning rate")
    device: HZODevice = parameter(HZODevice(), "the device")


def claims_of(page, value_ok=True):
    """Two invariants and two findings, as a chapter's closing cell makes them."""
    page.claim("an invariant", True)
    page.claim("an invariant of long runs", True, needs_book_scale=True)
    page.finding("a finding", value_ok)
    page.finding("another finding", True)
    return page


def test_changes_are_derived_from_the_fields():
    assert Toy().changes() == () and Toy().is_default
    assert Toy(lr=0.1).is_default                          # the default, written out
    assert Toy(width_s=200e-9).changes() == ("width_s = 200 ns (default 20 ns)",)
    nested = Toy(device=HZODevice(stack=HZOStack(max_voltage_V=4.5)))
    assert nested.changes() == ("device.stack.max_voltage_V = 4.5 (default 3.8)",)
    assert list(Toy().table()["parameter"]) == ["width_s", "lr", "device"]


def test_with_the_defaults_at_book_scale_every_claim_is_asserted():
    page = claims_of(Page(Toy(), scale="book"))
    page.finish()
    assert len(page.claims.results) == 4 and not page.claims.skipped
    with pytest.raises(AssertionError, match="a finding"):
        claims_of(Page(Toy(), scale="book"), value_ok=False).finish()


def test_a_changed_parameter_skips_exactly_the_findings(capsys):
    page = claims_of(Page(Toy(lr=0.2), scale="book"), value_ok=False)
    page.finish()                                   # the false finding is not asserted
    assert [t for t, _ in page.claims.results] == ["an invariant", "an invariant of long runs"]
    assert [t for t, _ in page.claims.skipped] == ["a finding", "another finding"]
    assert "lr = 0.2 (default 0.1)" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="an invariant"):
        page = Page(Toy(lr=0.2), scale="book")
        page.claim("an invariant", False)
        page.finish()


def test_quick_scale_skips_what_needs_long_runs_only():
    trains = claims_of(Page(Toy(), scale="quick"))
    trains.finish()
    assert [t for t, _ in trains.claims.results] == ["an invariant"]
    physics = claims_of(Page(Toy(), scale="quick", scale_matters=False))
    physics.finish()                                # no training: findings hold at any scale
    assert [t for t, _ in physics.claims.results] == ["an invariant", "a finding",
                                                      "another finding"]


def test_a_finding_of_any_scale_is_asserted_by_short_runs_with_the_books_parameters():
    quick = Page(Toy(), scale="quick")
    quick.finding("holds for the defaults, any scale", True, any_scale=True)
    quick.finding("needs long runs", True)
    assert [t for t, _ in quick.claims.results] == ["holds for the defaults, any scale"]
    changed = Page(Toy(lr=0.3), scale="book")
    changed.finding("holds for the defaults, any scale", False, any_scale=True)
    assert not changed.claims.results and len(changed.claims.skipped) == 1


def test_a_page_without_claims_fails_and_parameters_are_checked():
    with pytest.raises(AssertionError, match="no claim"):
        Page(NoParameters(), scale="book").finish()
    with pytest.raises(TypeError, match="Parameters"):
        Page({"lr": 0.1})


PARAMETER_CELL = re.compile(r"```\{code-cell\} ipython3\n:tags: \[parameters\]\n(.*?)```", re.S)
IMPORT_CELL = re.compile(r"```\{code-cell\} ipython3\n(import.*?|from.*?)```", re.S)


@pytest.mark.parametrize("source", notebook_sources(), ids=lambda p: p.stem)
def test_every_chapter_is_built_with_the_kit_and_ships_the_books_parameters(source):
    """Every notebook page makes a kit Page; a parameter cell, where there is one, builds the
    book's parameters — so that the book build asserts every finding."""
    text = source.read_text(encoding="utf-8")
    assert "kit.Page(" in text, f"{source.name} does not build its page with the kit"
    cells = PARAMETER_CELL.findall(text)
    assert len(cells) <= 1, f"{source.name}: more than one parameter cell"
    if not cells:
        return
    namespace: dict = {}
    exec(IMPORT_CELL.search(text).group(1), namespace)
    exec(cells[0], namespace)
    params = namespace["params"]
    assert isinstance(params, Parameters) and params.is_default, params.changes()
