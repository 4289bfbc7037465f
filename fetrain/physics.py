"""Device physics of the HZO ferroelectric synapse: geometry, conduction, switching kinetics.

This module's room: the physical laws of one device and its assumed constants. It knows nothing
about measurement files, fitting, networks or training. Everything is in SI units unless a name
says otherwise (``_eV`` for electron-volts, ``_K`` for kelvin, ``_s`` for seconds).

Three pieces, each a frozen dataclass holding the constants it needs:

* :class:`HZOStack` — geometry and operating conditions (area, thickness, permittivities,
  temperature, read voltage, remanent polarisation, the highest voltage the stack tolerates).
* :class:`Conduction` — the modified (Simmons-type) Schottky emission law that carries the read
  and write currents; the polarisation state ``p`` (fraction of domains in the "set" direction,
  0 … 1) lowers the effective barrier linearly, which is what makes it a resistive synapse.
* :class:`SwitchingKinetics` — nucleation-limited switching with a Merz-type field law: how much of
  the not-yet-switched polarisation one pulse of a given width and amplitude switches.

:class:`HZODevice` bundles the three. ``DEFAULT_DEVICE`` is the synthetic device of the book. Which
constants are published anchors and which are our assumptions is recorded in
:data:`CONSTANT_SOURCES`, so that the book can print it rather than retype it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np
from scipy import constants as _c
from scipy.optimize import brentq

Q = _c.e                  #: elementary charge, C
K_B = _c.k                #: Boltzmann constant, J/K
EPS0 = _c.epsilon_0       #: vacuum permittivity, F/m

Polarity = Literal["set", "reset"]
POLARITIES: tuple[str, str] = ("set", "reset")

#: The five programming pulse widths of the study, s.
PULSE_WIDTHS_S: tuple[float, ...] = (20e-9, 200e-9, 2e-6, 20e-6, 200e-6)
#: The study's recommended width, used by Chapters 3–5 as the default device, s.
DEFAULT_PULSE_WIDTH_S: float = 20e-9


def shown(value) -> str:
    """A value as an error message shows it: numpy numbers and arrays as plain Python ones
    (``-1e-06``, not ``np.float64(-1e-06)``).

    Parameters
    ----------
    value : object
        Any value (any unit); numpy scalars and arrays are converted to Python ones first.

    Returns
    -------
    str
        The ``repr`` of the converted value.
    """
    if isinstance(value, np.generic):
        value = value.item()
    elif isinstance(value, np.ndarray):
        value = value.tolist()
    return repr(value)


def _require(name: str, value, *, low: float | None = None, high: float | None = None,
             strict_low: bool = True, unit: str = "") -> None:
    """Raise ``ValueError`` naming ``name`` and its allowed range if ``value`` falls outside it."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {shown(value)}")
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= (arr <= low) if strict_low else (arr < low)
    if high is not None:
        bad |= arr > high
    if np.any(bad):
        lo = "" if low is None else (f"> {low:g}" if strict_low else f">= {low:g}")
        hi = "" if high is None else f"<= {high:g}"
        rng = " and ".join(s for s in (lo, hi) if s)
        suffix = f" {unit}" if unit else ""
        raise ValueError(f"{name} must be {rng}{suffix}; got {shown(value)}")


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}; got {polarity!r}")


