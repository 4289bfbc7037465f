"""The book's figure style: fonts, sizes, colours of the pulse widths, markers of the strategies.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

from ..study.plan import STRATEGIES

#: matplotlib settings of the book's figures (sized for the book's text column).
BOOK_STYLE: dict = {
    "figure.figsize": (6.0, 3.6),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 8,
    "legend.frameon": False,
}


#: Size of a figure with two panels side by side, inches.
TWO_PANELS = (8.5, 3.4)


#: One colour per pulse width, from the shortest to the longest.
WIDTH_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e")


def set_book_style() -> None:
    """Apply :data:`BOOK_STYLE` to matplotlib (call once, in a chapter's set-up cell)."""
    mpl.rcParams.update(BOOK_STYLE)


def axes_or_new(ax):
    """``ax``, or the axes of a new figure when ``ax`` is None."""
    return plt.subplots()[1] if ax is None else ax


#: Marker per training strategy of the sweep: its rule's (``Rule.style``), and for symmetry point
#: shifting, which shares plain SGD's rule, one per variant.
STRATEGY_MARKERS = {**{name: s.rule.style.get("marker", "o") for name, s in STRATEGIES.items()},
                    "sps": "s", "sps-global": "D"}


def width_colour(width_s: float, widths) -> str:
    """The colour of a pulse width among ``widths``: the shortest gets the first colour."""
    order = sorted(float(w) for w in widths)
    return WIDTH_COLOURS[order.index(float(width_s)) % len(WIDTH_COLOURS)]
