"""The chapter kit: what every chapter of the book is built with.

A chapter's parameters are one frozen dataclass (a subclass of :class:`Parameters`) whose
defaults are the book's; a reader who edits the parameter cell builds it with other values. A
:class:`Page` holds the parameters and the scale, glues numbers into the prose, and checks the
chapter's claims at its end:

* an **invariant** (:meth:`Page.claim`) holds for any parameters at any scale, and is always
  asserted;
* a **finding** (:meth:`Page.finding`) is what the chapter's prose reads off the book's own
  settings — its default parameters, and, for training runs, the book's scale. It is asserted
  when the page runs with those settings and otherwise reported as skipped, with the reason, so
  that a reader who changed a parameter learns which readings no longer apply instead of meeting
  a failure.

:func:`training_setup` gives the training chapters their data, device model and run settings at
the page's scale.
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from dataclasses import dataclass, field, fields, is_dataclass

import numpy as np

from ..common.display import format_width
from ..common.scale import Scale, current
from .claims import Claims
from .style import set_book_style

#: the scales at which a training chapter's findings are read (quick runs are too short)
FINDING_SCALES: tuple[str, ...] = ("book", "paper")


def parameter(default, doc: str, unit: str = "", none: str = "None", **kwargs):
    """A field of a chapter's :class:`Parameters`: its default (the book's), what it means and
    its unit.

    Parameters
    ----------
    default : object
        The book's value (a frozen dataclass instance or a tuple for structured values).
    doc : str
        What the parameter sets, in a few words.
    unit : str
        Its unit (``"s"`` shows a pulse width as ``20 ns``); empty when it has none.
    none : str
        What the value None means, as the page writes it (``"the scale's"``).
    **kwargs
        Passed on to :func:`dataclasses.field`.

    Returns
    -------
    dataclasses.Field
        The field.
    """
    return field(default=default, metadata={"doc": doc, "unit": unit, "none": none}, **kwargs)


def _shown(value, unit: str = "", none: str = "None") -> str:
    """A parameter value as the page writes it."""
    if value is None:
        return none
    if unit == "s" and isinstance(value, (int, float)):
        return format_width(float(value))
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, np.number)):
        return f"{float(value):g}" + (f" {unit}" if unit and unit != "1" else "")
    if isinstance(value, tuple):
        return "(" + ", ".join(_shown(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _differences(value, default, name: str, unit: str = "", none: str = "None") -> list[str]:
    """Where ``value`` differs from ``default``: nested dataclasses field by field."""
    if is_dataclass(value) and type(value) is type(default):
        out = []
        for f in fields(value):
            out += _differences(getattr(value, f.name), getattr(default, f.name),
                                f"{name}.{f.name}", f.metadata.get("unit", ""),
                                f.metadata.get("none", "None"))
        return out
    if _same(value, default):
        return []
    return [f"{name} = {_shown(value, unit, none)} (default {_shown(default, unit, none)})"]


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0) or (math.isnan(a) and math.isnan(b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):          # arrays
        return bool(np.array_equal(a, b))


@dataclass(frozen=True)
class Parameters:
    """The base of a chapter's parameters: subclass it with fields whose defaults are the book's
    (:func:`parameter` gives each field its meaning and unit).

    ``Parameters()`` of a subclass is the book's setting; ``Subclass(name=value)`` changes one.
    """

    def changes(self) -> tuple[str, ...]:
        """Each parameter that differs from the book's default, as ``name = value (default …)``;
        nested dataclasses (a device, a rule) field by field.

        Returns
        -------
        tuple of str
            The differences, in field order; empty for the book's setting.
        """
        out: list[str] = []
        for f in fields(self):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            out += _differences(getattr(self, f.name), default, f.name, f.metadata.get("unit", ""),
                                f.metadata.get("none", "None"))
        return tuple(out)

    @property
    def is_default(self) -> bool:
        """Whether these are the book's parameters."""
        return not self.changes()

    def table(self):
        """The parameters as a table: name, value, the book's default, meaning.

        Returns
        -------
        pandas.DataFrame
            One row per parameter.
        """
        import pandas as pd

        rows = []
        for f in fields(self):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            unit, none = f.metadata.get("unit", ""), f.metadata.get("none", "None")
            value = getattr(self, f.name)
            rows.append({"parameter": f.name,
                         "value": _shown(value, unit, none) if not is_dataclass(value) else
                         ("the book's" if _same(value, default) else "changed"),
                         "book's default": _shown(default, unit, none) if not is_dataclass(default)
                         else type(default).__name__ + "()",
                         "what it sets": f.metadata.get("doc", "")})
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class NoParameters(Parameters):
    """A chapter without parameters of its own (its settings follow the scale)."""