@dataclass(frozen=True)
class HZOStack:
    """Geometry and operating conditions of the synthetic HfO2/ZrO2 superlattice synapse.

    All are assumptions of the synthetic device, chosen within published ranges
    (see :data:`CONSTANT_SOURCES`).

    Attributes
    ----------
    area_m2 : float
        Device area (m²); 1 µm², since the companion study's 20 ns regime is below 100 µm².
    thickness_m : float
        Ferroelectric film thickness (m).
    eps_static : float
        Static relative permittivity (dimensionless); sets the capacitance.
    eps_optical : float
        Optical (high-frequency) relative permittivity (dimensionless); sets the image-force
        lowering.
    temperature_K : float
        Operating temperature for programming and reading (K).
    read_voltage_V : float
        Read voltage (V).
    remanent_polarisation_C_m2 : float
        Remanent polarisation P_r (C/m²); 0.20 C/m² is 20 µC/cm².
    max_voltage_V : float
        Highest pulse amplitude the stack tolerates (V); the cap on write amplitudes.

    Raises
    ------
    ValueError
        If a field is not finite or out of range (lengths, temperature and voltages must be > 0,
        permittivities ≥ 1).
    """

    area_m2: float = 1e-12
    thickness_m: float = 10e-9
    eps_static: float = 30.0
    eps_optical: float = 5.5
    temperature_K: float = 300.0
    read_voltage_V: float = 0.1
    remanent_polarisation_C_m2: float = 0.20
    max_voltage_V: float = 3.8

    def __post_init__(self) -> None:
        _require("area_m2", self.area_m2, low=0, unit="m²")
        _require("thickness_m", self.thickness_m, low=0, unit="m")
        _require("eps_static", self.eps_static, low=1, strict_low=False)
        _require("eps_optical", self.eps_optical, low=1, strict_low=False)
        _require("temperature_K", self.temperature_K, low=0, unit="K")
        _require("read_voltage_V", self.read_voltage_V, low=0, unit="V")
        _require("remanent_polarisation_C_m2", self.remanent_polarisation_C_m2, low=0, unit="C/m²")
        _require("max_voltage_V", self.max_voltage_V, low=0, unit="V")

    @property
    def capacitance_F(self) -> float:
        """Parallel-plate capacitance ε0·ε_static·A/d, F."""
        return EPS0 * self.eps_static * self.area_m2 / self.thickness_m

    def field(self, voltage_V):
        """Electric field |V|/d across the film, V/m.

        Parameters
        ----------
        voltage_V : float or array of float
            Applied voltage (V); its sign is ignored.

        Returns
        -------
        float or array of float
            Field magnitude (V/m), shaped like ``voltage_V``.
        """
        return np.abs(np.asarray(voltage_V, dtype=float)) / self.thickness_m


def image_force_lowering_V(field_V_m, eps_optical: float):
    """Schottky barrier lowering sqrt(qE / (4π ε_opt ε0)), in volts (= eV per electron).

    ``field_V_m`` is the field in V/m; ``eps_optical`` the optical relative permittivity.

    Parameters
    ----------
    field_V_m : float or array of float
        Electric field E ≥ 0 (V/m).
    eps_optical : float
        Optical relative permittivity ε_opt (dimensionless, ≥ 1).

    Returns
    -------
    float or array of float
        Barrier lowering (V, numerically equal to eV per electron), shaped like ``field_V_m``.

    Raises
    ------
    ValueError
        If ``eps_optical`` is not finite or is below 1.
    """
    _require("eps_optical", eps_optical, low=1, strict_low=False)
    e = np.asarray(field_V_m, dtype=float)
    return np.sqrt(Q * e / (4.0 * np.pi * eps_optical * EPS0))


def schottky_current_density(field_V_m, temperature_K, barrier_eV, eps_optical: float,
                             prefactor: float):
    """Modified (Simmons) Schottky emission current density, A/m².

    J = K · T^{3/2} · E · exp[−q(φ_B − sqrt(qE/4π ε_opt ε0)) / kT]

    Parameters
    ----------
    field_V_m : float or array of float
        Field E ≥ 0 (V/m).
    temperature_K : float or array of float
        Temperature T > 0 (K).
    barrier_eV : float or array of float
        Effective barrier height φ_B (eV).
    eps_optical : float
        Optical relative permittivity (dimensionless); the image-force term.
    prefactor : float
        K = α·μ·(m*/m0)^{3/2} (A·m⁻¹·V⁻¹·K^{-3/2}); Chiu 2014's α times mobility and
        effective-mass factor, lumped.

    Returns
    -------
    float or array of float
        Current density J (A/m²), broadcast over the arguments.

    Raises
    ------
    ValueError
        If the temperature or the prefactor is not > 0, a field is negative, or ``eps_optical``
        is below 1.
    """
    _require("temperature_K", temperature_K, low=0, unit="K")
    _require("prefactor", prefactor, low=0)
    e = np.asarray(field_V_m, dtype=float)
    if np.any(e < 0):
        raise ValueError("field_V_m must be >= 0 V/m (pass |V|/d; polarity is handled by the caller)")
    t = np.asarray(temperature_K, dtype=float)
    lowering = image_force_lowering_V(e, eps_optical)
    return prefactor * t ** 1.5 * e * np.exp(-Q * (np.asarray(barrier_eV) - lowering) / (K_B * t))


