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