class Page:
    """One chapter as it runs: its parameters, its scale, the numbers it glues into its prose and
    the claims it checks at its end.

    Creating a page sets the book's figure style. Its ``claims`` print every claim with ✓, ✗
    or "skipped"; :meth:`finish` asserts them, so that a false one fails the book build (and the
    chapter's test).

    Parameters
    ----------
    params : Parameters
        The chapter's parameters.
    scale : str or Scale, optional
        The scale; None: the current one (``$FETRAIN_SCALE``, else ``book``).
    scale_matters : bool
        Whether the chapter's findings need the book's scale (training chapters) or hold at any
        scale (device physics and fitting, which do not train).

    Attributes
    ----------
    params : Parameters
        The parameters.
    scale : Scale
        The scale.
    claims : Claims
        The chapter's claims so far.
    """

    def __init__(self, params: Parameters, scale: str | Scale | None = None,
                 scale_matters: bool = True) -> None:
        if not isinstance(params, Parameters):
            raise TypeError(f"params must be a chapter's Parameters; got {type(params).__name__}")
        self.params = params
        self.scale = scale if isinstance(scale, Scale) else current(scale)
        self.scale_matters = scale_matters
        self.claims = Claims()
        set_book_style()

    # ---- what the page runs with ------------------------------------------------------------

    @property
    def is_default(self) -> bool:
        """Whether the page runs with the book's parameters."""
        return self.params.is_default

    @property
    def reads_findings(self) -> bool:
        """Whether the page's findings are checked: the book's parameters, and (when the scale
        matters) a scale at which the runs are long enough."""
        return self.is_default and (not self.scale_matters or self.scale.name in FINDING_SCALES)

    def why_not(self) -> str:
        """Why the findings are not checked ('' when they are)."""
        reasons = list(self.params.changes())
        if self.scale_matters and self.scale.name not in FINDING_SCALES:
            reasons.append(f"scale {self.scale.name} (the runs are too short; the findings are read "
                           f"at the {' or '.join(FINDING_SCALES)} scale)")
        return "; ".join(reasons)

    def reading_note(self) -> str:
        """A sentence for the prose: whether the reading that follows is what this page computed.

        Returns
        -------
        str
            One sentence.
        """
        if self.reads_findings:
            return "The reading below is what this page computed, with the book's settings."
        return (f"The reading below is stated for the book's settings; this page runs with "
                f"{self.why_not()}: compare it with the numbers above. The closing cell says "
                "which of its findings it checked.")

    def show(self, *lines: str) -> None:
        """Show the page's parameters as a table, then its scale and ``lines`` (what follows
        from the parameters: data, device, epochs …), wrapped to the text column.

        Parameters
        ----------
        *lines : str
            Lines to print under the table.
        """
        from IPython.display import display

        from .tables import parameters_table

        display(parameters_table(self.params))
        state = ("the book's parameters" if self.is_default
                 else "changed: " + "; ".join(self.params.changes()))
        for line in (f"scale {self.scale.name}; {state}", *lines):
            print(textwrap.fill(line, width=self.claims.width, subsequent_indent="  "))

    # ---- numbers in the prose ------------------------------------------------------------------

    def glue(self, **values) -> None:
        """Glue each value into the prose under its name (``{glue:text}`name```), not shown here.

        Numbers stay numbers (the prose formats them, ``{glue:text}`x:.1f```); numpy scalars
        become Python ones. A matplotlib figure is laid out tightly (unless it has a layout
        engine or a figure legend of its own), glued for a
        ``{glue:figure}`` directive and closed, so that the cell shows nothing.

        Parameters
        ----------
        **values
            name=value pairs.
        """
        from matplotlib.figure import Figure
        from myst_nb import glue

        for name, value in values.items():
            if isinstance(value, np.generic):
                value = value.item()
            # a figure that placed its own legend or colour bar keeps its layout
            if isinstance(value, Figure) and value.get_layout_engine() is None \
                    and not value.legends:
                value.tight_layout()
            glue(name, value, display=False)
            if isinstance(value, Figure):
                import matplotlib.pyplot as plt

                plt.close(value)

    def glue_settings(self, **extra) -> None:
        """Glue what every chapter's prose may name: ``scale``, ``reading_note`` and each
        parameter (numbers as numbers; a width also as ``<name>_label``, e.g. ``20 ns``), and any
        ``extra`` values.

        Parameters
        ----------
        **extra
            Further name=value pairs.
        """
        values = {"scale": self.scale.name, "reading_note": self.reading_note()}
        for f in fields(self.params):
            value = getattr(self.params, f.name)
            if isinstance(value, (bool, str)) or value is None:
                values[f.name] = str(value)
            elif isinstance(value, (int, float, np.number)):
                values[f.name] = value
                if f.metadata.get("unit") == "s":
                    values[f"{f.name}_label"] = format_width(float(value))
        self.glue(**values, **extra)

    # ---- claims -----------------------------------------------------------------------------------

    def claim(self, text: str, ok, needs_book_scale: bool = False) -> bool | None:
        """An invariant: holds for any parameters, and is asserted whatever the parameter cell
        says — at any scale, or, with ``needs_book_scale``, at the scales where the runs are long
        enough (otherwise skipped, with the reason).

        Parameters
        ----------
        text : str
            The claim, with its computed numbers.
        ok : bool
            Whether it holds.
        needs_book_scale : bool
            Whether it needs runs of the book's length.

        Returns
        -------
        bool or None
            Whether it holds; None when skipped.
        """
        if needs_book_scale and self.scale.name not in FINDING_SCALES:
            return self.claims.stated_for(False, "runs of the book's length", f"scale "
                                          f"{self.scale.name} (the runs are too short)", text, ok,
                                          brief=True)
        return self.claims(text, ok)

    def finding(self, text: str, ok, any_scale: bool = False) -> bool | None:
        """A finding of the chapter's prose, read off the book's settings: asserted when the page
        runs with them (:attr:`reads_findings`), otherwise printed as skipped with the reason.

        Parameters
        ----------
        text : str
            The claim, with its computed numbers.
        ok : bool
            Whether it holds (computed either way).
        any_scale : bool
            The finding holds for the book's parameters at every scale, short runs included
            (asserted by the quick-scale test run too).

        Returns
        -------
        bool or None
            Whether it holds when checked; None when skipped.
        """
        if any_scale:
            reasons = "; ".join(self.params.changes())
            return self.claims.stated_for(self.is_default, "the book's parameters", reasons, text,
                                          ok, brief=True)
        what = "the book's parameters" + (" at the book's scale" if self.scale_matters else "")
        return self.claims.stated_for(self.reads_findings, what, self.why_not(), text, ok,
                                      brief=True)

    def finish(self) -> None:
        """Assert every claim checked (and that at least one was): a false one fails the build.

        Raises
        ------
        AssertionError
            Naming every claim that does not hold.
        """
        skipped = len(self.claims.skipped)
        if skipped:
            print(textwrap.fill(f"{skipped} claim(s) skipped: they are read off the book's "
                                f"settings, and this page runs with {self.why_not()}.",
                                width=self.claims.width))
        self.claims.assert_all()


