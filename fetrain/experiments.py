"""Repeatable experiments that the chapters and tests run: each a plain function of its settings.

This module's room: loops over seeds and configurations that combine the other modules, returning
tidy tables. Every configuration draws from its own seeded generator.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .fitting import fit_schottky
from .synthetic import SyntheticCampaign, default_campaign


def schottky_z_scores(seeds, campaign: SyntheticCampaign | None = None,
                      states=("P000", "P100"), min_voltage_V: float = 0.5) -> pd.DataFrame:
    """Fit the Schottky law to freshly generated I–V sweeps for each seed; return z-scores.

    For every seed, the campaign is regenerated with that seed (new device D1, new noise), the
    saturated ``states`` are fitted (:func:`fetrain.fitting.fit_schottky`) and each estimate is
    compared with the generating value: z = (estimate − true)/σ. If the uncertainties are honest,
    z is standard normal and |z| < 1.96 for about 95% of the seeds.

    Returns one row per seed with columns ``seed``, ``ln_prefactor``, ``eps_optical`` and
    ``barrier_<state>`` (the z-scores).
    """
    base = default_campaign() if campaign is None else campaign
    rows = []
    for seed in seeds:
        camp = replace(base, plan=replace(base.plan, seed=int(seed)))
        dev = camp.iv_device()
        truth_barriers = {"P000": dev.conduction.barrier_off_eV, "P100": dev.conduction.barrier_on_eV}
        unknown = [s for s in states if s not in truth_barriers]
        if unknown:
            raise ValueError(f"states must be saturated states {tuple(truth_barriers)}; got {unknown}")
        fit = fit_schottky(camp.generate_iv(), dev.stack, states=states, min_voltage_V=min_voltage_V)
        z = fit.z_scores(np.log(dev.conduction.prefactor), dev.stack.eps_optical,
                         [truth_barriers[s] for s in states])
        row = {"seed": int(seed), "ln_prefactor": z[0], "eps_optical": z[1]}
        row.update({f"barrier_{s}": z[2 + i] for i, s in enumerate(states)})
        rows.append(row)
    return pd.DataFrame(rows)


def coverage_summary(z_scores: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: share of |z| < 1 and < 1.96, mean and standard deviation of z.

    ``z_scores`` is :func:`schottky_z_scores` output; for honest intervals expect about 0.683,
    0.95, 0 and 1.
    """
    z = z_scores.drop(columns="seed")
    return pd.DataFrame({"within_1_sigma": (z.abs() < 1).mean(),
                         "within_1.96_sigma": (z.abs() < 1.96).mean(),
                         "mean_z": z.mean(), "std_z": z.std()}).rename_axis("parameter").reset_index()
