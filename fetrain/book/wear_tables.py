"""Tables of what training costs the devices (Chapter 9), shaped for the page from the study's
frames (:mod:`fetrain.study.wear`, :mod:`fetrain.study.recalibration`)."""

from __future__ import annotations

import pandas as pd

from ..common.display import format_width
from .tables import table


def laws_table(laws: dict):
    """The wear laws: name, constants and where they come from.

    Parameters
    ----------
    laws : dict of str to law
        Wear laws by name.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    rows = [{"law": name, "constants": law.label.split("(", 1)[-1].rstrip(")"),
             "anchor": law.source} for name, law in laws.items()]
    return table(pd.DataFrame(rows), widths=["22%", "33%", "45%"])


def layers_table(frame: pd.DataFrame):
    """Pulses per device per array and layer of one run per strategy
    (:func:`fetrain.study.wear.pulse_layers`).

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    shown = frame.assign(idle=frame["idle"] * 100).rename(columns={
        "run": "strategy", "devices": "devices", "idle": "never pulsed (%)",
        "mean": "mean pulses", "p999": "99.9th pct", "max": "max pulses"})
    return table(shown, formats={"never pulsed (%)": "{:.1f}", "mean pulses": "{:,.1f}",
                                 "99.9th pct": "{:,.0f}", "max pulses": "{:,.0f}",
                                 "devices": "{:,}"})


def trainings_table(summ: pd.DataFrame, laws):
    """Trainings to the target per chip lifetime: one row per width and strategy, one column
    per law (means over seeds; the busiest device decides).

    Parameters
    ----------
    summ : pandas.DataFrame
        :func:`fetrain.study.wear.lifetime_summary` of one scheme.
    laws : iterable of str
        The laws, in column order.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    laws = list(laws)
    wide = summ.pivot_table(index=["width_s", "strategy"], columns="law", values="trainings",
                            dropna=False)
    wide = wide.reindex(columns=laws).reset_index()
    wide.insert(0, "width", [format_width(w) for w in wide.pop("width_s")])
    energy = summ[summ["law"] == laws[0]].set_index(["width_s", "strategy"])
    wide.insert(2, "energy to target (µJ)",
                [energy.loc[(w, s), "total_to_target_J"] * 1e6
                 for w, s in zip(summ.drop_duplicates(["width_s", "strategy"])
                                 .sort_values(["width_s", "strategy"])["width_s"],
                                 summ.drop_duplicates(["width_s", "strategy"])
                                 .sort_values(["width_s", "strategy"])["strategy"])])
    formats = {name: "{:.3g}" for name in laws}
    formats["energy to target (µJ)"] = "{:,.0f}"
    return table(wide, formats=formats, na_rep="not reached")


def aging_table(frame: pd.DataFrame):
    """The recalibration study (:func:`fetrain.study.recalibration.aging_table`): per age and
    variant, the symmetry point's shift and the accuracies.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    shown = pd.DataFrame({
        "age (trainings)": frame["trainings"], "reference": frame["variant"],
        "cycles": frame["cycles"], "w* shift": frame["shift"],
        "validation (%)": frame["val"] * 100, "min (%)": frame["val_min"] * 100,
        "max (%)": frame["val_max"] * 100, "test (%)": frame["test"] * 100})
    return table(shown, formats={"age (trainings)": "{:,.0f}", "cycles": "{:.3g}",
                                 "w* shift": "{:+.3f}", "validation (%)": "{:.1f}",
                                 "min (%)": "{:.1f}", "max (%)": "{:.1f}",
                                 "test (%)": "{:.1f}"})


def plane_table(plane: dict):
    """Per wear law, the configuration cheapest in energy to the target and the one that
    survives the most trainings (:func:`fetrain.study.wear.winners`).

    Parameters
    ----------
    plane : dict of str to dict or None
        :func:`fetrain.study.wear.winners` per law.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    rows = []
    for law, w in plane.items():
        if w is None:
            rows.append({"law": law})
            continue
        e, t = w["energy"], w["lifetime"]
        rows.append({"law": law,
                     "cheapest in energy": f"{e['strategy']}, {format_width(e['width_s'])}",
                     "its trainings": e["trainings"],
                     "longest-lasting": f"{t['strategy']}, {format_width(t['width_s'])}",
                     "its trainings ": t["trainings"],
                     "its energy (µJ)": t["total_to_target_J"] * 1e6,
                     "same width in a strategy": f"{int(w['per_strategy']['same'].sum())} of "
                                                 f"{len(w['per_strategy'])}"})
    return table(pd.DataFrame(rows), formats={"its trainings": "{:.3g}",
                                              "its trainings ": "{:.3g}",
                                              "its energy (µJ)": "{:,.0f}"},
                 na_rep="not reached")