# ---- the training chapters' set-up -----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TrainingSetup:
    """What a training chapter trains with at its scale.

    Attributes
    ----------
    mnist : MNIST
        The embedded 5,000-digit subset (at quick scale, 700 of its training digits).
    model : DeviceModel
        The device model of the chosen width, from the embedded synthetic data set.
    label : str
        The width as the prose writes it (``20 ns``).
    epochs : int
        Epochs of every run (1 at quick scale; the book's, fixed by the pilot, otherwise).
    seeds : tuple of int
        Seeds of every configuration.
    target : float
        The target accuracy on this data set (fraction), fixed by the pilot.
    """

    mnist: object
    model: object
    label: str
    epochs: int
    seeds: tuple
    target: float

    def configs(self, model, lr: float, evaluations_per_epoch: int = 2, **fields) -> list:
        """One training configuration per seed, with this set-up's epochs: the runs the
        training chapters compare (the same configuration in two chapters is one run of the run
        cache, trained once).

        Parameters
        ----------
        model : DeviceModel or None
            The device model; None: the floating-point baseline.
        lr : float
            The learning rate.
        evaluations_per_epoch : int
            Evaluations per epoch (counts; the training chapters use 2).
        **fields
            Further :class:`~fetrain.train.config.TrainConfig` fields (``reference``,
            ``algorithm``, ``device_variation``, …).

        Returns
        -------
        list of TrainConfig
            One per seed of ``seeds``.
        """
        from ..train.config import TrainConfig

        return [TrainConfig(model=model, lr=lr, epochs=self.epochs, seed=seed,
                            evaluations_per_epoch=evaluations_per_epoch, **fields)
                for seed in self.seeds]

    def describe(self, lr: float | None = None) -> str:
        """One line: data, device, epochs, seeds (and learning rate)."""
        rate = "" if lr is None else f"lr {lr:g}, "
        return (f"{self.mnist.label}; {self.label} device ({self.model.source}), dw_min "
                f"{self.model.dw_min:.4f}, symmetry point {self.model.symmetry_point:+.3f}; "
                f"{rate}{self.epochs} epoch(s), seeds {self.seeds}")