@dataclass(frozen=True)
class Conduction:
    """Modified Schottky conduction through a film of set and reset domains in parallel.

    A region whose polarisation points in the set direction sees the lower barrier
    ``barrier_on_eV``; a reset region sees ``barrier_off_eV``. With a fraction p ∈ [0, 1] of the
    area switched to set, the two conduct in parallel (the domain picture of ferroelectric
    memristors, Chanthbouala et al., Nat. Mater. 11, 860, 2012):

    I(V, p, T) = A · [p · J(E, T, φ_on) + (1 − p) · J(E, T, φ_off)],

    so the read conductance is linear in p, and the fully set and fully reset states are exact
    single-barrier Schottky emitters. Conduction is taken symmetric in the sign of V (an assumption:
    identical interfaces).

    Attributes
    ----------
    prefactor : float
        K (A·m⁻¹·V⁻¹·K^{-3/2}); see :func:`schottky_current_density`.
    barrier_off_eV : float
        Barrier of reset (high-resistance) regions (eV).
    barrier_on_eV : float
        Barrier of set (low-resistance) regions (eV), at most ``barrier_off_eV``.

    Raises
    ------
    ValueError
        If a field is not finite or not > 0, or ``barrier_on_eV`` exceeds ``barrier_off_eV``.
    """

    prefactor: float = 0.33
    barrier_off_eV: float = 0.62
    barrier_on_eV: float = 0.5662

    def __post_init__(self) -> None:
        _require("prefactor", self.prefactor, low=0)
        _require("barrier_off_eV", self.barrier_off_eV, low=0, unit="eV")
        _require("barrier_on_eV", self.barrier_on_eV, low=0, high=self.barrier_off_eV, unit="eV")

    def current(self, voltage_V, state, stack: HZOStack, temperature_K=None):
        """Current at voltage V (sign follows V) of a device in polarisation state p, A.

        Parameters
        ----------
        voltage_V : float or array of float
            Applied voltage (V).
        state : float or array of float
            Polarisation state p, the set fraction of the area (dimensionless, 0 … 1).
        stack : HZOStack
            Geometry and operating conditions.
        temperature_K : float, optional
            Temperature (K); None: the stack's.

        Returns
        -------
        float or array of float
            Current (A), broadcast over ``voltage_V`` and ``state``.

        Raises
        ------
        ValueError
            If a state is outside [0, 1].
        """
        t = stack.temperature_K if temperature_K is None else temperature_K
        p = np.asarray(state, dtype=float)
        _require("state", p, low=0, high=1, strict_low=False)
        v = np.asarray(voltage_V, dtype=float)
        e = stack.field(v)
        j_on = schottky_current_density(e, t, self.barrier_on_eV, stack.eps_optical, self.prefactor)
        j_off = schottky_current_density(e, t, self.barrier_off_eV, stack.eps_optical, self.prefactor)
        return np.sign(v) * stack.area_m2 * (p * j_on + (1.0 - p) * j_off)

    def read_conductance(self, state, stack: HZOStack, temperature_K=None):
        """Read conductance I(V_read)/V_read of state p, S (linear in p).

        Parameters
        ----------
        state : float or array of float
            Polarisation state p (dimensionless, 0 … 1).
        stack : HZOStack
            Geometry and operating conditions; its ``read_voltage_V`` is the read voltage.
        temperature_K : float, optional
            Temperature (K); None: the stack's.

        Returns
        -------
        float or array of float
            Read conductance (S), shaped like ``state``.
        """
        v = stack.read_voltage_V
        return self.current(v, state, stack, temperature_K) / v

    def state_from_conductance(self, conductance_S, stack: HZOStack, temperature_K=None):
        """Invert :meth:`read_conductance`: the state p of a read conductance (not clipped to [0, 1]).

        Parameters
        ----------
        conductance_S : float or array of float
            Read conductance (S).
        stack : HZOStack
            Geometry and operating conditions.
        temperature_K : float, optional
            Temperature (K); None: the stack's.

        Returns
        -------
        float or array of float
            Polarisation state p (dimensionless), shaped like ``conductance_S``.
        """
        g_off = self.read_conductance(0.0, stack, temperature_K)
        g_on = self.read_conductance(1.0, stack, temperature_K)
        return (np.asarray(conductance_S, dtype=float) - g_off) / (g_on - g_off)

    def on_off_ratio(self, stack: HZOStack, temperature_K=None) -> float:
        """G(p=1)/G(p=0) at the read voltage; exp[q(φ_off − φ_on)/kT].

        Parameters
        ----------
        stack : HZOStack
            Geometry and operating conditions.
        temperature_K : float, optional
            Temperature (K); None: the stack's.

        Returns
        -------
        float
            ON/OFF conductance ratio (dimensionless).
        """
        return float(self.read_conductance(1.0, stack, temperature_K)
                     / self.read_conductance(0.0, stack, temperature_K))


