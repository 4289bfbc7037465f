"""A chapter's closing checks: every claim its prose makes, tested on what its code computed.

:class:`Claims` prints and asserts claims; it computes nothing itself. The chapter passes each
claim's text (with the computed numbers in it) and the truth value computed from them; the chapter
kit (:mod:`fetrain.book.kit`) decides which claims a page asserts.
"""

from __future__ import annotations

import textwrap


class Claims:
    """The claims of one chapter, in the order they are made.

    ``claim(text, ok)`` records one claim and prints it with ✓ or ✗; :meth:`assert_all` then fails
    naming every claim that does not hold, so that the book build (and nbval) fails on it.

    Parameters
    ----------
    width : int
        Line width of the printed claims (characters).

    Attributes
    ----------
    results : list of tuple of (str, bool)
        Every claim made, with whether it holds.
    skipped : list of tuple of (str, str)
        Claims stated for other parameters than the chapter's (:meth:`stated_for`), with why.
    """

    def __init__(self, width: int = 72) -> None:
        self.width = width
        self.results: list[tuple[str, bool]] = []
        self.skipped: list[tuple[str, str]] = []

    def __call__(self, text: str, ok) -> bool:
        ok = bool(ok)
        self.results.append((text, ok))
        print(textwrap.fill(("✓ " if ok else "✗ ") + text, width=self.width, subsequent_indent="  "))
        return ok

    def stated_for(self, applies: bool, what: str, change: str, text: str, ok,
                   brief: bool = False) -> bool | None:
        """A claim the chapter states for one setting of its parameters only.

        Checked like any claim when the chapter's parameter cell keeps that setting; otherwise
        printed as skipped, with the reason, and not asserted: a reader who changed a parameter
        learns which claims no longer apply instead of meeting a failure.

        Parameters
        ----------
        applies : bool
            Whether the parameters are the setting the claim is stated for.
        what : str
            That setting, as the text names it (``"the default device"``).
        change : str
            How the parameters differ from it (``"max_voltage_V = 4.5 V (default 3.8)"``).
        text : str
            The claim, with its computed numbers.
        ok : bool
            Whether it holds (computed either way; asserted only when ``applies``).
        brief : bool
            Print only the claim as skipped (the caller says why once, for all of them).

        Returns
        -------
        bool or None
            Whether it holds when checked; None when skipped.
        """
        if applies:
            return self(text, ok)
        self.skipped.append((text, f"stated for {what} only; with {change}"))
        why = "" if brief else f". Stated for {what} only; with {change} it is not checked."
        print(textwrap.fill(f"– skipped: {text}{why}", width=self.width, subsequent_indent="  "))
        return None

    @property
    def failed(self) -> list[str]:
        """The texts of the claims that do not hold."""
        return [text for text, ok in self.results if not ok]

    def assert_all(self) -> None:
        """Raise AssertionError naming every claim that does not hold (and if none was made).

        Raises
        ------
        AssertionError
            If no claim was made, or one does not hold.
        """
        if not self.results:
            raise AssertionError("no claim was checked")
        if self.failed:
            raise AssertionError("claims that do not hold:\n- " + "\n- ".join(self.failed))
