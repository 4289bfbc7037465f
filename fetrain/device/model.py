"""The device model that training uses: :class:`DeviceModel`, one pulse width's step table (up
and down steps on nodes of the weight scale), its symmetry points, figures of merit and noise,
and the energy of a pulse at any state — the single immutable object that fetrain's training
engine, the AIHWKit bridge and the energy ledger all take. Beside it: how each quantity it rests
on is known (:class:`Quantities`), one stable symmetry point (:class:`SymmetryPoint`), and the
same device without asymmetry (:func:`symmetrized`).

A model is built from measurements by :mod:`~fetrain.device.build`; this module fits nothing and
reads no file. It uses the step table (:mod:`~fetrain.device.steps`), the curve fits
(:mod:`~fetrain.device.curves`) and the energy of a pulse (:mod:`~fetrain.device.energy`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.polynomial import Polynomial

from ..common.checks import plain, require
from .curves import _nonlinearity, _pulses_between
from .energy import PulseEnergy, pulse_energy
from .stack import HZOStack
from .steps import (
    N_NODES,
    W_MAX,
    W_MIN,
    _frozen,
    interpolate_table,
    stable_points_of_table,
    symmetry_point_of_table,
)

if TYPE_CHECKING:
    from .curves import CurveFit
    from .noise import NoiseFigures


#: How a quantity behind a device model is known.
KNOWN_AS = ("measured", "given", "assumed", "unknown")


class EnergyUnavailable(ValueError):
    """Energy asked of a device model whose data cannot give joules (normalized conductance, or an
    unknown pulse width or amplitude); the message says what is missing."""


@dataclass(frozen=True)
class Quantities:
    """What a device model rests on, and how each quantity is known.

    Each attribute is one of :data:`KNOWN_AS`: ``measured`` (in the data file), ``given`` (by the
    user, as an option), ``assumed`` (a default of fetrain's) or ``unknown``.

    Attributes
    ----------
    conductance : str
        ``measured`` when the file holds currents and read voltages (or conductances in S);
        ``unknown`` when it holds normalized conductance (no unit, arbitrary offset): then only
        the shape of the response is known, and no joules can be computed.
    pulse_width : str
        How the programming pulse width (s) is known.
    amplitude : str
        How the programming amplitudes (V) are known.
    geometry : str
        How the area (m²) and thickness (m) of the device are known (capacitance, switched
        charge): ``assumed`` when the synthetic device's stack stands in for them.

    Raises
    ------
    ValueError
        If a value is not one of ``KNOWN_AS``.
    """

    conductance: str = "measured"
    pulse_width: str = "measured"
    amplitude: str = "measured"
    geometry: str = "assumed"

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in KNOWN_AS:
                raise ValueError(f"Quantities.{f.name} must be one of {KNOWN_AS}; got {value!r}")

    def missing_for_energy(self) -> tuple[str, ...]:
        """What the energy of a pulse needs and the data does not give (empty: energy available).

        Returns
        -------
        tuple of str
            One description per missing quantity (conductance in S, pulse width, amplitude).
        """
        missing = []
        if self.conductance == "unknown":
            missing.append("conductance in siemens (the file holds normalized conductance: give "
                           "read currents and the read voltage, or conductances in S)")
        if self.pulse_width == "unknown":
            missing.append("the pulse width")
        if self.amplitude == "unknown":
            missing.append("the pulse amplitude")
        return tuple(missing)

    def as_dict(self) -> dict:
        """The quantities as a plain dict (for JSON).

        Returns
        -------
        dict of str to str
            Field name to how it is known.
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class SymmetryPoint:
    """One stable symmetry point of a device: where alternating up/down pulses settle it.

    Attributes
    ----------
    w : float
        The point from the step table, a stable root of Δw↑(w) − Δw↓(w) (w units).
    basin : tuple of float
        (low, high), the states from which the table's drift leads here, bounded by the unstable
        roots around it or by the weight bounds (w units).
    w_pulsing : float
        Where devices started inside the basin settle under alternating pulses (w units).
    basin_pulsing : tuple of float
        (low, high) of the starting states that settled here when pulsed (w units).
    conductance : float
        The conductance at ``w``, on the data's scale (S, or normalized units).
    uncertainty : float
        Standard deviation of ``w`` over resamplings of the data (w units); NaN when not
        estimated, see :func:`~fetrain.device.build.symmetry_point_uncertainty`.
    found_fraction : float
        Fraction of the resamplings in which a stable point was found in the basin
        (dimensionless).
    """

    w: float
    basin: tuple[float, float]
    w_pulsing: float
    basin_pulsing: tuple[float, float]
    conductance: float
    uncertainty: float = float("nan")
    found_fraction: float = float("nan")

    def as_dict(self) -> dict:
        """Plain numbers, for JSON (NaN as None).

        Returns
        -------
        dict
            The fields, rounded to 6 decimals, in their units (w units; conductance in S or
            normalized units).
        """
        def plain(x):
            return None if not np.isfinite(x) else round(float(x), 6)
        return {"w": plain(self.w), "uncertainty": plain(self.uncertainty),
                "basin": [plain(v) for v in self.basin], "w_pulsing": plain(self.w_pulsing),
                "basin_pulsing": [plain(v) for v in self.basin_pulsing],
                "conductance": plain(self.conductance), "found_fraction": plain(self.found_fraction)}


def _digest_into(digest, value) -> None:
    """Feed a model's value (dataclass, array, polynomial, tuple, number, string) into a hash."""
    if is_dataclass(value):
        digest.update(type(value).__name__.encode())
        for f in fields(value):
            digest.update(f.name.encode())
            _digest_into(digest, getattr(value, f.name))
    elif isinstance(value, np.ndarray):
        digest.update(f"{value.dtype}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, Polynomial):
        _digest_into(digest, (value.coef, value.domain, value.window))
    elif isinstance(value, (tuple, list)):
        digest.update(f"[{len(value)}".encode())
        for item in value:
            _digest_into(digest, item)
    else:
        digest.update(repr(value).encode())


@dataclass(frozen=True, eq=False)
class DeviceModel:
    """The device model of one pulse width: the single object training, bridge and ledger use.

    The weight w lives on [−1, 1] (the book's weight scale, Chapter 2). One up (potentiation) pulse at w adds
    ``step_up_at(w)``; one down pulse subtracts ``step_down_at(w)``; both are linear
    interpolations of the step table on ``w_nodes``, and the result is clipped to [−1, 1].

    Attributes
    ----------
    width_s : float
        Pulse width (s); NaN when unknown.
    source : str
        Where the data came from (e.g. "embedded synthetic data set").
    g_min_S, g_max_S : float
        The conductances that map to w = −1 and w = +1 (S; normalized units for normalized
        data).
    w_nodes : array of float
        The table's nodes, ``N_NODES`` equally spaced on [−1, 1] (w units).
    step_up, step_down : array of float
        Step per pulse at the nodes (w units), ≥ ``min_step``.
    floored_up, floored_down : array of bool
        Nodes where the floor ``min_step`` replaced the fitted step.
    min_step : float
        The floor (w units).
    fit_up, fit_down : CurveFit
        The polynomial fits.
    amplitude_set_V, amplitude_reset_V : float
        Programming amplitudes |V| (V); NaN when unknown.
    pulses_per_phase : int
        Pulses per phase of the characterisation (counts).
    noise : NoiseFigures or None
        Noise and variability (see :class:`~fetrain.device.noise.NoiseFigures`); None for a per-device model.
    stack : HZOStack
        Device geometry for the energy of a pulse (:mod:`fetrain.device.energy`).
    quantities : Quantities
        Which of conductance, width, amplitude and geometry were measured, given, assumed or are
        unknown. With normalized conductance, ``g_min_S`` and ``g_max_S`` are on the file's own
        scale (no unit) and no energy can be computed.
    device_models : tuple of DeviceModel
        Per-device models (same w scale), empty for a per-device model itself.
    device_names : tuple of str
        Names of the devices behind ``device_models``.
    device_bounds : tuple of tuple of float
        Per device, the (lowest, highest) w its cycles reach (w units).
    """

    width_s: float
    source: str
    g_min_S: float
    g_max_S: float
    w_nodes: np.ndarray
    step_up: np.ndarray
    step_down: np.ndarray
    floored_up: np.ndarray
    floored_down: np.ndarray
    min_step: float
    fit_up: CurveFit
    fit_down: CurveFit
    amplitude_set_V: float
    amplitude_reset_V: float
    pulses_per_phase: int
    noise: NoiseFigures | None
    stack: HZOStack = field(default_factory=HZOStack)
    quantities: Quantities = field(default_factory=Quantities)
    device_models: tuple["DeviceModel", ...] = ()
    device_names: tuple[str, ...] = ()
    device_bounds: tuple[tuple[float, float], ...] = ()

    def fingerprint(self) -> str:
        """A short hash of everything the model holds (tables, fits, noise, amplitudes, geometry,
        per-device models): two models that could train differently never share it. Used to key
        cached runs, so that an edited or re-fitted device is never served another's results.

        Returns
        -------
        str
            16 hexadecimal digits of a SHA-256.
        """
        digest = hashlib.sha256()
        _digest_into(digest, self)
        return digest.hexdigest()[:16]

    # ---- the table ----------------------------------------------------------------------

    @property
    def dw_min(self) -> float:
        """The up step at w = 0 (AIHWKit's granularity convention), w units."""
        return float(self.step_up[N_NODES // 2])

    @property
    def piecewise_up(self) -> np.ndarray:
        """Up steps relative to dw_min (AIHWKit's ``piecewise_up``; 1 at w = 0), dimensionless."""
        return self.step_up / self.dw_min

    @property
    def piecewise_down(self) -> np.ndarray:
        """Down steps relative to dw_min (AIHWKit's ``piecewise_down``), dimensionless."""
        return self.step_down / self.dw_min

    def step_up_at(self, w):
        """Mean up step at weight w (AIHWKit's interpolation; dtype of ``w`` kept).

        Parameters
        ----------
        w : float or array of float
            Weight (w units).

        Returns
        -------
        float or array of float
            Up step (w units), shaped and typed like ``w``.
        """
        w = np.asarray(w)
        dtype = w.dtype if np.issubdtype(w.dtype, np.floating) else np.float64
        return dtype.type(self.dw_min) * interpolate_table(w, self.piecewise_up.astype(dtype))

    def step_down_at(self, w):
        """Mean down step (magnitude) at weight w.

        Parameters
        ----------
        w : float or array of float
            Weight (w units).

        Returns
        -------
        float or array of float
            Magnitude of the down step (w units), shaped and typed like ``w``.
        """
        w = np.asarray(w)
        dtype = w.dtype if np.issubdtype(w.dtype, np.floating) else np.float64
        return dtype.type(self.dw_min) * interpolate_table(w, self.piecewise_down.astype(dtype))

    def apply_pulses(self, w, signs, rng: np.random.Generator | None = None):
        """Apply a sequence of pulses to weights; returns the trajectory.

        ``signs`` is a sequence of +1 (up) / −1 (down) / 0 (no pulse); ``w`` a scalar or array of
        starting weights. With ``rng`` the cycle-to-cycle noise multiplies each step by
        (1 + dw_min_std·ξ), as AIHWKit does; without it the update is deterministic. Returns an
        array of shape ``(len(signs) + 1, *w.shape)`` starting with ``w``.

        Parameters
        ----------
        w : float or array of float
            Starting weights (w units).
        signs : sequence of int
            +1 (up), −1 (down) or 0 (no pulse), one per pulse slot.
        rng : numpy.random.Generator, optional
            Random stream for the cycle-to-cycle noise; None: noise off.

        Returns
        -------
        array of float
            The trajectory (w units), shape ``(len(signs) + 1, *w.shape)``.
        """
        w = np.array(w, copy=True)
        dtype = w.dtype if np.issubdtype(w.dtype, np.floating) else np.float64
        w = w.astype(dtype)
        out = [w.copy()]
        std = dtype.type(self.noise.dw_min_std if (rng is not None and self.noise) else 0.0)
        for sign in signs:
            if sign > 0:
                step = self.step_up_at(w)
            elif sign < 0:
                step = -self.step_down_at(w)
            else:
                out.append(w.copy())
                continue
            if std > 0:
                step = step * (dtype.type(1) + std * rng.standard_normal(w.shape).astype(dtype))
            w = np.minimum(np.maximum(w + step, dtype.type(W_MIN)), dtype.type(W_MAX))
            out.append(w.copy())
        return np.stack(out)

    # ---- symmetry point -------------------------------------------------------------------

    @property
    def symmetry_point(self) -> float:
        """The lowest stable symmetry point of the table, a root of step_up(w) − step_down(w).

        Stable: up − down changes sign from + (below) to − (above). NaN when the table has none.
        In w units.
        """
        return symmetry_point_of_table(self.w_nodes, self.step_up, self.step_down)

    def balance_point(self, up_fraction: float) -> float:
        """Where a device settles when a fraction ``up_fraction`` of its pulses are up pulses.

        The stable root of f·Δw↑(w) − (1 − f)·Δw↓(w) on the table; f = ½ gives the symmetry point.
        NaN when there is none on [−1, 1].

        Parameters
        ----------
        up_fraction : float
            Fraction f of up pulses (dimensionless, 0 … 1).

        Returns
        -------
        float
            Balance point (w units), or NaN.

        Raises
        ------
        ValueError
            If ``up_fraction`` is outside [0, 1].
        """
        require("up_fraction", up_fraction, low=0, high=1, strict_low=False)
        f = float(up_fraction)
        return symmetry_point_of_table(self.w_nodes, f * self.step_up, (1.0 - f) * self.step_down)

    def symmetry_point_by_pulsing(self, start: float = -1.0, max_pairs: int = 200_000,
                                  tol: float = 1e-9) -> tuple[float, np.ndarray]:
        """Settle a device under alternating up/down pulses (noise off), as hardware would.

        Starts at ``start``, applies up, down, up, down … until a pair of pulses moves w by less
        than ``tol``; returns (the mean of the last up/down pair of states, the trajectory after each
        pair).

        Parameters
        ----------
        start : float
            Starting weight (w units).
        max_pairs : int
            Most up/down pairs applied (counts).
        tol : float
            Movement per pair below which the device has settled (w units).

        Returns
        -------
        w : float
            Where it settled (w units).
        trajectory : array of float
            The state after each pair, starting with ``start`` (w units).
        """
        w = float(start)
        history = [w]
        for _ in range(max_pairs):
            up = float(np.clip(w + self.step_up_at(w), W_MIN, W_MAX))
            new = float(np.clip(up - self.step_down_at(up), W_MIN, W_MAX))
            history.append(new)
            if abs(new - w) < tol:
                return 0.5 * (up + new), np.array(history)
            w = new
        return 0.5 * (up + new), np.array(history)

    @property
    def device_symmetry_points(self) -> np.ndarray:
        """The symmetry point of each device (from its own table), w units."""
        return np.array([m.symmetry_point for m in self.device_models])

    def settle_by_pulsing(self, starts, max_pairs: int = 200_000, tol: float | None = None):
        """Where devices starting at ``starts`` settle under alternating up/down pulses (noise
        off), vectorized: the mean of the last up/down pair of states, one per start.

        Pairs are applied until no device moves by more than ``tol`` per pair (default 1e-4 of
        dw_min) or ``max_pairs`` pairs. A device whose drift takes it to a bound stays there.

        Parameters
        ----------
        starts : float or array of float
            Starting weights (w units).
        max_pairs : int
            Most up/down pairs applied (counts).
        tol : float, optional
            Movement per pair below which all have settled (w units); None: 1e-4·dw_min.

        Returns
        -------
        array of float
            Where each settled (w units), one per start.
        """
        w = np.clip(np.array(starts, dtype=float, ndmin=1), W_MIN, W_MAX)
        tol = 1e-4 * self.dw_min if tol is None else float(tol)
        up = w
        for _ in range(max_pairs):
            up = np.clip(w + self.step_up_at(w), W_MIN, W_MAX)
            new = np.clip(up - self.step_down_at(up), W_MIN, W_MAX)
            done = np.max(np.abs(new - w)) < tol
            w = new
            if done:
                break
        return 0.5 * (up + w)

    def symmetry_points(self, n_starts: int = 81) -> tuple["SymmetryPoint", ...]:
        """Every stable symmetry point of the table, with its basin of attraction, checked by
        pulsing: devices are started at ``n_starts`` states evenly spread over [−1, 1] and
        settled by alternating pulses; each point reports where the starts inside its basin
        settled and the range of starts that settled there. Ascending in w. The uncertainty of
        each point needs the data: :func:`~fetrain.device.build.symmetry_point_uncertainty`.

        Parameters
        ----------
        n_starts : int
            Number of starting states (counts).

        Returns
        -------
        tuple of SymmetryPoint
            The stable points, ascending in w (w units).
        """
        points = stable_points_of_table(self.w_nodes, self.step_up, self.step_down)
        starts = np.linspace(W_MIN, W_MAX, n_starts)
        settled = self.settle_by_pulsing(starts)
        out = []
        for w_star, lo, hi in points:
            near = np.abs(settled - w_star) <= max(2.0 * self.dw_min, 1e-3)
            out.append(SymmetryPoint(
                w=w_star, basin=(lo, hi),
                w_pulsing=float(np.median(settled[near])) if near.any() else float("nan"),
                basin_pulsing=((float(starts[near].min()), float(starts[near].max()))
                               if near.any() else (float("nan"), float("nan"))),
                conductance=float(self.conductance(w_star))))
        return tuple(out)

    def reference_point(self, start: float = W_MIN) -> tuple[float, str]:
        """The state a reference device reaches when it is set to ``start`` and then pulsed
        alternately up and down until it settles (symmetry point shifting as hardware does it),
        and why: returns (w, a sentence naming the point and its basin).

        With one stable point every start in its basin reaches it; with several, the start
        decides, and the sentence says which point was chosen. Where the drift from ``start``
        ends at a bound, the bound is returned (the reference sits there; the sentence says no
        symmetry point is reached); where there is no drift at ``start``, ``start`` itself. The
        engine's references follow the same rule, device by device.

        Parameters
        ----------
        start : float
            Starting state of the reference (w units, −1 … 1).

        Returns
        -------
        w : float
            The state the reference reaches (w units).
        why : str
            A sentence naming the point and its basin.

        Raises
        ------
        ValueError
            If ``start`` is outside [−1, 1].
        """
        require("start", start, low=W_MIN, high=W_MAX, strict_low=False)
        start = float(start)
        points = stable_points_of_table(self.w_nodes, self.step_up, self.step_down)
        drift = float(self.step_up_at(start) - self.step_down_at(start))
        if drift == 0:
            return start, (f"w = {plain(start, 3)}: the up and down steps are equal there, so a "
                           "reference started there stays (an equilibrium, not necessarily stable)")
        for w_star, lo, hi in points:
            if lo < start < hi or (start == lo == W_MIN) or (start == hi == W_MAX):
                others = [f"{plain(p[0], 3)}" for p in points if p[0] != w_star]
                why = (f"w* = {plain(w_star, 3)}: the stable point whose basin "
                       f"[{plain(lo, 3)}, {plain(hi, 3)}] holds the start w = {plain(start, 3)}")
                if others:
                    why += (f"; the device has {len(points)} stable points (also at "
                            f"{', '.join(others)}), so the start decides")
                return w_star, why
        bound = W_MAX if drift > 0 else W_MIN
        return bound, (f"w = {plain(bound)}: from w = {plain(start, 3)} the drift under "
                       "alternating pulses ends at this bound, so no symmetry point is reached "
                       "and the reference sits at the bound")

    # ---- figures of merit ---------------------------------------------------------------

    def conductance(self, w):
        """Read conductance of weight w, S.

        Parameters
        ----------
        w : float or array of float
            Weight (w units).

        Returns
        -------
        float or array of float
            Read conductance (S; normalized units for normalized data).
        """
        return self.g_min_S + (np.asarray(w, dtype=float) + 1.0) * (self.g_max_S - self.g_min_S) / 2

    def figures(self) -> dict:
        """Figures of merit of the device (one flat dict, for tables).

        Returns
        -------
        dict of str to float
            ``pulse_width_s`` (s); ``G_min_S``, ``G_max_S`` (S, NaN for normalized data);
            ``dynamic_range`` (dimensionless); ``dw_min``, ``step_down_at_0``,
            ``symmetry_point`` and ``read_noise_w`` (w units); ``n_symmetry_points`` (counts);
            ``n_steps_full_range``, ``pulses_10_90_up`` and ``pulses_10_90_down`` (pulses);
            ``n_states_read_noise`` (levels); the asymmetry, nonlinearities, R², relative noise
            and device-to-device spreads (dimensionless).
        """
        fu, fd = self.fit_up, self.fit_down
        nan = float("nan")
        read = self.noise.read_noise_rel if self.noise else nan
        absolute = self.quantities.conductance != "unknown"
        points = stable_points_of_table(self.w_nodes, self.step_up, self.step_down)
        return {
            "pulse_width_s": self.width_s,
            "G_min_S": self.g_min_S if absolute else nan,
            "G_max_S": self.g_max_S if absolute else nan,
            "dynamic_range": self.g_max_S / self.g_min_S if absolute and self.g_min_S > 0 else nan,
            "dw_min": self.dw_min,
            "step_down_at_0": float(self.step_down[N_NODES // 2]),
            "asymmetry_up_over_down_at_0": self.dw_min / float(self.step_down[N_NODES // 2]),
            "symmetry_point": self.symmetry_point,
            "n_symmetry_points": len(points),
            "n_steps_full_range": 2.0 / self.dw_min,
            "n_states_read_noise": self.noise.levels() if self.noise else nan,
            "pulses_10_90_up": _pulses_between(fu, -0.8, 0.8),
            "pulses_10_90_down": _pulses_between(fd, 0.8, -0.8),
            "nonlinearity_up": _nonlinearity(fu),
            "nonlinearity_down": _nonlinearity(fd),
            "r_squared_up": fu.r_squared,
            "r_squared_down": fd.r_squared,
            "dw_min_std": self.noise.dw_min_std if self.noise else nan,
            "read_noise_rel": read,
            "read_noise_w": self.noise.read_noise_w if self.noise else nan,
            "dw_min_dtod": self.noise.dw_min_dtod if self.noise else nan,
            "up_down_dtod": self.noise.up_down_dtod if self.noise else nan,
            "w_min_dtod": self.noise.w_min_dtod if self.noise else nan,
            "w_max_dtod": self.noise.w_max_dtod if self.noise else nan,
        }

    # ---- energy --------------------------------------------------------------------------

    @property
    def energy_available(self) -> bool:
        """Whether the data give joules (absolute conductance, known width and amplitude)."""
        return not self.quantities.missing_for_energy()

    def require_energy(self) -> None:
        """Raise :class:`EnergyUnavailable`, saying what is missing, unless energy is available.

        Raises
        ------
        EnergyUnavailable
            If the conductance is normalized, or the pulse width or amplitude is unknown.
        """
        missing = self.quantities.missing_for_energy()
        if missing:
            raise EnergyUnavailable(f"energy is unavailable for this device model ({self.source}): "
                                    f"the data lack {'; '.join(missing)}")

    def warnings(self) -> tuple[str, ...]:
        """What a reader of this model's figures should know: several stable symmetry points,
        read noise that the step table does not resolve, device-to-device spreads unknown,
        energy unavailable.

        Returns
        -------
        tuple of str
            One sentence per warning (values in w units); empty when there is none.
        """
        out = []
        points = stable_points_of_table(self.w_nodes, self.step_up, self.step_down)
        if len(points) > 1:
            out.append(f"{len(points)} stable symmetry points (w* = "
                       f"{', '.join(plain(p[0], 3) for p in points)}): a device settles at the one "
                       "whose basin holds its starting state; symmetry point shifting must say "
                       "which it uses (DeviceModel.reference_point)")
        elif not points:
            out.append("no stable symmetry point: alternating pulses drive the device to a bound")
        if self.noise is not None:
            if self.noise.read_noise_w > self.dw_min:
                out.append(f"read noise ({plain(self.noise.read_noise_w, 3)} in w per read) exceeds "
                           f"the step dw_min = {plain(self.dw_min, 3)}: single reads do not resolve "
                           "one pulse's step; the step table rests on the fit of the averaged curves")
            if self.noise.dw_min_std == 0:
                out.append("cycle-to-cycle step noise not resolved (estimated 0): the read noise "
                           "hides it")
            if self.noise.n_devices < 2:
                out.append("one device: device-to-device figures are unknown")
        missing = self.quantities.missing_for_energy()
        if missing:
            out.append(f"energy unavailable: the data lack {'; '.join(missing)}")
        return tuple(out)

    def pulse_energy(self, w, polarity: str) -> PulseEnergy:
        """Energy of one pulse at weight w (J), in both forms (:func:`fetrain.device.energy.pulse_energy`).

        The read conductance is G(w); the switched fraction of the polarisation is taken as
        |Δw|/2 of the step the pulse makes — the cycles span (nearly) the whole polarisation range,
        so G_max − G_min ≈ G_on − G_off. The amplitude is the campaign's for this polarity.

        Parameters
        ----------
        w : float or array of float
            Weight before the pulse (w units); clipped to [−1, 1].
        polarity : str
            ``"set"`` (up) or ``"reset"`` (down).

        Returns
        -------
        PulseEnergy
            Energy per pulse (J), shaped like ``w``.

        Raises
        ------
        ValueError
            If ``polarity`` is unknown.
        EnergyUnavailable
            If the model's data cannot give joules.
        """
        if polarity not in ("set", "reset"):
            raise ValueError(f"polarity must be one of ('set', 'reset'); got {polarity!r}")
        self.require_energy()
        w = np.clip(np.asarray(w, dtype=float), W_MIN, W_MAX)
        if polarity == "set":
            v, dw = self.amplitude_set_V, self.step_up_at(w)
        else:
            v, dw = self.amplitude_reset_V, self.step_down_at(w)
        return pulse_energy(v, self.width_s, self.conductance(w), np.clip(dw / 2, 0, 1), self.stack)


def symmetrized(model: DeviceModel) -> DeviceModel:
    """The same device with its up and down tables replaced by their mean (no asymmetry).

    For cross-checks on a configuration that learns under plain SGD; not a physical device.

    Parameters
    ----------
    model : DeviceModel
        The device.

    Returns
    -------
    DeviceModel
        A copy with both step tables the mean of the two (w units), no per-device models.
    """
    from dataclasses import replace

    mean = _frozen(0.5 * (np.asarray(model.step_up) + np.asarray(model.step_down)))
    return replace(model, step_up=mean, step_down=mean, device_models=(), device_names=(),
                   device_bounds=(), source=f"{model.source} (symmetrized)")