def write_to_read_current_ratio(write_voltage_V, stack: HZOStack, temperature_K=None):
    """I(V_write)/I(V_read) of the Schottky law, the same for every state (φ_B cancels).

    This is why a measured read conductance is enough to know the current during a write pulse:
    I_write = G_read · V_read · ratio.

    Parameters
    ----------
    write_voltage_V : float or array of float
        Write pulse amplitude (V); its sign is ignored.
    stack : HZOStack
        Geometry and operating conditions; its ``read_voltage_V`` is V_read.
    temperature_K : float, optional
        Temperature (K); None: the stack's.

    Returns
    -------
    float or array of float
        I(V_write)/I(V_read) (dimensionless), shaped like ``write_voltage_V``.
    """
    t = stack.temperature_K if temperature_K is None else temperature_K
    vw = np.abs(np.asarray(write_voltage_V, dtype=float))
    vr = stack.read_voltage_V
    lw = image_force_lowering_V(vw / stack.thickness_m, stack.eps_optical)
    lr = image_force_lowering_V(vr / stack.thickness_m, stack.eps_optical)
    return (vw / vr) * np.exp(Q * (lw - lr) / (K_B * t))


# Standard-normal quadrature grid for the distribution of log switching times.
_Z = np.linspace(-8.0, 8.0, 1601)
_PHI = np.exp(-0.5 * _Z ** 2) / np.sqrt(2.0 * np.pi)
_DZ = _Z[1] - _Z[0]


