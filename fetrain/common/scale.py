"""The one knob that chooses how much heavy work fetrain does: ``quick``, ``book`` or ``paper``.

* ``quick`` — tests: every cell runs, scale-independent invariants hold, in seconds.
* ``book`` — the rendered book (the default): the chapters' claims are asserted at this scale.
* ``paper`` — the full sweeps of the study, for a reader with an hour to spare.

Set it with the environment variable ``FETRAIN_SCALE`` (before the kernel starts), or pass a name
to :func:`current` in your own scripts; a :class:`Scale` then picks a value per scale. Only this
module reads the environment for it; the rest of fetrain and the book ask :func:`current`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TypeVar

#: the scales, from the lightest to the heaviest
SCALES: tuple[str, ...] = ("quick", "book", "paper")


ENV_VAR = "FETRAIN_SCALE"


DEFAULT_SCALE = "book"


T = TypeVar("T")


@dataclass(frozen=True)
class Scale:
    """A validated scale name, with :meth:`pick` to choose a value per scale.

    Attributes
    ----------
    name : str
        ``"quick"``, ``"book"`` or ``"paper"``.

    Raises
    ------
    ValueError
        If ``name`` is not one of ``SCALES``.
    """

    name: str

    def __post_init__(self) -> None:
        if self.name not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}; got {self.name!r} "
                             f"(set {ENV_VAR} or pass the name)")

    def pick(self, *, quick: T, book: T, paper: T) -> T:
        """The value for this scale.

        Parameters
        ----------
        quick, book, paper : object
            The value at each scale (any type and unit, the same for all three).

        Returns
        -------
        object
            The value given for this scale's name.
        """
        return {"quick": quick, "book": book, "paper": paper}[self.name]

    def __str__(self) -> str:
        return self.name


def current(name: str | None = None) -> Scale:
    """The scale in force: ``name`` if given, else ``$FETRAIN_SCALE``, else ``book``.

    Parameters
    ----------
    name : str, optional
        A scale name; None: the environment variable, else the default.

    Returns
    -------
    Scale
        The validated scale.

    Raises
    ------
    ValueError
        If the name is not one of ``SCALES``.
    """
    if name is None:
        name = os.environ.get(ENV_VAR, "").strip() or DEFAULT_SCALE
    return Scale(name)
