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
    """Chapter 7's tuned settings of a scheme as ``cell_settings`` of
    :class:`fetrain.study.plan.SweepPlan`: every tuned cell (width × strategy) of ``widths_s``
    with a chosen setting, from the shipped paper tuning (or ``source``). Symmetry point
    shifting's tuned learning rate and bit length serve both of the sweep's variants (``sps``
    per device, ``sps-global``); the variant the tuning preferred is not imposed, since the
    sweep trains both. Cells the tuning left out (the two longest widths) or found no feasible
    setting for are not listed: they train with the fixed setting.

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
        ``((width_s, strategy, ((name, value), …)), …)``.
    """
    from .plan import SETTING_KEYS, STRATEGIES

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
                           if k.startswith("param_")}
                names = ("sps", "sps-global") if row["strategy"] == "sps" else (row["strategy"],)
                for name in names:
                    rule = STRATEGIES[name].rule
                    values = tuple((k, _typed(getattr(rule, k, 0.0), setting[k]))
                                   for k in SETTING_KEYS[name])
                    out.append((float(t), name, values))
    return tuple(out)


def _typed(like, value):
    """``value`` as the type of the rule's field ``like`` (an integer parameter stays one)."""
    if isinstance(like, int) and not isinstance(like, bool):
        return int(value)
    return float(value)