@dataclass(frozen=True)
class SwitchingKinetics:
    """Nucleation-limited switching (NLS) with a Merz-type field dependence.

    Each domain switches after a waiting time with the Kolmogorov–Avrami–Ishibashi form
    1 − exp[−(t/τ)^β]; its characteristic time follows Merz's law τ(E) = τ0·exp[(E_a/E)^α];
    across domains ln τ is spread normally with standard deviation ``log_tau_spread`` around that
    median. One pulse of width t at field E switches, on average, the fraction
    s(t, E) = ⟨1 − exp[−(t/τ)^β]⟩ of the domains that are not yet switched (a memoryless
    approximation: each pulse meets a representative population, which gives the soft-bounded,
    saturating multilevel response).

    An imprint field E_imp favours the set direction: the set pulse acts with |V|/d + E_imp, the
    reset pulse with |V|/d − E_imp. This is the source of the device's up/down asymmetry.

    Attributes
    ----------
    tau0_s : float
        Merz attempt time τ0 (s); sub-nanosecond, see the book, Chapter 1.
    activation_field_V_m : float
        Activation field E_a (V/m).
    alpha : float
        Merz exponent α (dimensionless).
    beta : float
        KAI exponent β (dimensionless).
    log_tau_spread : float
        Standard deviation of ln τ across domains (dimensionless, natural log).
    imprint_field_V_m : float
        Imprint field E_imp (V/m); > 0 favours set.

    Raises
    ------
    ValueError
        If a field is not finite, or one of the first five is not > 0.
    """

    tau0_s: float = 1e-10
    activation_field_V_m: float = 1.23e9
    alpha: float = 2.0
    beta: float = 2.0
    log_tau_spread: float = 2.0
    imprint_field_V_m: float = 1.06e7

    def __post_init__(self) -> None:
        _require("tau0_s", self.tau0_s, low=0, unit="s")
        _require("activation_field_V_m", self.activation_field_V_m, low=0, unit="V/m")
        _require("alpha", self.alpha, low=0)
        _require("beta", self.beta, low=0)
        _require("log_tau_spread", self.log_tau_spread, low=0)
        _require("imprint_field_V_m", self.imprint_field_V_m)

    def median_switching_time_s(self, field_V_m):
        """Merz law τ(E) = τ0·exp[(E_a/E)^α], s (infinite at E ≤ 0).

        Parameters
        ----------
        field_V_m : float or array of float
            Effective field E (V/m).

        Returns
        -------
        float or array of float
            Median switching time τ (s), shaped like ``field_V_m``.
        """
        e = np.asarray(field_V_m, dtype=float)
        with np.errstate(divide="ignore", over="ignore"):
            x = np.where(e > 0, (self.activation_field_V_m / np.where(e > 0, e, 1.0)) ** self.alpha,
                         np.inf)
            return self.tau0_s * np.exp(x)

    def fraction_switched(self, width_s, field_V_m):
        """Expected fraction s ∈ [0, 1) of the unswitched domains that one pulse switches.

        ``width_s`` (s, > 0) and ``field_V_m`` (V/m, the effective field) broadcast together.

        Parameters
        ----------
        width_s : float or array of float
            Pulse width (s), > 0.
        field_V_m : float or array of float
            Effective field (V/m), e.g. from :meth:`effective_field`.

        Returns
        -------
        float or array of float
            Fraction switched (dimensionless, 0 … 1), broadcast over the arguments.

        Raises
        ------
        ValueError
            If a width is not finite or not > 0.
        """
        _require("width_s", width_s, low=0, unit="s")
        t = np.asarray(width_s, dtype=float)
        e = np.asarray(field_V_m, dtype=float)
        with np.errstate(divide="ignore", over="ignore"):
            ln_tau_med = np.where(e > 0, np.log(self.tau0_s)
                                  + (self.activation_field_V_m / np.where(e > 0, e, 1.0)) ** self.alpha,
                                  np.inf)
        shape = np.broadcast(t, ln_tau_med).shape
        ln_t = np.broadcast_to(np.log(t), shape)[..., None]
        ln_tau = np.broadcast_to(ln_tau_med, shape)[..., None] + self.log_tau_spread * _Z
        with np.errstate(over="ignore"):
            switched = -np.expm1(-np.exp(np.minimum(self.beta * (ln_t - ln_tau), 700.0)))
        return (switched * _PHI).sum(axis=-1) * _DZ

    def effective_field(self, voltage_V, polarity: str, stack: HZOStack):
        """Field that drives switching for a pulse of amplitude |V| and the given polarity, V/m.

        Parameters
        ----------
        voltage_V : float or array of float
            Pulse amplitude (V); its sign is ignored.
        polarity : str
            ``"set"`` (the imprint field adds) or ``"reset"`` (it subtracts).
        stack : HZOStack
            Geometry (film thickness).

        Returns
        -------
        float or array of float
            Effective field (V/m), shaped like ``voltage_V``.

        Raises
        ------
        ValueError
            If ``polarity`` is not ``"set"`` or ``"reset"``.
        """
        _check_polarity(polarity)
        sign = 1.0 if polarity == "set" else -1.0
        return stack.field(voltage_V) + sign * self.imprint_field_V_m


#: The iso-fraction rule's default target, 3% of the unswitched polarisation per pulse.
TARGET_FRACTION: float = 0.03


def _grid_up(v: float, step: float) -> float:
    """``v`` rounded up to the pulse generator's grid of ``step`` volts."""
    return float(np.ceil(round(v / step, 9)) * step)