def training_setup(width_s: float, scale: str | Scale | None = None) -> TrainingSetup:
    """The data, the device model and the run settings of a training chapter at a scale.

    Parameters
    ----------
    width_s : float
        The device's pulse width (s), one of the embedded campaign's.
    scale : str or Scale, optional
        The scale; None: the current one.

    Returns
    -------
    TrainingSetup
        The set-up.
    """
    from ..device.build import build_device_model
    from ..device.loading import load_embedded
    from ..study.pilot import DEFAULT_EPOCHS, TARGET_ACCURACY
    from ..train import data as mnist_data

    scale = scale if isinstance(scale, Scale) else current(scale)
    measurements = load_embedded()
    model = build_device_model(measurements.pulses, width_s, source=measurements.label)
    mnist = mnist_data.load_embedded().subset(scale.pick(quick=700, book=None, paper=None))
    return TrainingSetup(mnist=mnist, model=model, label=format_width(model.width_s),
                         epochs=scale.pick(quick=1, book=DEFAULT_EPOCHS, paper=DEFAULT_EPOCHS),
                         seeds=scale.pick(quick=(0,), book=(0, 1, 2), paper=(0, 1, 2, 3, 4)),
                         target=TARGET_ACCURACY["embedded"])


def replace_epochs(setup: TrainingSetup, epochs: int) -> TrainingSetup:
    """``setup`` with at most ``epochs`` epochs per run (a study that trains shorter runs than
    the chapter's).

    Parameters
    ----------
    setup : TrainingSetup
        The chapter's set-up.
    epochs : int
        Epochs wanted (counts, ≥ 1); the set-up's own where fewer.

    Returns
    -------
    TrainingSetup
    """
    from dataclasses import replace

    if int(epochs) < 1:
        raise ValueError(f"epochs must be ≥ 1; got {epochs!r}")
    return replace(setup, epochs=min(int(epochs), setup.epochs))
