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
        A tuning folder; None: :data:`SHIPPED_TUNE`.

    Returns
    -------
    tuple
        ``((width_s, strategy, ((name, value), …)), …)``.
    """
    folder = Path(SHIPPED_TUNE if source is None else source)
    try:
        storage.check_folder(folder)
        chosen = storage.read_csv(folder / CHOSEN_FILE, verify=False)   # checked above
    except storage.DamagedFile as err:
        raise storage.DamagedFile(err.path, err.problem, "reinstall fetrain, or remake the "
                                  "tuning with: fetrain tune --scale paper") from None
    out = []
    for t in widths_s:
        rows = chosen[(chosen["scheme"] == scheme) & np.isclose(chosen["width_s"], t, rtol=1e-9)
                      & chosen["chosen"].astype(bool)]
        for _, row in rows.iterrows():
            setting = {k.removeprefix("param_"): v for k, v in row.items()
                       if k.startswith("param_")}
            if row["strategy"] == "mp":
                values = (("lr", float(setting["lr"])), ("threshold", float(setting["threshold"])),
                          ("transfer_every", int(setting["transfer_every"])))
                out.append((float(t), "mp", values))
            else:
                values = (("lr", float(setting["lr"])), ("desired_bl", int(setting["desired_bl"])))
                names = ("sgd",) if row["strategy"] == "sgd" else ("sps", "sps-global")
                out += [(float(t), name, values) for name in names]
    return tuple(out)

