"""Switching kinetics: nucleation-limited switching with a Merz-type field law
(:class:`SwitchingKinetics`) — how much of the not-yet-switched polarisation one pulse of a given
width and amplitude switches. It uses the stack's geometry (:mod:`~fetrain.device.stack`) for the
field of a pulse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..common.checks import require
from .stack import check_polarity

if TYPE_CHECKING:
    from .stack import HZOStack


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
        require("tau0_s", self.tau0_s, low=0, unit="s")
        require("activation_field_V_m", self.activation_field_V_m, low=0, unit="V/m")
        require("alpha", self.alpha, low=0)
        require("beta", self.beta, low=0)
        require("log_tau_spread", self.log_tau_spread, low=0)
        require("imprint_field_V_m", self.imprint_field_V_m)

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
        require("width_s", width_s, low=0, unit="s")
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
        check_polarity(polarity)
        sign = 1.0 if polarity == "set" else -1.0
        return stack.field(voltage_V) + sign * self.imprint_field_V_m


#: The iso-fraction rule's default target, 3% of the unswitched polarisation per pulse.
TARGET_FRACTION: float = 0.03
