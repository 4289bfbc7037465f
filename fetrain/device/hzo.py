"""One HZO synapse (:class:`HZODevice`: stack, conduction, switching kinetics, programming scheme),
the book's default device (:data:`DEFAULT_DEVICE`), and where each of its constants comes from
(:data:`CONSTANT_SOURCES`, :func:`describe_constants`: published, calibrated or assumed). It puts
together :mod:`~fetrain.device.stack`, :mod:`~fetrain.device.conduction`,
:mod:`~fetrain.device.switching` and :mod:`~fetrain.device.schemes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import brentq

from ..common.checks import require
from .conduction import Conduction
from .schemes import SCHEMES, IsoFraction
from .stack import HZOStack, check_polarity
from .switching import TARGET_FRACTION, SwitchingKinetics

if TYPE_CHECKING:
    from .schemes import AmplitudeLadder


@dataclass(frozen=True)
class HZODevice:
    """One HZO synapse: its stack, its conduction law, its switching kinetics, and the campaign's
    programming scheme (how each width's write amplitude is chosen: :class:`~fetrain.device.schemes.IsoFraction`, the
    default, or :class:`~fetrain.device.schemes.AmplitudeLadder`).

    Attributes
    ----------
    stack : HZOStack
        Geometry and operating conditions (SI units, see :class:`~fetrain.device.stack.HZOStack`).
    conduction : Conduction
        The Schottky conduction law (barriers in eV).
    kinetics : SwitchingKinetics
        The switching kinetics (times in s, fields in V/m).
    scheme : IsoFraction or AmplitudeLadder
        The programming scheme that picks each width's write amplitude (V).

    Raises
    ------
    ValueError
        If ``scheme`` is not one of the schemes of ``SCHEMES``.
    """

    stack: HZOStack = field(default_factory=HZOStack)
    conduction: Conduction = field(default_factory=Conduction)
    kinetics: SwitchingKinetics = field(default_factory=SwitchingKinetics)
    scheme: IsoFraction | AmplitudeLadder = field(default_factory=IsoFraction)

    def __post_init__(self) -> None:
        if not isinstance(self.scheme, tuple(SCHEMES.values())):
            raise ValueError(f"scheme must be one of {tuple(c.__name__ for c in SCHEMES.values())}; "
                             f"got {self.scheme!r}")

    def required_amplitude_V(self, width_s: float, polarity: str = "set",
                             fraction: float | None = None) -> float:
        """Amplitude |V| at which one pulse switches ``fraction`` of the unswitched polarisation,
        V (not capped; ``fraction`` None: the scheme's target, or 3% for a ladder).

        Uses the device's kinetics including its imprint: an experimenter reads the imprint off the
        shift of the polarisation loop and compensates it, so set and reset amplitudes differ.

        Parameters
        ----------
        width_s : float
            Pulse width (s), > 0.
        polarity : str
            ``"set"`` or ``"reset"``.
        fraction : float, optional
            Target fraction switched per pulse (dimensionless, 0 … 0.5).

        Returns
        -------
        float
            Pulse amplitude (V), uncapped.

        Raises
        ------
        ValueError
            If ``width_s`` is not > 0, ``polarity`` is unknown, or ``fraction`` is outside
            (0, 0.5].
        """
        require("width_s", width_s, low=0, unit="s")
        check_polarity(polarity)
        target = (getattr(self.scheme, "target_fraction", TARGET_FRACTION) if fraction is None
                  else fraction)
        require("fraction", target, low=0, high=0.5)

        def gap(v):
            e = self.kinetics.effective_field(v, polarity, self.stack)
            return float(self.kinetics.fraction_switched(width_s, e)) - target

        return float(brentq(gap, 1e-3, 100.0, xtol=1e-7))

    def write_amplitude(self, width_s: float, polarity: str = "set") -> float:
        """Pulse amplitude |V| the measurement campaign uses at this width and polarity, V: the
        programming scheme's (``scheme``).

        Parameters
        ----------
        width_s : float
            Pulse width (s), > 0.
        polarity : str
            ``"set"`` or ``"reset"``.

        Returns
        -------
        float
            Pulse amplitude (V).

        Raises
        ------
        ValueError
            If ``width_s`` is not > 0 or ``polarity`` is unknown.
        """
        require("width_s", width_s, low=0, unit="s")
        check_polarity(polarity)
        return self.scheme.amplitude_V(self, width_s, polarity)

    def fraction_per_pulse(self, width_s, polarity: str, amplitude_V=None):
        """Fraction of the unswitched polarisation one pulse switches (the device's own physics).

        Parameters
        ----------
        width_s : float or array of float
            Pulse width (s), > 0.
        polarity : str
            ``"set"`` or ``"reset"``.
        amplitude_V : float or array of float, optional
            Pulse amplitude (V); None: :meth:`write_amplitude`.

        Returns
        -------
        float or array of float
            Fraction switched (dimensionless, 0 … 1).
        """
        v = self.write_amplitude(width_s, polarity) if amplitude_V is None else amplitude_V
        e = self.kinetics.effective_field(v, polarity, self.stack)
        return self.kinetics.fraction_switched(width_s, e)

    def apply_pulse(self, state, width_s, polarity: str, amplitude_V=None):
        """Polarisation state after one noise-free pulse: p + s(1 − p) for set, p − s·p for reset.

        Parameters
        ----------
        state : float or array of float
            Polarisation state p before the pulse (dimensionless, 0 … 1).
        width_s : float or array of float
            Pulse width (s), > 0.
        polarity : str
            ``"set"`` or ``"reset"``.
        amplitude_V : float or array of float, optional
            Pulse amplitude (V); None: :meth:`write_amplitude`.

        Returns
        -------
        float or array of float
            Polarisation state after the pulse (dimensionless, 0 … 1).
        """
        s = self.fraction_per_pulse(width_s, polarity, amplitude_V)
        p = np.asarray(state, dtype=float)
        return p + s * (1.0 - p) if polarity == "set" else p - s * p

    def symmetry_state(self, width_s) -> float:
        """Polarisation state p* where a set and a reset pulse move p by the same amount.

        s_set·(1 − p*) = s_reset·p*  ⇒  p* = s_set / (s_set + s_reset).

        Parameters
        ----------
        width_s : float
            Pulse width (s), > 0.

        Returns
        -------
        float
            Symmetry state p* (dimensionless, 0 … 1).
        """
        su = float(self.fraction_per_pulse(width_s, "set"))
        sd = float(self.fraction_per_pulse(width_s, "reset"))
        return su / (su + sd)


#: the book's synthetic HZO synapse, every constant as :data:`CONSTANT_SOURCES` gives it
DEFAULT_DEVICE = HZODevice()


#: Where each constant of the synthetic device comes from, "published" (a value taken from a
#: publication), "calibrated" (chosen so that the device reproduces a published figure) or
#: "assumption" (our choice within a published range). All are fixed before any training run.
CONSTANT_SOURCES: dict[str, tuple[str, str]] = {
    "area_m2": ("assumption", "1 µm²; the companion study (Baigol, Garg et al., arXiv 2601.01186) "
                "programs devices below 100 µm² with 20 ns pulses; IBM's WOx/HZO device is 1 µm²"),
    "thickness_m": ("assumption", "10 nm HfO2/ZrO2 superlattice, as in public HZO models "
                    "(boltma/Scalable-FeFET uses 10 nm HZO)"),
    "eps_static": ("assumption", "≈ 30, within the 25–35 reported for HZO"),
    "eps_optical": ("assumption", "5.5, within the 4–6 of HfO2/ZrO2 (n ≈ 2.1–2.3); it sets the "
                    "image-force lowering"),
    "temperature_K": ("assumption", "room temperature"),
    "read_voltage_V": ("assumption", "0.1 V, close to the 80 mV reads of IBM's WOx/HZO devices"),
    "remanent_polarisation_C_m2": ("published", "P_r ≈ 20 µC/cm² (22.7 and 24.4 µC/cm² in the public "
                                   "HZO model boltma/Scalable-FeFET; 20 in NeuroSim's FeFET defaults)"),
    "max_voltage_V": ("published", "operation below about 3.5–4 V (IBM Zurich HZO devices)"),
    "prefactor": ("calibrated", "0.33 A·m⁻¹·V⁻¹·K^-3/2, chosen so that a 20 ns set pulse on the fully "
                  "set state costs about 3 pJ in the study's formula V·I·t (companion study: at "
                  "most about 3 pJ per 20 ns pulse below 100 µm²); with Chiu's α ≈ 3e-4 "
                  "A·s·cm⁻³·K^-3/2·V⁻¹ it implies μ·(m*/m0)^{3/2} ≈ 11 cm²/Vs"),
    "barrier_off_eV": ("assumption", "0.62 eV for reset regions, within the 0.5–1 eV of "
                       "metal/HfO2-based interfaces"),
    "barrier_on_eV": ("calibrated", "φ_off − kT·ln 8 at 300 K: ON/OFF ≈ 8 (IBM 1 µm² WOx/HZO device, "
                      "20 ns pulses)"),
    "tau0_s": ("assumption", "0.1 ns: sub-nanosecond, so that 20 ns pulses switch at all "
               "(NIST: few-ns NLS switching of HZO at high field)"),
    "activation_field_V_m": ("assumption", "12.3 MV/cm with α = 2: a 20 ns pulse at the 3.8 V "
                             "cap switches about 1–2% of the unswitched domains; at 6 MV/cm the "
                             "median domain switches in a few ns"),
    "alpha": ("assumption", "2 (Merz exponent; literature HZO sets use 3.3–4.2 in other contexts)"),
    "beta": ("published", "2 (KAI exponent; boltma/Scalable-FeFET: β = 1.91–2)"),
    "log_tau_spread": ("assumption", "σ(ln τ) = 2: about one decade of switching times across domains"),
    "imprint_field_V_m": ("calibrated", "0.106 MV/cm, favouring set: calibrated so that the 20 ns "
                          "device's symmetry point sits near the study's +0.59 on the w scale"),
    "pulse_target_fraction": ("assumption", "campaign rule: amplitudes that switch 3% of the "
                              "unswitched polarisation per pulse, so 100 pulses span the range"),
}


_UNITS: dict[str, tuple[str, float]] = {
    # name: (display unit, factor from SI to the display unit)
    "area_m2": ("µm²", 1e12),
    "thickness_m": ("nm", 1e9),
    "eps_static": ("1", 1.0),
    "eps_optical": ("1", 1.0),
    "temperature_K": ("K", 1.0),
    "read_voltage_V": ("V", 1.0),
    "remanent_polarisation_C_m2": ("µC/cm²", 100.0),
    "max_voltage_V": ("V", 1.0),
    "prefactor": ("A·m⁻¹·V⁻¹·K^-3/2", 1.0),
    "barrier_off_eV": ("eV", 1.0),
    "barrier_on_eV": ("eV", 1.0),
    "tau0_s": ("ns", 1e9),
    "activation_field_V_m": ("MV/cm", 1e-8),
    "alpha": ("1", 1.0),
    "beta": ("1", 1.0),
    "log_tau_spread": ("1", 1.0),
    "imprint_field_V_m": ("MV/cm", 1e-8),
    "pulse_target_fraction": ("1", 1.0),
}


def describe_constants(device: HZODevice = DEFAULT_DEVICE) -> list[dict]:
    """Every constant of a device with its display unit, whether it is an anchor or an assumption,
    and its source: one dict per constant (keys: group, name, value, unit, kind, source).

    Parameters
    ----------
    device : HZODevice
        The device; default ``DEFAULT_DEVICE``.

    Returns
    -------
    list of dict
        One row per constant: ``group``, ``name``, ``value`` (in the display unit of ``unit``,
        e.g. µm², nm, ns, MV/cm), ``unit``, ``kind`` and ``source``.
    """
    rows = []
    groups = (("stack", device.stack), ("conduction", device.conduction),
              ("kinetics", device.kinetics), ("campaign", device))
    for group, obj in groups:
        names = ["pulse_target_fraction"] if group == "campaign" else list(obj.__dataclass_fields__)
        for name in names:
            unit, factor = _UNITS[name]
            kind, source = CONSTANT_SOURCES[name]
            value = (getattr(device.scheme, "target_fraction", float("nan")) if group == "campaign"
                     else getattr(obj, name))
            rows.append({"group": group, "name": name, "value": value * factor,
                         "unit": unit, "kind": kind, "source": source})
    return rows
