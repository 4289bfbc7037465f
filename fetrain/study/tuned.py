"""Chapter 7's tuned settings, read from the shipped paper-scale tuning, as the per-cell settings
of a sweep's plan (``cell_settings`` of :class:`fetrain.study.plan.SweepPlan`): how the full-MNIST
sweep trains each width at the setting the tuning chose for it. The tuning itself is
:mod:`fetrain.study.tune`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..common import storage
from ..common.files import SHIPPED_DIR

#: The paper-scale tuning made by ``fetrain tune --scale paper`` and shipped with fetrain.
SHIPPED_TUNE = SHIPPED_DIR / "tune-paper"


#: The transfer algorithms' paper-scale tuning (``fetrain tune --scale paper --strategies
#: ttv2,c-ttv2,agad --schemes iso-3.8``), shipped beside it.
SHIPPED_TUNE_TRANSFER = SHIPPED_DIR / "tune-transfer-paper"

#: Its table of chosen settings (one row per cell).
CHOSEN_FILE = "chosen.csv"


def tuned_settings(scheme: str, widths_s, source: str | Path | None = None) -> tuple:
    """The tuned settings of a scheme, cell by cell: every tuned cell (width × strategy) of
    ``widths_s`` with a chosen setting, from the shipped paper tunings (or ``source``), as the
    tuning names them. :meth:`fetrain.study.plan.SweepPlan.for_scale` turns them into a sweep's
    ``cell_settings`` (symmetry point shifting's tuned learning rate and bit length serve both of
    the sweep's variants, ``sps`` per device and ``sps-global``). Cells the tuning left out or
    found no feasible setting for are not listed: they train with the fixed setting.

    Parameters
    ----------
    scheme : str
        A programming scheme the tuning covered.
    widths_s : sequence of float
        Pulse widths (s).
    source : str or pathlib.Path, optional
        A tuning folder; None: :data:`SHIPPED_TUNE` and, where it is installed,
        :data:`SHIPPED_TUNE_TRANSFER`.

    Returns
    -------
    tuple
        ``((width_s, strategy, {name: value}), …)``, values as floats.
    """
    if source is not None:
        folders = [Path(source)]
    else:
        folders = [SHIPPED_TUNE] + ([SHIPPED_TUNE_TRANSFER] if SHIPPED_TUNE_TRANSFER.is_dir()
                                    else [])
    out = []
    for folder in folders:
        try:
            storage.check_folder(folder)
            chosen = storage.read_csv(folder / CHOSEN_FILE, verify=False)   # checked above
        except storage.DamagedFile as err:
            raise storage.DamagedFile(err.path, err.problem, "reinstall fetrain, or remake the "
                                      "tuning with: fetrain tune --scale paper") from None
        for t in widths_s:
            rows = chosen[(chosen["scheme"] == scheme)
                          & np.isclose(chosen["width_s"], t, rtol=1e-9)
                          & chosen["chosen"].astype(bool)]
            for _, row in rows.iterrows():
                setting = {k.removeprefix("param_"): v for k, v in row.items()
                           if k.startswith("param_") and not _missing(v)}
                out.append((float(t), row["strategy"], setting))
    return tuple(out)


def _missing(value) -> bool:
    """Whether a table cell is empty (a parameter of another strategy)."""
    return value is None or (isinstance(value, float) and np.isnan(value))
