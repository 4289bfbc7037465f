"""How far to trust a fit's ±: the coverage of its stated uncertainties over freshly generated
campaigns — z-scores of the Schottky fit's parameters (:func:`schottky_z_scores`,
:func:`coverage_summary`) and of the symmetry points of two-basin traces
(:func:`symmetry_point_coverage`). It uses the device's campaign, fits and two-basin traces
(:mod:`fetrain.device`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..device.campaign import SyntheticCampaign, default_campaign
from ..device.fitting import fit_schottky


def schottky_z_scores(seeds, campaign: SyntheticCampaign | None = None,
                      states=("P000", "P100"), min_voltage_V: float = 0.5) -> pd.DataFrame:
    """Fit the Schottky law to freshly generated I–V sweeps for each seed; return z-scores.

    For every seed, the campaign is regenerated with that seed (new device D1, new noise), the
    saturated ``states`` are fitted (:func:`fetrain.device.fitting.fit_schottky`) and each estimate is
    compared with the generating value: z = (estimate − true)/σ. If the uncertainties are honest,
    z is standard normal and |z| < 1.96 for about 95% of the seeds.

    Returns one row per seed with columns ``seed``, ``ln_prefactor``, ``eps_optical`` and
    ``barrier_<state>`` (the z-scores).

    Parameters
    ----------
    seeds : iterable of int
        Campaign seeds.
    campaign : SyntheticCampaign, optional
        The campaign to regenerate; None: :func:`fetrain.device.campaign.default_campaign`.
    states : sequence of str
        Saturated states to fit, of ``P000`` and ``P100``.
    min_voltage_V : float
        Smallest |V| fitted (V).

    Returns
    -------
    pandas.DataFrame
        ``seed`` and one z-score column per parameter (dimensionless).

    Raises
    ------
    ValueError
        If a state is not a saturated one, or a fit fails (see
        :func:`fetrain.device.fitting.fit_schottky`).
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

    Parameters
    ----------
    z_scores : pandas.DataFrame
        Output of :func:`schottky_z_scores`.

    Returns
    -------
    pandas.DataFrame
        ``parameter``, ``within_1_sigma`` and ``within_1.96_sigma`` (fractions), ``mean_z`` and
        ``std_z`` (dimensionless).
    """
    z = z_scores.drop(columns="seed")
    return pd.DataFrame({"within_1_sigma": (z.abs() < 1).mean(),
                         "within_1.96_sigma": (z.abs() < 1.96).mean(),
                         "mean_z": z.mean(), "std_z": z.std()}).rename_axis("parameter").reset_index()


def symmetry_point_coverage(seeds, degree: int = 9, n_resamples: int = 100,
                            **trace_changes) -> pd.DataFrame:
    """How well the stated uncertainty of a symmetry point covers the truth, on generated traces.

    For each seed, a :class:`fetrain.device.twobasin.TwoBasinTrace` (with ``trace_changes``) is read as a
    normalized up/down file would be, fitted at ``degree``, and its stable points resampled
    (:func:`fetrain.device.build.symmetry_point_uncertainty`). One row per seed and true point:
    ``truth`` (on the fit's w scale), ``found`` (a fitted point in the true point's basin),
    ``w``, ``uncertainty`` and ``z`` = |w − truth| / uncertainty (w units; NaN when not found).

    Parameters
    ----------
    seeds : iterable of int
        Trace seeds.
    degree : int
        Degree of the curve polynomials.
    n_resamples : int
        Resamplings per trace (counts).
    **trace_changes
        Fields of :class:`fetrain.device.twobasin.TwoBasinTrace` to change.

    Returns
    -------
    pandas.DataFrame
        ``seed``, ``point``, ``truth``, ``found``, ``w`` and ``uncertainty`` (w units), ``z``
        (dimensionless).
    """
    from ..device.build import build_device_model, symmetry_point_uncertainty
    from ..device.loading import updown_table
    from ..device.twobasin import TwoBasinTrace

    rows = []
    for seed in seeds:
        trace = TwoBasinTrace(seed=int(seed), **trace_changes)
        pulses = updown_table(*trace.reads()).assign(pulse_width_s=np.nan, amplitude_V=np.nan)
        model = build_device_model(pulses, degree=degree)
        points = symmetry_point_uncertainty(model, pulses, n_resamples=n_resamples,
                                                        seed=int(seed), degree=degree)
        truth = trace.on_scale(model.g_min_S, model.g_max_S)
        for k, w_true in enumerate(truth.stable_points):
            near = [p for p in points if p.basin[0] <= w_true <= p.basin[1]]
            p = min(near, key=lambda q: abs(q.w - w_true)) if near else None
            rows.append({"seed": int(seed), "point": k + 1, "truth": w_true, "found": p is not None,
                         "w": p.w if p else np.nan,
                         "uncertainty": p.uncertainty if p else np.nan,
                         "z": abs(p.w - w_true) / p.uncertainty if p else np.nan})
    return pd.DataFrame(rows)
