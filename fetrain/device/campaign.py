"""The synthetic characterisation campaign: a generator that knows the true device.

:class:`SyntheticCampaign` produces the embedded data set from the physics of the device
(:mod:`~fetrain.device.hzo`) and exposes the ground truth behind it (:mod:`~fetrain.device.truth`:
true step functions and true symmetry points on the book's weight scale, Chapter 2), so that
fitting can be checked against it. It writes the data files in the layout of
:mod:`~fetrain.device.formats`; reading them is :mod:`~fetrain.device.loading`.

The paper's raw measurements are not public. The data set this module writes has the shape of a
real campaign:

* several devices, each drawn with device-to-device variation of its barriers, activation field and
  imprint;
* for each of the five pulse widths, the campaign's set and reset amplitudes
  (:meth:`fetrain.device.hzo.HZODevice.write_amplitude`) and a number of pulses per phase chosen so that
  the slower direction nearly saturates (:meth:`CampaignPlan.pulses_per_phase`);
* repeated cycles of N potentiation (set) pulses then N depression (reset) pulses, after
  ``conditioning_cycles`` unrecorded cycles, with cycle-to-cycle noise on every pulse's switched
  fraction, and a read of the current at the read voltage after every pulse, with read noise;
* read I–V sweeps of one device in several polarisation states at several temperatures, up to the
  write voltages, with multiplicative measurement noise. The polarisation is held fixed during a
  sweep: a simplification of the synthetic data (a real sweep to write voltages would partly switch
  an intermediate state; real campaigns measure the write current from the pulse transient).

The weight scale (the book's convention, Chapter 2): for each width, G_min and G_max are the mean lowest and
highest read conductance its cycles reach; w = 2(G − G_min)/(G_max − G_min) − 1.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.checks import require, shown
from .formats import FLOAT_FORMAT, IV_COLUMNS, IV_FILE, META_FILE, PULSE_COLUMNS, PULSES_FILE
from .hzo import DEFAULT_DEVICE, HZODevice
from .stack import PULSE_WIDTHS_S
from .truth import WidthTruth, _orbit


@dataclass(frozen=True)
class Variability:
    """Noise and spread of the synthetic campaign (all dimensionless unless stated).

    Attributes
    ----------
    barrier_d2d_eV : float
        Device-to-device standard deviation of a common shift of both barriers (eV); 1.5 meV
        scales a device's conductance by about ±6% at 300 K.
    activation_d2d_rel : float
        Device-to-device relative standard deviation of the activation field (dimensionless).
    imprint_d2d_rel : float
        Device-to-device relative standard deviation of the imprint field (dimensionless).
    step_c2c_rel : float
        Relative standard deviation of each pulse's switched fraction, cycle to cycle and pulse
        to pulse (dimensionless); the form of AIHWKit's ``dw_min_std``. 8%: a 1 µm² film holds a
        few thousand grains, and a pulse that switches a few per cent of them fluctuates by about
        1/sqrt(number switched).
    read_noise_rel : float
        Relative standard deviation of a read of the current (dimensionless); 0.3%, a pA read
        with integration on a parameter analyser.
    iv_noise_rel : float
        Standard deviation of ln I of an I–V sweep point (dimensionless; multiplicative noise).

    Raises
    ------
    ValueError
        If a field is negative or not finite.
    """

    barrier_d2d_eV: float = 0.0015
    activation_d2d_rel: float = 0.001
    imprint_d2d_rel: float = 0.05
    step_c2c_rel: float = 0.08
    read_noise_rel: float = 0.003
    iv_noise_rel: float = 0.02

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            require(name, value, low=0, strict_low=False)


@dataclass(frozen=True)
class CampaignPlan:
    """What the synthetic campaign measures.

    Attributes
    ----------
    widths_s : tuple of float
        Pulse widths (s).
    n_devices : int
        Number of devices characterised (counts).
    n_cycles : int
        Recorded potentiation/depression cycles per device and width (counts).
    conditioning_cycles : int
        Unrecorded cycles before recording, so that recorded cycles are steady (counts).
    saturation_residual : float
        The pulses-per-phase rule (dimensionless, 0 … 1): enough pulses that the slower
        direction leaves at most this fraction of its range untraversed.
    pulse_count_step : int
        Pulses per phase are rounded up to a multiple of this (counts).
    iv_states : tuple of float
        Polarisation states p of the I–V sweeps, the fraction of the area set (dimensionless).
    iv_temperatures_K : tuple of float
        Temperatures of the I–V sweeps (K).
    iv_voltage_step_V : float
        Voltage step of the sweeps (V); sweeps run from ±step to ± the highest voltage the
        campaign applies (the stack's maximum voltage, or the programming scheme's cap if higher).
    seed : int
        Seed of the whole campaign.

    Raises
    ------
    ValueError
        If a field is out of its range (widths, temperatures and step > 0, counts ≥ 1, states in
        [0, 1], ``saturation_residual`` in (0, 1]).
    """

    widths_s: tuple[float, ...] = PULSE_WIDTHS_S
    n_devices: int = 4
    n_cycles: int = 4
    conditioning_cycles: int = 20
    saturation_residual: float = 0.05
    pulse_count_step: int = 50
    iv_states: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    iv_temperatures_K: tuple[float, ...] = (250.0, 275.0, 300.0, 325.0, 350.0)
    iv_voltage_step_V: float = 0.05
    seed: int = 2509_18121

    def __post_init__(self) -> None:
        require("widths_s", self.widths_s, low=0, unit="s")
        for name in ("n_devices", "n_cycles", "pulse_count_step"):
            require(name, getattr(self, name), low=1, strict_low=False)
        require("conditioning_cycles", self.conditioning_cycles, low=0, strict_low=False)
        require("saturation_residual", self.saturation_residual, low=0, high=1)
        require("iv_states", self.iv_states, low=0, high=1, strict_low=False)
        require("iv_temperatures_K", self.iv_temperatures_K, low=0, unit="K")
        require("iv_voltage_step_V", self.iv_voltage_step_V, low=0, unit="V")

    def pulses_per_phase(self, device: HZODevice, width_s: float) -> int:
        """Pulses per phase at this width: the slower direction of ``device`` nearly saturates.

        N = ln(1/saturation_residual) / min(s_set, s_reset), rounded up to ``pulse_count_step``.

        Parameters
        ----------
        device : HZODevice
            The device (its fractions switched per pulse).
        width_s : float
            Pulse width (s).

        Returns
        -------
        int
            Pulses per phase (counts).
        """
        s = min(float(device.fraction_per_pulse(width_s, "set")),
                float(device.fraction_per_pulse(width_s, "reset")))
        n = np.log(1.0 / self.saturation_residual) / s
        return int(np.ceil(n / self.pulse_count_step) * self.pulse_count_step)

    def iv_state_labels(self) -> list[str]:
        """Labels of the I–V states: ``P000`` (fully reset) … ``P100`` (fully set).

        Returns
        -------
        list of str
            One label per entry of ``iv_states``, its set fraction in percent.
        """
        return [f"P{round(100 * p):03d}" for p in self.iv_states]


def sample_devices(nominal: HZODevice, variability: Variability, n_devices: int,
                   rng: np.random.Generator) -> tuple[HZODevice, ...]:
    """Draw ``n_devices`` devices around ``nominal`` with the device-to-device spreads.

    Parameters
    ----------
    nominal : HZODevice
        The nominal device.
    variability : Variability
        The spreads (barrier shift in eV, relative spreads of the activation and imprint fields).
    n_devices : int
        Number of devices to draw (counts).
    rng : numpy.random.Generator
        The random stream.

    Returns
    -------
    tuple of HZODevice
        The drawn devices.
    """
    devices = []
    for _ in range(n_devices):
        shift, ea, imp = (float(x) for x in rng.standard_normal(3))
        cond = nominal.conduction
        kin = nominal.kinetics
        devices.append(replace(
            nominal,
            conduction=replace(cond,
                               barrier_off_eV=cond.barrier_off_eV + variability.barrier_d2d_eV * shift,
                               barrier_on_eV=cond.barrier_on_eV + variability.barrier_d2d_eV * shift),
            kinetics=replace(kin,
                             activation_field_V_m=kin.activation_field_V_m
                             * (1.0 + variability.activation_d2d_rel * ea),
                             imprint_field_V_m=kin.imprint_field_V_m
                             * (1.0 + variability.imprint_d2d_rel * imp)),
        ))
    return tuple(devices)


@dataclass(frozen=True)
class SyntheticCampaign:
    """A synthetic characterisation campaign: its nominal device, spreads, plan and truth.

    Build one with :func:`default_campaign` (the embedded data set) or directly; call
    :meth:`generate_pulses` and :meth:`generate_iv` for the data tables and :meth:`truth` for the ground truth of a width.

    Attributes
    ----------
    nominal : HZODevice
        The nominal device (SI units, see :class:`fetrain.device.hzo.HZODevice`).
    variability : Variability
        Device-to-device and cycle-to-cycle spreads.
    plan : CampaignPlan
        What is measured (widths in s, counts, temperatures in K).
    """

    nominal: HZODevice = field(default_factory=lambda: DEFAULT_DEVICE)
    variability: Variability = field(default_factory=Variability)
    plan: CampaignPlan = field(default_factory=CampaignPlan)

    @cached_property
    def devices(self) -> tuple[HZODevice, ...]:
        """The sampled devices D1 … Dn (drawn from the plan's seed)."""
        rng = np.random.default_rng([self.plan.seed, 0])
        return sample_devices(self.nominal, self.variability, self.plan.n_devices, rng)

    def device_names(self) -> list[str]:
        """The device identifiers of the data set.

        Returns
        -------
        list of str
            ``D1`` … ``Dn``.
        """
        return [f"D{k + 1}" for k in range(self.plan.n_devices)]

    def amplitude_table(self) -> pd.DataFrame:
        """The campaign's programming conditions per width (one row per width).

        Columns: pulse_width_s; required_set_V and required_reset_V (uncapped amplitudes for the
        target fraction); amplitude_set_V, amplitude_reset_V (on the generator's grid, capped);
        capped (whether the cap binds for either polarity); fraction_set and fraction_reset (of
        the nominal device at those amplitudes); pulses_per_phase.

        Returns
        -------
        pandas.DataFrame
            ``pulse_width_s`` (s); ``required_set_V``, ``required_reset_V``, ``amplitude_set_V``
            and ``amplitude_reset_V`` (V); ``capped`` (bool); ``fraction_set`` and
            ``fraction_reset`` (dimensionless); ``pulses_per_phase`` (counts).
        """
        rows = []
        nom = self.nominal
        for t in self.plan.widths_s:
            v_set, v_reset = nom.write_amplitude(t, "set"), nom.write_amplitude(t, "reset")
            req_set, req_reset = nom.required_amplitude_V(t, "set"), nom.required_amplitude_V(t, "reset")
            rows.append({
                "pulse_width_s": t,
                "required_set_V": req_set,
                "required_reset_V": req_reset,
                "amplitude_set_V": v_set,
                "amplitude_reset_V": v_reset,
                # the cap in force: the scheme's own cap_V if it sets one, else the stack's limit
                "capped": bool(max(req_set, req_reset) > nom.scheme.cap(nom)),
                "fraction_set": float(nom.fraction_per_pulse(t, "set", v_set)),
                "fraction_reset": float(nom.fraction_per_pulse(t, "reset", v_reset)),
                "pulses_per_phase": self.plan.pulses_per_phase(nom, t),
            })
        return pd.DataFrame(rows)

    def truth(self, width_s: float) -> WidthTruth:
        """The ground truth at one of the plan's pulse widths.

        Parameters
        ----------
        width_s : float
            Pulse width (s), one of the plan's ``widths_s``.

        Returns
        -------
        WidthTruth
            The truth at that width.

        Raises
        ------
        ValueError
            If ``width_s`` is not one of the plan's widths.
        """
        widths = np.asarray(self.plan.widths_s)
        matches = np.flatnonzero(np.isclose(widths, width_s, rtol=1e-9, atol=0))
        if matches.size == 0:
            raise ValueError(f"width_s must be one of the campaign's widths {self.plan.widths_s} s; "
                             f"got {shown(width_s)}")
        t = float(widths[matches[0]])
        nom = self.nominal
        v_set, v_reset = nom.write_amplitude(t, "set"), nom.write_amplitude(t, "reset")
        n = self.plan.pulses_per_phase(nom, t)
        lows, highs = [], []
        for d in self.devices:
            s_set = float(d.fraction_per_pulse(t, "set", v_set))
            s_reset = float(d.fraction_per_pulse(t, "reset", v_reset))
            p_lo, p_hi = _orbit(s_set, s_reset, n)
            lows.append(float(d.conduction.read_conductance(p_lo, d.stack)))
            highs.append(float(d.conduction.read_conductance(p_hi, d.stack)))
        return WidthTruth(width_s=t, amplitude_set_V=v_set, amplitude_reset_V=v_reset,
                          pulses_per_phase=n, g_min_S=float(np.mean(lows)),
                          g_max_S=float(np.mean(highs)), devices=self.devices)

    def generate_pulses(self, widths_s=None) -> pd.DataFrame:
        """Simulate the pulse-response measurements: one row per read after a pulse.

        ``widths_s``: only these of the plan's widths (default: all); each width draws from its
        own stream, so a width's rows are the same whichever others are generated.

        Parameters
        ----------
        widths_s : sequence of float, optional
            Pulse widths to generate (s), each one of the plan's; None: all.

        Returns
        -------
        pandas.DataFrame
            The columns of ``PULSE_COLUMNS``: widths in s, amplitudes and read voltage in V
            (negative amplitude: reset), read current in A.

        Raises
        ------
        ValueError
            If a width is not one of the plan's.
        """
        plan, var = self.plan, self.variability
        stack = self.nominal.stack
        names = np.array(self.device_names())
        frames = []
        wanted = None if widths_s is None else [self.truth(t).width_s for t in widths_s]
        for wi, t in enumerate(plan.widths_s):
            if wanted is not None and t not in wanted:
                continue
            truth = self.truth(t)
            rng = np.random.default_rng([plan.seed, 1, wi])
            n = truth.pulses_per_phase
            fr = np.array([truth.fractions(k) for k in range(len(self.devices))])  # (D, 2)
            g_off = np.array([truth.conductance(0.0, k) for k in range(len(self.devices))])
            g_on = np.array([truth.conductance(1.0, k) for k in range(len(self.devices))])
            p = np.zeros(len(self.devices))
            total = plan.conditioning_cycles + plan.n_cycles
            reads = np.empty((plan.n_cycles, 2, n, len(self.devices)))
            for c in range(total):
                for phase in (0, 1):
                    for i in range(n):
                        s = fr[:, phase] * np.clip(1.0 + var.step_c2c_rel * rng.standard_normal(p.size),
                                                   0.0, None)
                        s = np.minimum(s, 1.0)
                        p = p + s * (1.0 - p) if phase == 0 else p - s * p
                        if c >= plan.conditioning_cycles:
                            g = g_off + p * (g_on - g_off)
                            noise = 1.0 + var.read_noise_rel * rng.standard_normal(p.size)
                            reads[c - plan.conditioning_cycles, phase, i] = \
                                g * stack.read_voltage_V * noise
            cyc, ph, idx, dev = np.meshgrid(np.arange(plan.n_cycles), np.arange(2), np.arange(n),
                                            np.arange(len(self.devices)), indexing="ij")
            frame = pd.DataFrame({
                "device": names[dev.ravel()],
                "pulse_width_s": t,
                "cycle": cyc.ravel() + 1,
                "direction": np.where(ph.ravel() == 0, "potentiation", "depression"),
                "pulse_index": idx.ravel() + 1,
                "amplitude_V": np.where(ph.ravel() == 0, truth.amplitude_set_V,
                                        -truth.amplitude_reset_V),
                "read_voltage_V": stack.read_voltage_V,
                "read_current_A": reads.ravel(),
            })
            frames.append(frame.sort_values(["device", "cycle", "direction", "pulse_index"],
                                            key=_phase_order, kind="stable"))
        return pd.concat(frames, ignore_index=True)[list(PULSE_COLUMNS)]

    def iv_device(self) -> HZODevice:
        """The device whose I–V sweeps the campaign records (D1).

        Returns
        -------
        HZODevice
            Device ``D1``.
        """
        return self.devices[0]

    def generate_iv(self) -> pd.DataFrame:
        """Simulate the I–V sweeps of device D1: one row per (state, temperature, voltage).

        Returns
        -------
        pandas.DataFrame
            The columns of ``IV_COLUMNS``: temperature in K, voltage in V, current in A.
        """
        plan = self.plan
        dev = self.iv_device()
        rng = np.random.default_rng([plan.seed, 2])
        step = plan.iv_voltage_step_V
        # up to the highest voltage the campaign applies, so that every write amplitude is measured
        v_max = max(dev.stack.max_voltage_V, dev.scheme.cap(dev))
        n_side = int(np.floor(round(v_max / step, 9)))
        positive = step * np.arange(1, n_side + 1)
        volts = np.concatenate([-positive[::-1], positive])
        rows = []
        for label, p in zip(plan.iv_state_labels(), plan.iv_states):
            for temp in plan.iv_temperatures_K:
                current = dev.conduction.current(volts, p, dev.stack, temperature_K=temp)
                current = current * np.exp(self.variability.iv_noise_rel
                                           * rng.standard_normal(volts.size))
                rows.append(pd.DataFrame({"device": "D1", "state": label, "temperature_K": temp,
                                          "voltage_V": np.round(volts, 6), "current_A": current}))
        return pd.concat(rows, ignore_index=True)[list(IV_COLUMNS)]

    def metadata(self) -> dict:
        """Units and provenance of the data set (written as ``campaign.json``).

        Returns
        -------
        dict
            JSON-ready metadata: description, seed, files and their columns with units, the
            protocol (amplitudes in V, read voltage in V, temperatures in K), the variability.
        """
        amps = self.amplitude_table()
        return {
            "synthetic": True,
            "description": (
                "SYNTHETIC characterisation data of an HfO2/ZrO2 ferroelectric synapse, produced "
                "by fetrain.device.campaign from a physical model (nucleation-limited switching "
                "with a Merz law, modified Schottky conduction through set and reset domains in "
                "parallel, "
                "device-to-device and cycle-to-cycle variation, read noise). It is NOT a "
                "measurement. It has the shape of a real campaign so that a reader's measured file "
                "in the same format can replace it."),
            "generator": "fetrain synthetic --out FOLDER "
                         "(fetrain.device.campaign.default_campaign().write(folder))",
            "seed": self.plan.seed,
            "files": {
                PULSES_FILE: {"rows": "one read after every pulse", "columns": PULSE_COLUMNS},
                IV_FILE: {"rows": "one point of a read I-V sweep", "columns": IV_COLUMNS},
            },
            "protocol": {
                "devices": self.device_names(),
                "conditioning_cycles_not_recorded": self.plan.conditioning_cycles,
                "recorded_cycles": self.plan.n_cycles,
                "cycle": "N potentiation (set) pulses, then N depression (reset) pulses; a read "
                         "after every pulse",
                "pulses_per_phase": {f"{t:g}": int(n) for t, n in
                                     zip(amps.pulse_width_s, amps.pulses_per_phase)},
                "amplitudes_V": {f"{t:g}": {"set": float(a), "reset": -float(b)} for t, a, b in
                                 zip(amps.pulse_width_s, amps.amplitude_set_V,
                                     amps.amplitude_reset_V)},
                "read_voltage_V": self.nominal.stack.read_voltage_V,
                "temperature_K": self.nominal.stack.temperature_K,
                "iv_sweeps": {
                    "device": "D1",
                    "states": {lab: f"{p:g} of the area set (prepared before the sweep; held "
                               "fixed during it in this synthetic data)"
                               for lab, p in zip(self.plan.iv_state_labels(), self.plan.iv_states)},
                    "temperatures_K": list(self.plan.iv_temperatures_K),
                },
            },
            "variability": asdict(self.variability),
        }

    def write(self, folder: str | Path) -> dict[str, Path]:
        """Write the data set (two CSV files and the JSON metadata) into ``folder``.

        Parameters
        ----------
        folder : str or pathlib.Path
            Output folder, created if missing.

        Returns
        -------
        dict of str to pathlib.Path
            The written files by name (``pulses.csv``, ``iv_sweeps.csv``, ``campaign.json``).
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {name: folder / name for name in (PULSES_FILE, IV_FILE, META_FILE)}
        self.generate_pulses().to_csv(paths[PULSES_FILE], index=False, float_format=FLOAT_FORMAT,
                                      lineterminator="\n")
        self.generate_iv().to_csv(paths[IV_FILE], index=False, float_format=FLOAT_FORMAT,
                                  lineterminator="\n")
        paths[META_FILE].write_text(json.dumps(self.metadata(), indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
        return paths


def _phase_order(col: pd.Series) -> pd.Series:
    """Sort key putting potentiation before depression within a cycle."""
    if col.name == "direction":
        return col.map({"potentiation": 0, "depression": 1})
    return col


def default_campaign() -> SyntheticCampaign:
    """The campaign behind the embedded data set (default device, spreads, plan and seed).

    Returns
    -------
    SyntheticCampaign
        ``SyntheticCampaign()`` with its defaults.
    """
    return SyntheticCampaign()
