"""What a device's measurements say: the analyses behind the device chapters (Chapters 1 and 2,
Appendix B), as plain functions that return tidy tables.

Chapter 1 reads the read I–V sweeps, the Schottky fit and the energy of a pulse of an
:class:`~fetrain.device.hzo.HZODevice`; Chapter 2 builds a device model for every pulse width of
a synthetic campaign and checks it against the generator's truth; Appendix B loads a reader's
files, fits normalized data with several symmetry points, and measures how far their stated
uncertainties can be trusted. Values are in SI units (or w units on the weight scale) unless a
column's name says otherwise; the book's tables (:mod:`fetrain.book.device_tables`) convert them
for display.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..device.build import build_device_model, build_device_models, symmetry_point_uncertainty
from ..device.campaign import CampaignPlan, SyntheticCampaign, Variability, default_campaign
from ..device.conduction import write_to_read_current_ratio
from ..device.fitting import SchottkyFit, mixture_check
from ..device.formats import PULSES_FILE
from ..device.hzo import DEFAULT_DEVICE, HZODevice
from ..device.loading import load_campaign, load_embedded
from ..device.model import DeviceModel
from ..device.stack import POLARITIES
from ..device.twobasin import TwoBasinTrace
from ..device.validate import DeviceFileError
from .coverage import symmetry_point_coverage

# ---- Chapter 1: the physics of one device -------------------------------------------------------


def iv_sweeps(campaign: SyntheticCampaign) -> tuple[pd.DataFrame, str]:
    """The read I–V sweeps of a campaign's device D1, and where they come from.

    The embedded data set is the default campaign's; any other campaign (another device, other
    noise) has its sweeps generated here.

    Parameters
    ----------
    campaign : SyntheticCampaign
        The campaign.

    Returns
    -------
    iv : pandas.DataFrame
        ``device``, ``state``, ``temperature_K`` (K), ``voltage_V`` (V), ``current_A`` (A).
    source : str
        ``"the embedded data set"`` or ``"generated for this device"``.
    """
    if campaign == default_campaign():
        return load_embedded().iv, "the embedded data set"
    return campaign.generate_iv(), "generated for this device"


def sweep_span(iv: pd.DataFrame, state: str = "P100", temperature_K: float = 300.0) -> dict:
    """How far one positive sweep reaches, and how many decades its current rises.

    Parameters
    ----------
    iv : pandas.DataFrame
        I–V table (``state``, ``temperature_K`` in K, ``voltage_V`` in V, ``current_A`` in A).
    state : str
        The state read.
    temperature_K : float
        The temperature read (K).

    Returns
    -------
    dict
        ``min_V`` and ``max_V`` (V): the lowest and highest positive voltage of the sweep;
        ``decades``: log10 of the current's rise between them (dimensionless).
    """
    sweep = iv[(iv["state"] == state) & (iv["temperature_K"] == temperature_K)
               & (iv["voltage_V"] > 0)].sort_values("voltage_V")
    current = sweep["current_A"].to_numpy()
    return {"min_V": float(sweep["voltage_V"].iloc[0]), "max_V": float(sweep["voltage_V"].iloc[-1]),
            "decades": float(np.log10(current[-1] / current[0]))}


def schottky_recovery(fit: SchottkyFit, device: HZODevice) -> pd.DataFrame:
    """The Schottky fit's estimates beside the values that generated the data.

    Parameters
    ----------
    fit : SchottkyFit
        A fit of the saturated states ``P000`` and ``P100``.
    device : HZODevice
        The device that generated the sweeps (the campaign's ``iv_device()``).

    Returns
    -------
    pandas.DataFrame
        The fit's table (``parameter``, ``estimate``, ``std_error``; ln K dimensionless,
        ε_opt dimensionless, barriers in eV) with ``generating value`` and
        ``z``: (estimate − generating value) / std_error (dimensionless).
    """
    truth = {"ln K": np.log(device.conduction.prefactor), "eps_optical": device.stack.eps_optical,
             "barrier P000": device.conduction.barrier_off_eV,
             "barrier P100": device.conduction.barrier_on_eV}
    table = fit.table()
    table["generating value"] = table["parameter"].map(truth)
    table["z"] = (table["estimate"] - table["generating value"]) / table["std_error"]
    return table


def mixture_states(iv: pd.DataFrame, fit: SchottkyFit, campaign: SyntheticCampaign,
                   temperature_K: float = 300.0) -> pd.DataFrame:
    """Every state's I–V curve predicted from its read and the two fitted saturated states.

    :func:`fetrain.device.fitting.mixture_check` with the campaign's generating states.

    Parameters
    ----------
    iv : pandas.DataFrame
        The campaign's I–V sweeps.
    fit : SchottkyFit
        The fit of ``P000`` and ``P100``.
    campaign : SyntheticCampaign
        The campaign (its read voltage and generating states).
    temperature_K : float
        Temperature of the sweeps checked (K).

    Returns
    -------
    pandas.DataFrame
        ``state``, ``p_from_read``, ``rms_ln_error`` and ``p_true`` (dimensionless).
    """
    plan = campaign.plan
    return mixture_check(iv, fit, "P000", "P100", temperature_K=temperature_K,
                         read_voltage_V=campaign.nominal.stack.read_voltage_V,
                         true_states=dict(zip(plan.iv_state_labels(), plan.iv_states)))


def write_current_gain(device: HZODevice, widths_s) -> dict:
    """How much more current a write pulse draws than the read, against Ohm's law.

    Parameters
    ----------
    device : HZODevice
        The device and its programming scheme.
    widths_s : sequence of float
        Pulse widths (s) whose amplitudes are considered.

    Returns
    -------
    dict
        ``write_V``: the highest write amplitude over the widths and both polarities (V);
        ``ratio``: I(write_V) / I(read voltage), from the Schottky law; ``ohmic``: the same
        ratio under Ohm's law, write_V / read voltage (both dimensionless).
    """
    v_write = max(device.write_amplitude(t, p) for t in widths_s for p in POLARITIES)
    return {"write_V": float(v_write),
            "ratio": float(write_to_read_current_ratio(v_write, device.stack)),
            "ohmic": float(v_write / device.stack.read_voltage_V)}


def energy_at_state(energies: pd.DataFrame, state: float = 0.5) -> pd.DataFrame:
    """The rows of an energy table at one state, with the ratio of the two formulas.

    Parameters
    ----------
    energies : pandas.DataFrame
        :func:`fetrain.device.energy.energy_table` (energies in J).
    state : float
        The polarisation state p before the pulse (dimensionless), one of the table's.

    Returns
    -------
    pandas.DataFrame
        Its rows at ``state`` with ``complete / study`` (dimensionless).
    """
    rows = energies[np.isclose(energies["state"], state)].copy()
    rows["complete / study"] = rows["complete_J"] / rows["study_J"]
    return rows.reset_index(drop=True)


def energy_by_width(energies: pd.DataFrame, column: str = "study_J") -> pd.DataFrame:
    """One energy column of an energy table, one row per (polarity, state), one column per width.

    Parameters
    ----------
    energies : pandas.DataFrame
        :func:`fetrain.device.energy.energy_table` (energies in J).
    column : str
        ``study_J`` or ``complete_J``.

    Returns
    -------
    pandas.DataFrame
        Energies (J), widths (s) increasing from left to right.
    """
    return energies.pivot_table(index=["polarity", "state"], columns="pulse_width_s",
                                values=column).sort_index(axis=1)


def cap_effect(amplitudes: pd.DataFrame) -> dict:
    """What the voltage cap does to a campaign's amplitudes.

    Parameters
    ----------
    amplitudes : pandas.DataFrame
        :meth:`fetrain.device.campaign.SyntheticCampaign.amplitude_table`.

    Returns
    -------
    dict
        ``capped``: the widths (s) whose needed amplitude the cap holds back; ``set_over_reset``:
        at the shortest width, the fraction a set pulse switches over the fraction a reset pulse
        switches (dimensionless).
    """
    shortest = amplitudes.sort_values("pulse_width_s").iloc[0]
    return {"capped": [float(t) for t in amplitudes.loc[amplitudes["capped"], "pulse_width_s"]],
            "set_over_reset": float(shortest["fraction_set"] / shortest["fraction_reset"])}


def read_current_density(device: HZODevice, voltage_V: float = 0.08, state: float = 1.0) -> float:
    """The read current density of a state, for comparison with published devices.

    Parameters
    ----------
    device : HZODevice
        The device (at its stack's temperature).
    voltage_V : float
        The read voltage (V).
    state : float
        The polarisation state p (dimensionless); 1 is fully set.

    Returns
    -------
    float
        |J| in A/cm².
    """
    current = device.conduction.current(voltage_V, state, device.stack)
    return float(abs(current) / (device.stack.area_m2 * 1e4))


# ---- Chapter 2: device models of a campaign -----------------------------------------------------


@dataclass(frozen=True, eq=False)
class CampaignModels:
    """The device models of every pulse width of a campaign, and the generator's truth.

    Attributes
    ----------
    campaign : SyntheticCampaign
        The campaign that produced the data.
    pulses : pandas.DataFrame
        Its pulse table (the embedded data set's, for the default campaign).
    source : str
        What the data are, as the models record it.
    models : dict of float to DeviceModel
        One model per width (s), shortest first.
    truths : dict of float to WidthTruth
        The generator's truth per width (s).
    """

    campaign: SyntheticCampaign
    pulses: pd.DataFrame
    source: str
    models: dict
    truths: dict

    @property
    def widths(self) -> tuple[float, ...]:
        """The pulse widths (s), shortest first."""
        return tuple(self.models)

    def model(self, width_s: float) -> DeviceModel:
        """The model of one of the widths.

        Parameters
        ----------
        width_s : float
            A pulse width of the campaign (s).

        Returns
        -------
        DeviceModel
            Its model.

        Raises
        ------
        ValueError
            If ``width_s`` is not one of the campaign's widths.
        """
        for t, m in self.models.items():
            if np.isclose(t, width_s, rtol=1e-6, atol=0.0):
                return m
        raise ValueError(f"width_s must be one of the data's widths, "
                         f"{', '.join(f'{t:g}' for t in self.widths)} s; got {width_s!r}")


def campaign_models(variability: Variability | None = None) -> CampaignModels:
    """The default campaign with ``variability`` and a device model for each of its widths.

    The embedded data set is the default campaign's; a campaign with other noise is generated
    here (a few seconds).

    Parameters
    ----------
    variability : Variability, optional
        The campaign's noise and spreads; None: the embedded data set's.

    Returns
    -------
    CampaignModels
        The data, the models and the truth.
    """
    base = default_campaign()
    campaign = base if variability is None else replace(base, variability=variability)
    if campaign == base:
        data = load_embedded()
        pulses, source = data.pulses, data.label
    else:
        pulses = campaign.generate_pulses()
        source = "synthetic data set of the parameter cell's campaign"
    models = build_device_models(pulses, source=source)
    models = {t: models[t] for t in sorted(models)}
    return CampaignModels(campaign=campaign, pulses=pulses, source=source, models=models,
                          truths={t: campaign.truth(t) for t in models})


def weight_scales(models: dict) -> pd.DataFrame:
    """The weight scale of each width: its conductance range, pulses and amplitudes.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s).

    Returns
    -------
    pandas.DataFrame
        ``pulse_width_s`` (s), ``g_min_S`` and ``g_max_S`` (S), ``dynamic_range``
        (G_max/G_min), ``pulses_per_phase`` (counts), ``amplitude_set_V`` and
        ``amplitude_reset_V`` (V).
    """
    return pd.DataFrame([{"pulse_width_s": t, "g_min_S": m.g_min_S, "g_max_S": m.g_max_S,
                          "dynamic_range": m.g_max_S / m.g_min_S,
                          "pulses_per_phase": m.pulses_per_phase,
                          "amplitude_set_V": m.amplitude_set_V,
                          "amplitude_reset_V": m.amplitude_reset_V} for t, m in models.items()])


def fit_quality(models: dict) -> pd.DataFrame:
    """How well each polynomial fits its curve, per width and direction.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s).

    Returns
    -------
    pandas.DataFrame
        ``pulse_width_s`` (s), ``direction``, ``fit_end`` (pulses in the fit window),
        ``r_squared``, ``residual_std`` (w units), ``residual_over_dw_min`` (dimensionless) and
        ``turned_back``: the pulse ranges over which the polynomial runs backwards (tuple of
        (first, last) pulse numbers; empty when it never does).
    """
    return pd.DataFrame([{"pulse_width_s": t, "direction": f.direction, "fit_end": f.fit_end,
                          "r_squared": f.r_squared, "residual_std": f.residual_std,
                          "residual_over_dw_min": f.residual_std / m.dw_min,
                          "turned_back": tuple(f.turned_back)}
                         for t, m in models.items() for f in (m.fit_up, m.fit_down)])


def table_errors(models: dict, truths: dict) -> pd.DataFrame:
    """How far each fitted step table lies from the generator's true steps.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s).
    truths : dict of float to WidthTruth
        The generator's truth by width (s).

    Returns
    -------
    pandas.DataFrame
        ``pulse_width_s`` (s); ``dw_min_fit`` and ``dw_min_truth`` (w units); ``up_error`` and
        ``down_error``: the largest |fitted − true| step over the table's nodes, in units of the
        true dw_min (dimensionless).
    """
    rows = []
    for t, m in models.items():
        truth, w = truths[t], m.w_nodes
        rows.append({"pulse_width_s": t, "dw_min_fit": m.dw_min, "dw_min_truth": truth.dw_min(),
                     "up_error": np.max(np.abs(m.step_up - truth.step_up(w))) / truth.dw_min(),
                     "down_error": np.max(np.abs(m.step_down - truth.step_down(w)))
                     / truth.dw_min()})
    return pd.DataFrame(rows)


def symmetry_points(models: dict, truths: dict, start: float = -1.0) -> pd.DataFrame:
    """Each width's symmetry point found two ways, beside the generator's.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s).
    truths : dict of float to WidthTruth
        The generator's truth by width (s).
    start : float
        The state a device starts from before it is pulsed alternately (w units).

    Returns
    -------
    pandas.DataFrame
        ``pulse_width_s`` (s); ``w_table`` (the stable root of up − down), ``w_pulsing`` (where
        alternating pulses settle, noise off), ``w_truth``, and ``per_device_fit`` and
        ``per_device_truth`` (arrays, one per device), all in w units.
    """
    rows = []
    for t, m in models.items():
        pulsed, _ = m.symmetry_point_by_pulsing(start=start)
        rows.append({"pulse_width_s": t, "w_table": m.symmetry_point, "w_pulsing": pulsed,
                     "w_truth": truths[t].symmetry_point(),
                     "per_device_fit": np.asarray(m.device_symmetry_points),
                     "per_device_truth": np.asarray(truths[t].symmetry_points())})
    return pd.DataFrame(rows)


def noise_figures(models: dict) -> pd.DataFrame:
    """The noise figures each model reads out of its curves, in AIHWKit's parameters.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s).

    Returns
    -------
    pandas.DataFrame
        ``pulse_width_s`` (s) and, dimensionless: ``dw_min_std`` (step noise), ``read_noise_w``
        (read noise in w units), ``read_noise_rel`` (relative to the conductance read),
        ``dw_min_dtod``, ``up_down_dtod``, ``w_min_dtod``, ``w_max_dtod``.
    """
    names = ("dw_min_std", "read_noise_w", "read_noise_rel", "dw_min_dtod", "up_down_dtod",
             "w_min_dtod", "w_max_dtod")
    return pd.DataFrame([{"pulse_width_s": t, **{n: getattr(m.noise, n) for n in names}}
                         for t, m in models.items()])


def step_relative_to_conductance(model: DeviceModel) -> float:
    """A step of dw_min at w = 0 as a fraction of the conductance read there.

    Parameters
    ----------
    model : DeviceModel
        A model with absolute conductances.

    Returns
    -------
    float
        ΔG / G at mid-range (dimensionless).
    """
    return float(model.dw_min * (model.g_max_S - model.g_min_S) / (model.g_max_S + model.g_min_S))


def model_pulse_energies(models: dict, states=(-0.5, 0.0, 0.5), polarity: str = "set"):
    """The energy of one pulse of each model at a few states.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s).
    states : sequence of float
        Weights w before the pulse (w units).
    polarity : str
        ``"set"`` or ``"reset"``.

    Returns
    -------
    pandas.DataFrame
        ``pulse_width_s`` (s), ``w`` (w units), ``study_J`` and ``complete_J`` (J).
    """
    rows = []
    for t, m in models.items():
        for w in states:
            e = m.pulse_energy(w, polarity)
            rows.append({"pulse_width_s": t, "w": w, "study_J": float(e.study_J),
                         "complete_J": float(e.complete_J)})
    return pd.DataFrame(rows)


def aihwkit_trajectories(model: DeviceModel, starts, n_pulses: int, seed: int = 0):
    """The same pulses on the same devices in AIHWKit and in fetrain's model, noise off.

    A 1 × len(starts) AIHWKit tile holding the model's ``PiecewiseStepDevice``
    (:func:`fetrain.bridge.configs.rpu_config` without noise) receives one pulse per update —
    learning rate dw_min, inputs 1, error ∓1, AIHWKit's deterministic pulse train — in a random
    up/down sequence; fetrain's model receives the same sequence
    (:meth:`~fetrain.device.model.DeviceModel.apply_pulses`).

    Parameters
    ----------
    model : DeviceModel
        The device model.
    starts : sequence of float
        The devices' starting weights (w units).
    n_pulses : int
        Pulses applied (counts).
    seed : int
        Seed of the up/down sequence.

    Returns
    -------
    aihwkit_w, fetrain_w : array of float
        (n_pulses, devices): the weights after each pulse (w units), AIHWKit's in float32.
    """
    import torch
    from aihwkit.simulator.parameters.enums import PulseType
    from aihwkit.simulator.tiles import AnalogTile

    from ..bridge.configs import rpu_config

    quiet = rpu_config(model, noise=False)
    quiet.update.pulse_type = PulseType.DETERMINISTIC_IMPLICIT
    w0 = np.asarray(starts, dtype=np.float32)
    tile = AnalogTile(1, w0.size, quiet)
    tile.set_weights(torch.tensor(w0[None, :]))
    tile.set_learning_rate(model.dw_min)
    signs = np.random.default_rng(seed).choice([-1, 1], size=n_pulses)
    ones = torch.ones(1, w0.size)
    aihwkit_w = []
    for s in signs:
        tile.update(ones, torch.tensor([[-float(s)]]))      # SGD: Δw = −lr·d·x
        aihwkit_w.append(tile.get_weights()[0][0].numpy().copy())
    return np.array(aihwkit_w), model.apply_pulses(w0, signs)[1:]


# ---- Appendix B: a reader's files ---------------------------------------------------------------


def small_file(pulses: pd.DataFrame, device: str = "D1", widths_s=(200e-9, 2e-6),
               n_pulses: int = 12) -> pd.DataFrame:
    """A small valid pulses table cut from a campaign: one device, one cycle, a few pulses.

    Parameters
    ----------
    pulses : pandas.DataFrame
        A campaign's pulse table (fetrain's layout).
    device : str
        The device kept.
    widths_s : sequence of float
        The widths kept (s).
    n_pulses : int
        Pulses kept per phase (counts).

    Returns
    -------
    pandas.DataFrame
        The rows of cycle 1 of ``device`` at those widths, with pulse_index ≤ ``n_pulses``.
    """
    keep = ((pulses["device"] == device) & (pulses["cycle"] == 1)
            & (pulses["pulse_index"] <= n_pulses) & pulses["pulse_width_s"].isin(widths_s))
    return pulses[keep].reset_index(drop=True)


def with_cells(frame: pd.DataFrame, **changes) -> pd.DataFrame:
    """A copy of ``frame`` with some cells replaced (any value: text, NaN, a wrong number).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    **changes
        ``column={row: value, …}``.

    Returns
    -------
    pandas.DataFrame
        The copy (object columns, so that any value fits).
    """
    out = frame.astype(object)
    for column, cells in changes.items():
        for row, value in cells.items():
            out.loc[row, column] = value
    return out


def loader_verdicts(cases: dict, folder: str | Path = ".") -> pd.DataFrame:
    """What the loader says of each table, written as a reader's ``pulses.csv``.

    Each case is written to ``folder/<case>/pulses.csv`` and loaded with
    :func:`fetrain.device.loading.load_campaign`.

    Parameters
    ----------
    cases : dict of str to pandas.DataFrame
        Tables by the name of their case (the name becomes a folder).
    folder : str or pathlib.Path
        Where the case folders are written.

    Returns
    -------
    pandas.DataFrame
        ``case`` and ``loader``: ``"loaded"``, or the
        :class:`~fetrain.device.validate.DeviceFileError` message.
    """
    rows = []
    for case, frame in cases.items():
        path = Path(folder) / case
        path.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path / PULSES_FILE, index=False)
        try:
            load_campaign(path)
            verdict = "loaded"
        except DeviceFileError as err:
            verdict = str(err)
        rows.append({"case": case, "loader": verdict})
    return pd.DataFrame(rows)


def example_campaign(imprint_field_V_m: float, widths_s=(20e-9, 2e-6), n_devices: int = 3,
                     n_cycles: int = 3, seed: int = 2026) -> SyntheticCampaign:
    """A synthetic campaign on a device other than the embedded one: the default device with
    another imprint field, measured at fewer widths, devices and cycles.

    Parameters
    ----------
    imprint_field_V_m : float
        The device's imprint field (V/m).
    widths_s : sequence of float
        Pulse widths measured (s).
    n_devices, n_cycles : int
        Devices and cycles per device and width (counts).
    seed : int
        The campaign's seed.

    Returns
    -------
    SyntheticCampaign
        The campaign (write it with its ``write`` method).
    """
    kinetics = replace(DEFAULT_DEVICE.kinetics, imprint_field_V_m=imprint_field_V_m)
    plan = replace(CampaignPlan(), widths_s=tuple(widths_s), n_devices=n_devices,
                   n_cycles=n_cycles, seed=seed)
    return replace(default_campaign(), nominal=replace(DEFAULT_DEVICE, kinetics=kinetics),
                   plan=plan)


@dataclass(frozen=True, eq=False)
class PointsFit:
    """A fit of a normalized trace at one degree, its stable points and the generator's truth.

    Attributes
    ----------
    degree : int
        Degree of the curve polynomials.
    model : DeviceModel
        The fitted model.
    points : list of SymmetryPoint
        Its stable symmetry points, with basins and resampled uncertainties.
    truth : ScaledTruth
        The generator's truth on the fit's weight scale.
    """

    degree: int
    model: DeviceModel
    points: list
    truth: object


def fit_points(pulses: pd.DataFrame, trace: TwoBasinTrace, degree: int, n_resamples: int = 100,
               source: str = "two-basin file") -> PointsFit:
    """Fit a normalized trace at one degree and find its stable symmetry points.

    Parameters
    ----------
    pulses : pandas.DataFrame
        The trace as the loader reads it.
    trace : TwoBasinTrace
        The generator of the trace (for its truth).
    degree : int
        Degree of the curve polynomials.
    n_resamples : int
        Resamplings of the reads for the uncertainties (counts).
    source : str
        What the model records as its data.

    Returns
    -------
    PointsFit
        The model, its points and the truth.
    """
    model = build_device_model(pulses, degree=degree, source=source)
    points = symmetry_point_uncertainty(model, pulses, n_resamples=n_resamples, degree=degree)
    return PointsFit(degree, model, points, trace.on_scale(model.g_min_S, model.g_max_S))


def points_against_truth(fits) -> pd.DataFrame:
    """Each stable point of each fit beside the nearest true one.

    Parameters
    ----------
    fits : sequence of PointsFit
        Fits of one trace.

    Returns
    -------
    pandas.DataFrame
        ``degree``, ``point`` (``w*1`` …), ``w`` and ``uncertainty`` (w units), ``basin_low``
        and ``basin_high`` (w units), ``w_pulsing`` (w units), ``found_fraction`` (share of
        resamplings that found it), ``truth`` (w units) and ``error_over_uncertainty``
        (|w − truth| / uncertainty, dimensionless).
    """
    rows = []
    for fit in fits:
        for k, p in enumerate(fit.points):
            nearest = min(fit.truth.stable_points, key=lambda t: abs(t - p.w))
            rows.append({"degree": fit.degree, "point": f"w*{k + 1}", "w": p.w,
                         "uncertainty": p.uncertainty, "basin_low": p.basin[0],
                         "basin_high": p.basin[1], "w_pulsing": p.w_pulsing,
                         "found_fraction": p.found_fraction, "truth": nearest,
                         "error_over_uncertainty": abs(p.w - nearest) / p.uncertainty})
    return pd.DataFrame(rows)


def trace_coverage(trace: TwoBasinTrace, seeds, degree: int = 9,
                   n_resamples: int = 80) -> pd.DataFrame:
    """:func:`fetrain.study.coverage.symmetry_point_coverage` on traces of ``trace``'s device,
    one per seed.

    Parameters
    ----------
    trace : TwoBasinTrace
        The device (every field but the seed is kept).
    seeds : iterable of int
        Trace seeds.
    degree : int
        Degree of the curve polynomials.
    n_resamples : int
        Resamplings per trace (counts).

    Returns
    -------
    pandas.DataFrame
        One row per seed and true point (see ``symmetry_point_coverage``).
    """
    fields = {f.name: getattr(trace, f.name) for f in dataclasses.fields(trace) if f.name != "seed"}
    return symmetry_point_coverage(seeds, degree=degree, n_resamples=n_resamples, **fields)


def coverage_by_point(coverage: pd.DataFrame) -> pd.DataFrame:
    """Per true point: how often the fit found it and how often it lay within two of its stated
    uncertainties of the truth.

    Parameters
    ----------
    coverage : pandas.DataFrame
        :func:`trace_coverage` (or ``symmetry_point_coverage``) output.

    Returns
    -------
    pandas.DataFrame
        ``point``, ``traces``, ``found`` and ``within_2`` (counts), ``median_z``
        (dimensionless).
    """
    return (coverage.assign(within_2=coverage["z"] <= 2).groupby("point")
            .agg(traces=("seed", "size"), found=("found", "sum"), median_z=("z", "median"),
                 within_2=("within_2", "sum")).reset_index())


# ---- Appendix B: a reader's multi-width campaign through the sweep ------------------------------


def ladder_campaign(widths_s=(20e-9, 2e-6), n_devices: int = 3, n_cycles: int = 3,
                    seed: int = 2027) -> SyntheticCampaign:
    """The generator's device measured under the fixed amplitude ladder of Chapter 6's map
    (3.8 V at 20 ns, 0.2 V less per decade, set = reset) instead of the book's iso-fraction
    scheme, at fewer widths, devices and cycles: a campaign a reader might bring.

    Parameters
    ----------
    widths_s : sequence of float
        Pulse widths measured (s), each one of the campaign's.
    n_devices, n_cycles : int
        Devices and cycles per device and width (counts).
    seed : int
        The campaign's seed.

    Returns
    -------
    SyntheticCampaign
        The campaign (write it with its ``write`` method).
    """
    from .plan import SCHEMES

    c = example_campaign(DEFAULT_DEVICE.kinetics.imprint_field_V_m, widths_s, n_devices,
                         n_cycles, seed)
    return replace(c, nominal=replace(c.nominal, scheme=SCHEMES["ladder"]))


def normalized_copy(folder: str | Path, dest: str | Path) -> Path:
    """A copy of a campaign's ``pulses.csv`` whose reads are a normalized conductance (no unit,
    0 … 1) in place of read currents and voltages — what many measured files hold — so that no
    energy can be computed from it.

    Parameters
    ----------
    folder : str or pathlib.Path
        A campaign folder in the fetrain layout.
    dest : str or pathlib.Path
        The new folder (created).

    Returns
    -------
    pathlib.Path
        ``dest``.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    p = pd.read_csv(Path(folder) / PULSES_FILE)
    g = p["read_current_A"] / p["read_voltage_V"]
    p["conductance"] = (g - g.min()) / (g.max() - g.min())
    p.drop(columns=["read_voltage_V", "read_current_A"]).to_csv(dest / PULSES_FILE, index=False,
                                                                float_format="%.6g")
    return dest
