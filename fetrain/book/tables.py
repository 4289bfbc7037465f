"""Tables as the book shows them: styled, with units, NaN as 'unknown', mean ± spread.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def table(frame: pd.DataFrame, formats=None, widths=None, na_rep: str = "unknown"):
    """A pandas Styler that fits the book's text column: wrapped cells, no index.

    Every table of the book goes through this helper, so that all look alike.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to show; its index is hidden (put what names a row into a column). Columns of a
        two-level header are joined as ``"upper: lower"``.
    formats : dict or str, optional
        Passed to ``Styler.format``: a format string per column, such as ``{"E (µJ)": "{:.3g}"}``.
    widths : list of str, optional
        CSS widths, one per column from the left (``"20%"``), fixing the column widths.
    na_rep : str
        What a missing value (NaN) shows: ``"unknown"`` unless the table means something else by
        it, such as ``"not reached"``.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table; a notebook shows it as HTML.
    """
    if isinstance(frame.columns, pd.MultiIndex):
        frame = frame.copy()
        frame.columns = [": ".join(str(level) for level in column if str(level))
                         for column in frame.columns]
    styler = frame.style.hide(axis="index").format(formats, na_rep=na_rep)
    styles = [
        {"selector": "", "props": "width: 100%; table-layout: fixed; font-size: 0.85em;"},
        {"selector": "td, th", "props": "white-space: normal; overflow-wrap: break-word; "
                                        "hyphens: auto; vertical-align: top; padding: 2px 6px; "
                                        "text-align: left;"},
    ]
    for i, width in enumerate(widths or []):
        styles.append({"selector": f"th.col_heading.col{i}", "props": f"width: {width};"})
    return styler.set_table_styles(styles)


def mean_and_spread(frame: pd.DataFrame, by: str, columns, scale: float = 1.0,
                    digits: int = 1) -> pd.DataFrame:
    """Mean ± standard deviation over seeds, as text, one row per group.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per run (seed), with the column ``by`` naming the group.
    by : str
        The column that names a row's group (kept, first column of the result).
    columns : list of str
        The numeric columns to summarise.
    scale : float
        Factor applied before formatting (100 shows a fraction as percent).
    digits : int
        Decimals shown.

    Returns
    -------
    pandas.DataFrame
        ``by``, then for each column the text ``"mean ± std"`` (``"mean"`` alone for a single
        run), and ``seeds``, the number of runs per group; groups in order of first appearance.
    """
    grouped = frame.groupby(by, sort=False)
    rows = []
    for name, group in grouped:
        row = {by: name}
        for column in columns:
            values = group[column].to_numpy(dtype=float) * scale
            mean = np.nanmean(values) if np.isfinite(values).any() else np.nan
            if not np.isfinite(mean):
                row[column] = "unknown"
            elif len(values) > 1:
                row[column] = f"{mean:.{digits}f} ± {np.nanstd(values, ddof=1):.{digits}f}"
            else:
                row[column] = f"{mean:.{digits}f}"
        row["seeds"] = len(group)
        rows.append(row)
    return pd.DataFrame(rows)


def parameters_table(params):
    """A chapter's parameters as the page shows them: name, value, the book's default, meaning.

    Parameters
    ----------
    params : fetrain.book.kit.Parameters
        The chapter's parameters.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table.
    """
    return table(params.table(), widths=["18%", "22%", "22%", "38%"])


def accuracy_table(final: pd.DataFrame):
    """Final test and validation accuracy of each group of runs, mean ± standard deviation over
    seeds, in percent.

    Parameters
    ----------
    final : pandas.DataFrame
        :func:`fetrain.study.runs.final_accuracies` (fractions).

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per group: ``run``, test and validation accuracy (%), seeds.
    """
    summary = mean_and_spread(final, "run", ["test accuracy", "validation accuracy"], scale=100)
    return table(summary.rename(columns={"test accuracy": "test accuracy (%)",
                                         "validation accuracy": "validation accuracy (%)"}))


def layers_table(by_layer: pd.DataFrame):
    """Where the weights went, per layer (:func:`fetrain.study.runs.layers_over_seeds`).

    Parameters
    ----------
    by_layer : pandas.DataFrame
        Indexed by layer.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table (states in w units, the up fraction dimensionless).
    """
    formats = {"pulsed": "{:,.0f}", "median w (pulsed)": "{:+.3f}", "median w* (pulsed)": "{:+.3f}",
               "median w − median w*": "{:+.3f}", "up fraction": "{:.3f}", "balance point": "{:+.3f}"}
    return table(by_layer.reset_index(), formats)


def epoch_costs_table(costs: pd.DataFrame):
    """Pulses and energy of each epoch (:func:`fetrain.study.runs.epoch_costs`), energies in nJ.

    Parameters
    ----------
    costs : pandas.DataFrame
        Energies in J.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table.
    """
    shown = costs.assign(**{"study energy (nJ)": costs["study energy (J)"] * 1e9,
                            "complete energy (nJ)": costs["complete energy (J)"] * 1e9})
    shown = shown.drop(columns=["study energy (J)", "complete energy (J)"])
    return table(shown, {"epoch": "{:.0f}", "test accuracy": "{:.3f}", "pulses": "{:,.0f}",
                         "study energy (nJ)": "{:,.1f}", "complete energy (nJ)": "{:,.1f}"})


def centring_table(centring: pd.DataFrame):
    """Where the pulsed weights w − w_ref sit, and each layer's share of up pulses, per group of
    runs (:func:`fetrain.study.shifting.centring`).

    Parameters
    ----------
    centring : pandas.DataFrame
        Indexed by layer, two-level columns (group, quantity).

    Returns
    -------
    pandas.io.formats.style.Styler
        One row per layer; medians in w units (signed), up fractions dimensionless.
    """
    formats = {f"{group}: {quantity}": "{:+.3f}" if quantity.startswith("median") else "{:.2f}"
               for group, quantity in centring.columns}
    return table(centring.reset_index(), formats)


def accuracy_at_epoch_table(accuracy: pd.Series, epoch: float = 1.0):
    """Test accuracy of each group of runs at one epoch
    (:func:`fetrain.study.runs.accuracy_at_epoch`).

    Parameters
    ----------
    accuracy : pandas.Series
        Accuracy (fraction) by group name.
    epoch : float
        The epoch it was read at.

    Returns
    -------
    pandas.io.formats.style.Styler
        ``run`` and the accuracy (%).
    """
    column = f"test accuracy after {epoch:g} epoch(s) (%)"
    return table(pd.DataFrame({"run": accuracy.index, column: accuracy.to_numpy() * 100}),
                 {column: "{:.1f}"})


def robustness_runs_table(runs: pd.DataFrame):
    """The runs of a robustness sweep (:func:`fetrain.study.robustness.robustness_table`).

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per run (accuracies as fractions).

    Returns
    -------
    pandas.io.formats.style.Styler
        Sweep, offset (w) or drift (w per epoch), seed, test and validation accuracy (%).
    """
    value = "offset (w) or drift (w per epoch)"
    shown = pd.DataFrame({"sweep": runs["sweep"], value: runs["value"], "seed": runs["seed"],
                          "test accuracy (%)": runs["test_accuracy"] * 100,
                          "validation accuracy (%)": runs["val_accuracy"] * 100})
    return table(shown, {value: "{:+.2f}", "test accuracy (%)": "{:.1f}",
                         "validation accuracy (%)": "{:.1f}"})


def final_costs_table(costs: pd.DataFrame):
    """Final accuracy, pulses and analog write energy per algorithm
    (:func:`fetrain.study.mixed.final_costs`), energies in µJ.

    Parameters
    ----------
    costs : pandas.DataFrame
        Energies in J, accuracy as a fraction.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table.
    """
    shown = costs.rename(columns={"analog write, study (J)": "analog write, study (µJ)",
                                  "analog write, complete (J)": "analog write, complete (µJ)"})
    for column in ("analog write, study (µJ)", "analog write, complete (µJ)"):
        shown[column] = shown[column] * 1e6
    return table(shown, {"test accuracy": "{:.3f}", "pulses": "{:,.0f}",
                         "analog write, study (µJ)": "{:.2f}",
                         "analog write, complete (µJ)": "{:.2f}"})


def threshold_table(sweep: pd.DataFrame):
    """Mixed precision's threshold sweep (:func:`fetrain.study.mixed.threshold_table`).

    Parameters
    ----------
    sweep : pandas.DataFrame
        ``ε / dw_min``, ``test accuracy`` (fraction), ``pulses`` (counts).

    Returns
    -------
    pandas.io.formats.style.Styler
        ε / dw_min, test accuracy (%), pulses.
    """
    shown = sweep.assign(**{"test accuracy": sweep["test accuracy"] * 100})
    return table(shown.rename(columns={"test accuracy": "test accuracy (%)"}),
                 {"ε / dw_min": "{:g}", "test accuracy (%)": "{:.1f}", "pulses": "{:,.0f}"})


def digital_costs_table(costs):
    """The per-operation energies of a :class:`fetrain.train.hardware.DigitalCosts`, each with
    its source: Horowitz (ISSCC 2014, 45 nm) or a stated assumption for the defaults, "parameter
    cell" for an entry that differs from them.

    Parameters
    ----------
    costs : DigitalCosts
        J per operation.

    Returns
    -------
    pandas.io.formats.style.Styler
        ``operation``, ``energy (pJ)``, ``source``.
    """
    from ..train.hardware import DigitalCosts

    default = DigitalCosts()
    entries = [("FP32 multiply", "multiply_J", "Horowitz 2014"),
               ("FP32 add", "add_J", "Horowitz 2014"),
               ("32-bit SRAM read (8 KB)", "read_J", "Horowitz 2014"),
               ("32-bit SRAM write", "write_J", "assumed equal to a read"),
               ("compare with ε", "compare_J", "assumed equal to an FP32 add")]
    rows = [{"operation": operation, "energy (pJ)": getattr(costs, field) * 1e12,
             "source": source if getattr(costs, field) == getattr(default, field)
             else "parameter cell"} for operation, field, source in entries]
    return table(pd.DataFrame(rows), {"energy (pJ)": "{:.2f}"})


def overheads_table(overheads: pd.DataFrame):
    """What each algorithm costs beside the crossbar (:func:`fetrain.study.mixed.overheads`):
    energies in µJ, memory in kB.

    Parameters
    ----------
    overheads : pandas.DataFrame
        Energies in J, memory in bytes, accuracy as a fraction.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table.
    """
    shown = overheads[["algorithm", "test accuracy"]].copy()
    formats = {"test accuracy": "{:.3f}"}
    for column, digits in (("analog write, study", "{:.1f}"), ("analog write, complete", "{:.1f}"),
                           ("digital", "{:,.0f}"), ("one-off reference programming", "{:,.0f}"),
                           ("total, complete", "{:,.0f}")):
        shown[f"{column} (µJ)"] = overheads[f"{column} (J)"] * 1e6
        formats[f"{column} (µJ)"] = digits
    shown["extra memory (kB)"] = overheads["extra memory (bytes)"] / 1e3
    formats["extra memory (kB)"] = "{:,.0f}"
    return table(shown, formats)


def aihwkit_runs_table(perfect: pd.DataFrame, bound12: pd.DataFrame, run, scale):
    """Test accuracy per epoch of AIHWKit's two runs of Chapter 3 (perfect I/O and AIHWKit's
    default output bound of 12) beside fetrain's run of the same configuration.

    Parameters
    ----------
    perfect, bound12 : pandas.DataFrame
        AIHWKit's curves (``epoch``, ``test_accuracy`` as fractions), one evaluation per half
        epoch, as :func:`fetrain.study.crosscheck.load_crosscheck` reads them.
    run : RunResult
        fetrain's run (seed 0 of the page); at quick scale a shorter run than AIHWKit's, shown
        where its evaluations exist.
    scale : fetrain.common.scale.Scale
        The page's scale (named in the fetrain column).

    Returns
    -------
    pandas.io.formats.style.Styler
        Whole epochs only; accuracies as fractions.
    """
    frame = pd.DataFrame({"epoch": perfect["epoch"].to_numpy(),
                          "AIHWKit, perfect I/O": perfect["test_accuracy"].to_numpy(),
                          "AIHWKit, out_bound 12": bound12["test_accuracy"].to_numpy()})
    ours = run.history.set_index("epoch")["test_accuracy"]
    frame.insert(1, f"fetrain ({scale.name} scale)", frame["epoch"].map(ours))
    frame = frame[frame["epoch"] == np.floor(frame["epoch"])]
    return table(frame, {c: "{:.3f}" for c in frame.columns[1:]} | {"epoch": "{:.0f}"},
                 na_rep="–")


def arrays_table(arrays: pd.DataFrame):
    """Where each algorithm's pulses went (:func:`fetrain.study.transfer.arrays_table`).

    Parameters
    ----------
    arrays : pandas.DataFrame
        Counts, accuracy as a fraction.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table (accuracy in %).
    """
    shown = arrays.assign(**{"test accuracy": arrays["test accuracy"] * 100}).rename(
        columns={"test accuracy": "test accuracy (%)"})
    return table(shown, {"test accuracy (%)": "{:.1f}", "pulses, weights' array": "{:,.0f}",
                         "pulses, fast array": "{:,.0f}", "columns read": "{:,.0f}",
                         "buffer writes": "{:,.0f}"})


def traces_table(last: pd.DataFrame):
    """The arrays at the end of :func:`fetrain.study.transfer.array_traces`, one row per rule:
    per layer, the fast array's mean state, the slow array's mean weight and its share of
    devices at a bound.

    Parameters
    ----------
    last : pandas.DataFrame
        The traces' rows at one point (states in w units, shares as fractions).

    Returns
    -------
    pandas.io.formats.style.Styler
        States in w units, shares in %.
    """
    rows = []
    for rule, g in last.groupby("rule", sort=False):
        row = {"rule": rule}
        for r in g.itertuples():
            row[f"fast state, {r.layer}"] = r.fast_state
            row[f"slow weight, {r.layer}"] = r.slow_mean
            row[f"slow at a bound, {r.layer} (%)"] = r.slow_at_bound * 100
        rows.append(row)
    frame = pd.DataFrame(rows)
    return table(frame, {c: ("{:.1f}" if c.endswith("(%)") else "{:+.3f}")
                         for c in frame.columns if c != "rule"})