@dataclass(frozen=True)
class IsoFraction:
    """Programming scheme: at every width, the amplitude that switches a fixed fraction per pulse.

    Each width and polarity gets the amplitude at which one pulse switches ``target_fraction`` of
    the unswitched polarisation (imprint included, so set and reset differ), rounded up to the
    generator's ``step_V`` grid and capped at ``cap_V`` (``None``: the stack's ``max_voltage_V``).
    Where the cap binds the pulse switches less than the target: short pulses need the highest
    fields, so the cap makes them small and asymmetric — the physics, not a chosen number.

    Attributes
    ----------
    target_fraction : float
        Fraction of the unswitched polarisation one pulse should switch (dimensionless, 0 … 0.5).
    cap_V : float or None
        Highest amplitude (V); None: the stack's ``max_voltage_V``.
    step_V : float
        The amplitude grid of the pulse generator (V).

    Raises
    ------
    ValueError
        If ``target_fraction`` is outside (0, 0.5] or ``cap_V`` or ``step_V`` is not > 0.
    """

    target_fraction: float = TARGET_FRACTION
    cap_V: float | None = None
    step_V: float = 0.05

    name: ClassVar[str] = "iso-fraction"

    def __post_init__(self) -> None:
        _require("target_fraction", self.target_fraction, low=0, high=0.5)
        if self.cap_V is not None:
            _require("cap_V", self.cap_V, low=0, unit="V")
        _require("step_V", self.step_V, low=0, unit="V")

    def cap(self, device: "HZODevice") -> float:
        """The cap in force for ``device``, V.

        Parameters
        ----------
        device : HZODevice
            The device whose stack gives the cap when ``cap_V`` is None.

        Returns
        -------
        float
            Highest amplitude (V).
        """
        return device.stack.max_voltage_V if self.cap_V is None else float(self.cap_V)

    def amplitude_V(self, device: "HZODevice", width_s: float, polarity: str) -> float:
        """Amplitude |V| of this scheme at one width and polarity, V.

        Parameters
        ----------
        device : HZODevice
            The device (its kinetics, imprint included, and its stack's cap).
        width_s : float
            Pulse width (s), > 0.
        polarity : str
            ``"set"`` or ``"reset"``.

        Returns
        -------
        float
            Pulse amplitude (V), on the ``step_V`` grid and at most the cap.

        Raises
        ------
        ValueError
            If ``width_s`` is not > 0 or ``polarity`` is not ``"set"`` or ``"reset"``.
        """
        v = _grid_up(device.required_amplitude_V(width_s, polarity, self.target_fraction),
                     self.step_V)
        return float(min(v, self.cap(device)))

    def describe(self) -> dict:
        """Plain-data parameters (results files, cache keys).

        Returns
        -------
        dict
            ``scheme`` (the name), ``target_fraction`` (dimensionless), ``cap_V`` (V or None) and
            ``step_V`` (V).
        """
        return {"scheme": self.name, "target_fraction": self.target_fraction,
                "cap_V": self.cap_V, "step_V": self.step_V}

    def label(self, device: "HZODevice | None" = None) -> str:
        """A short label, e.g. ``iso-fraction 3%, cap 3.8 V``.

        Parameters
        ----------
        device : HZODevice, optional
            The device whose cap is shown; None: ``DEFAULT_DEVICE``.

        Returns
        -------
        str
            The label, with the target in percent and the cap in V.
        """
        cap = self.cap(device or DEFAULT_DEVICE)
        return f"iso-fraction {self.target_fraction * 100:g}%, cap {cap:g} V"


