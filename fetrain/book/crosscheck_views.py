"""Appendix A's tables and sentences: the exact check, the cross-checks' mean curves and tests,
and where AIHWKit's side of each came from (the shipped results) and what the page computed.
"""

from __future__ import annotations

import pandas as pd

from .tables import table

#: How the page writes each check (the names of :data:`fetrain.study.crosscheck.CROSS_CHECKS`).
CHECK_LABELS: dict[str, str] = {"plain": "plain SGD (symmetrized)",
                                "shifting": "symmetry point shifting",
                                "mixed_precision": "mixed precision",
                                "ttv2": "Tiki-Taka v2 (symmetrized)"}

#: Formats of the tests' tables (accuracies as fractions).
AGREEMENT_FORMAT = {"fetrain": "{:.3f}", "AIHWKit": "{:.3f}", "difference": "{:+.3f}",
                    "se": "{:.4f}", "t": "{:.2f}", "margin": "{:.3f}"}
#: Formats of the mean curves' tables (epochs; accuracies as fractions).
CURVE_FORMAT = {"epoch": "{:.2f}", "fetrain": "{:.3f}", "AIHWKit": "{:.3f}",
                "difference": "{:+.3f}"}


def label(name: str) -> str:
    """A check's name as the page writes it (``"shifting"`` → ``"symmetry point shifting"``)."""
    return CHECK_LABELS.get(name, name)


def exact_table(exact: pd.DataFrame):
    """The exact single-update check (:func:`fetrain.study.exactness.single_update_table`).

    Parameters
    ----------
    exact : pandas.DataFrame
        One row per reference; weight change and difference in w units.

    Returns
    -------
    pandas.io.formats.style.Styler
        The styled table.
    """
    return table(exact.rename(columns={"largest weight change": "largest weight change (w)",
                                       "largest difference": "largest difference (w)"}),
                 {"largest weight change (w)": "{:.4f}", "largest difference (w)": "{:.1e}"})


def labelled(by_check: dict) -> dict:
    """The same values under the names the page writes (``"shifting"`` → ``"symmetry point
    shifting"``), e.g. for a figure's labels.

    Parameters
    ----------
    by_check : dict
        Check name to anything.

    Returns
    -------
    dict
        Label to the same values, in the same order.
    """
    return {label(name): value for name, value in by_check.items()}


def curve_means_table(paired: dict):
    """Each check's mean test accuracy of both engines at every evaluation
    (:func:`fetrain.study.crosscheck.curve_means`), one block of rows per check.

    Parameters
    ----------
    paired : dict of str to pandas.DataFrame
        Check name to its paired curves (:func:`fetrain.study.crosscheck.paired_curves`).

    Returns
    -------
    pandas.io.formats.style.Styler
        ``check`` (when there are several), ``epoch``, ``fetrain``, ``AIHWKit`` and
        ``difference`` (fractions of accuracy).
    """
    from ..study.crosscheck import curve_means

    frames = {name: curve_means(curves) for name, curves in labelled(paired).items()}
    if len(frames) == 1:
        return table(next(iter(frames.values())), CURVE_FORMAT)
    joined = pd.concat(frames, names=["check"]).reset_index(level=0)
    return table(joined, CURVE_FORMAT)


def agreement_table(tests: dict):
    """Each check's test (:func:`fetrain.study.crosscheck.agreement`), one row per check.

    Parameters
    ----------
    tests : dict of str to pandas.DataFrame
        Check name to its one-row test.

    Returns
    -------
    pandas.io.formats.style.Styler
        ``check``, ``seeds``, ``evaluations`` (counts), ``fetrain``, ``AIHWKit`` (mean accuracy
        over the curve, fractions), ``difference``, ``se``, ``margin`` (fractions of accuracy),
        ``t`` (dimensionless), ``agree``.
    """
    joined = pd.concat(labelled(tests), names=["check"]).reset_index(level=0)
    return table(joined, AGREEMENT_FORMAT)


def seeds_line(checks: dict, scale: str) -> str:
    """One line for the page's head: which seeds each check tests, and what is read and what
    trained.

    Parameters
    ----------
    checks : dict of str to CrossCheck
        Check name to the check at the page's scale.
    scale : str
        The page's scale.

    Returns
    -------
    str
        The line.
    """
    from ..study.crosscheck import get_check

    parts = []
    for name, check in checks.items():
        book = get_check(name)
        seeds = check.seeds
        shown = f"seeds {seeds[0]}–{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}"
        whole = "all" if seeds == book.seeds else f"first {len(seeds)} of {len(book.seeds)}"
        parts.append(f"{label(name)}: {shown} ({whole})")
    return (f"statistical checks at scale {scale} — " + "; ".join(parts)
            + ". AIHWKit's curves are read from the shipped results; fetrain's side is trained "
            "here.")


def provenance(records: dict, current: str | None = None) -> str:
    """Where AIHWKit's side of the checks comes from, as a sentence: the command that made it,
    the AIHWKit and torch versions, the seconds of its runs, the code fingerprints its records
    hold and whether they are the current code's.

    Parameters
    ----------
    records : dict of str to dict
        Check name to its shipped record (:func:`fetrain.study.crosscheck.load_crosscheck`).
    current : str, optional
        The current code's :func:`~fetrain.common.fingerprint.bridge_fingerprint`; None: read it.

    Returns
    -------
    str
        Two or three sentences of plain text.
    """
    from ..common.fingerprint import bridge_fingerprint, same_bridge_numbers

    current = bridge_fingerprint() if current is None else current
    rows = list(records.values())
    commands = sorted({r["command"].split(" --")[0] for r in rows})
    versions = sorted({f"AIHWKit {r['aihwkit_version']} (torch {r['torch_version']})"
                       for r in rows})
    workers = sorted({int(r["workers"]) for r in rows})
    times = ", ".join(f"{label(name)} {float(r['seconds']):.0f} s"
                      for name, r in records.items())
    total = sum(float(r["seconds"]) for r in rows)
    bridges = sorted({r["bridge"] for r in rows})
    engines = sorted({r["engine"] for r in rows})
    if bridges == [current]:
        verdict = "the current code's: the shipped runs were made by the code this page runs"
    elif all(same_bridge_numbers(b) for b in bridges):
        verdict = (f"an earlier version of the current code ({current}) whose AIHWKit runs "
                   "the current code makes alike: only fetrain engine code changed since, "
                   "and the engine's golden runs give the same numbers bit for bit")
    else:
        verdict = (f"NOT the current code's ({current}): the shipped runs were made by other "
                   "code; remake them before reading the comparison as one of this code")
    side = " or ".join(map(str, workers)) + (" processes" if max(workers) > 1 else " process")
    return (f"AIHWKit's curves on this page are shipped runs, made by the command "
            f"{' and '.join(commands)} with {' and '.join(versions)}. Its runs took, added "
            f"up: {times} — each run on one core, {side} side by side ({total:.0f} s of one core in all). "
            f"Their records hold the bridge fingerprint {', '.join(bridges)} (engine "
            f"{', '.join(engines)}), which is {verdict}.")