@dataclass(frozen=True)
class AmplitudeLadder:
    """Programming scheme: a fixed amplitude ladder, the same |V| for set and reset.

    The kind of table a measurement campaign fixes before it measures: ``volts_at_reference`` at
    ``reference_width_s``, and ``volts_per_decade`` less for every decade of pulse width (longer
    pulses switch more at the same field, so campaigns lower the amplitude), capped at ``cap_V``
    (None: the stack's ``max_voltage_V``). No imprint compensation: set and reset share the
    amplitude, so the imprint makes every width asymmetric.

    Attributes
    ----------
    volts_at_reference : float
        Amplitude at the reference width (V).
    volts_per_decade : float
        Amplitude lowered per decade of width (V per decade); ≥ 0, and 0 gives one amplitude for
        all widths.
    reference_width_s : float
        The width of ``volts_at_reference`` (s).
    cap_V : float or None
        Highest amplitude (V); None: the stack's ``max_voltage_V``.

    Raises
    ------
    ValueError
        If a field is not finite, ``volts_per_decade`` is negative, or another is not > 0.
    """

    volts_at_reference: float = 3.8
    volts_per_decade: float = 0.2
    reference_width_s: float = 20e-9
    cap_V: float | None = None

    name: ClassVar[str] = "ladder"

    def __post_init__(self) -> None:
        _require("volts_at_reference", self.volts_at_reference, low=0, unit="V")
        _require("volts_per_decade", self.volts_per_decade, low=0, strict_low=False, unit="V")
        _require("reference_width_s", self.reference_width_s, low=0, unit="s")
        if self.cap_V is not None:
            _require("cap_V", self.cap_V, low=0, unit="V")

    def cap(self, device: "HZODevice") -> float:
        """The cap in force for ``device``, V.

        Parameters
        ----------
        device : HZODevice
            The device whose stack gives the cap when ``cap_V`` is None.

        Returns
        -------
        float
            Highest amplitude (V).
        """
        return device.stack.max_voltage_V if self.cap_V is None else float(self.cap_V)

    def amplitude_V(self, device: "HZODevice", width_s: float, polarity: str) -> float:
        """Amplitude |V| of the ladder at one width, V (the same for both polarities).

        Parameters
        ----------
        device : HZODevice
            The device whose stack gives the cap when ``cap_V`` is None.
        width_s : float
            Pulse width (s), > 0.
        polarity : str
            ``"set"`` or ``"reset"`` (checked, but the ladder does not depend on it).

        Returns
        -------
        float
            Pulse amplitude (V), at most the cap.

        Raises
        ------
        ValueError
            If ``width_s`` is not > 0, ``polarity`` is unknown, or the ladder gives an amplitude
            ≤ 0 V at this width.
        """
        _require("width_s", width_s, low=0, unit="s")
        _check_polarity(polarity)
        v = self.volts_at_reference - self.volts_per_decade * np.log10(width_s / self.reference_width_s)
        v = round(float(v), 9)
        if v <= 0:
            raise ValueError(f"the amplitude ladder gives {v:g} V at {width_s:g} s; lower "
                             f"volts_per_decade or raise volts_at_reference")
        return float(min(v, self.cap(device)))

    def describe(self) -> dict:
        """Plain-data parameters (results files, cache keys).

        Returns
        -------
        dict
            ``scheme`` (the name), ``volts_at_reference`` (V), ``volts_per_decade`` (V per
            decade), ``reference_width_s`` (s) and ``cap_V`` (V or None).
        """
        return {"scheme": self.name, "volts_at_reference": self.volts_at_reference,
                "volts_per_decade": self.volts_per_decade,
                "reference_width_s": self.reference_width_s, "cap_V": self.cap_V}

    def label(self, device: "HZODevice | None" = None) -> str:
        """A short label, e.g. ``ladder 3.8 V at 20 ns, −0.2 V/decade``.

        Parameters
        ----------
        device : HZODevice, optional
            Unused; accepted so that every scheme has the same signature.

        Returns
        -------
        str
            The label, with amplitudes in V and the reference width in ns.
        """
        return (f"ladder {self.volts_at_reference:g} V at {self.reference_width_s * 1e9:g} ns, "
                f"−{self.volts_per_decade:g} V/decade")


#: The programming schemes, by name.
SCHEMES: dict[str, type] = {IsoFraction.name: IsoFraction, AmplitudeLadder.name: AmplitudeLadder}


@dataclass(frozen=True)
class HZODevice:
    """One HZO synapse: its stack, its conduction law, its switching kinetics, and the campaign's
    programming scheme (how each width's write amplitude is chosen: :class:`IsoFraction`, the
    default, or :class:`AmplitudeLadder`).

    Attributes
    ----------
    stack : HZOStack
        Geometry and operating conditions (SI units, see :class:`HZOStack`).
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
        _require("width_s", width_s, low=0, unit="s")
        _check_polarity(polarity)
        target = (getattr(self.scheme, "target_fraction", TARGET_FRACTION) if fraction is None
                  else fraction)
        _require("fraction", target, low=0, high=0.5)

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
        _require("width_s", width_s, low=0, unit="s")
        _check_polarity(polarity)
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
