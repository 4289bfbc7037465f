"""Wear laws: how much of a device's life one programming pulse spends, at its amplitude and
width.

No validated law maps cycles to failure on pulse voltage and width for HfO2/ZrO2 devices, so a
wear law is an explicit input, like the programming scheme. Two kinds are provided, each with
labelled constants (:data:`WEAR_MODELS`: a low, central and high lifetime per kind):

* :class:`Fatigue` — count-based fatigue: cycles to failure fall as a power law in the field,
  N_f(E) = N_ref·(E/E_ref)^(−n); one cycle is a set and a reset pulse, so each pulse spends
  1/(2·N_f(E)) of the device's life whatever its width;
* :class:`Breakdown` — time-at-field dielectric breakdown: the time to breakdown falls
  exponentially with voltage, t_BD(V) = t_ref·exp(−γ·(V − V_ref)); each pulse spends
  t_pulse/t_BD(V).

Either way a device's consumed life is the sum over its pulses (Miner's rule):
life = n_set·a(V_set) + n_reset·a(V_reset), where a is a law's ``life_per_pulse``
(:meth:`~fetrain.device.wear.Fatigue.life_per_pulse`,
:meth:`~fetrain.device.wear.Breakdown.life_per_pulse`). A device fails
when its consumed life reaches 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..common.checks import require
from .stack import HZOStack

#: 1 MV/cm in V/m.
MV_PER_CM = 1e8


@dataclass(frozen=True)
class Fatigue:
    """Count-based fatigue: N_f(E) = ``cycles_ref``·(E/``field_ref_MV_cm``)^(−``exponent``).

    The field is the amplitude over the ferroelectric film's thickness (the stack's). Each pulse
    spends 1/(2·N_f) of the device's life: a bipolar cycle is two pulses. The pulse width does
    not enter.

    Attributes
    ----------
    cycles_ref : float
        Cycles to failure at the reference field (counts), > 0.
    field_ref_MV_cm : float
        The reference field (MV/cm), > 0.
    exponent : float
        Power-law exponent n (dimensionless), > 0.
    label : str
        A short label for tables and figures.
    source : str
        Where the constants come from.
    """

    cycles_ref: float
    field_ref_MV_cm: float
    exponent: float
    label: str = ""
    source: str = ""

    kind: ClassVar[str] = "fatigue"

    def __post_init__(self) -> None:
        require("cycles_ref", self.cycles_ref, low=0, unit="cycles")
        require("field_ref_MV_cm", self.field_ref_MV_cm, low=0, unit="MV/cm")
        require("exponent", self.exponent, low=0)

    def cycles_to_failure(self, amplitude_V, stack: HZOStack = HZOStack()):
        """N_f at the field of ``amplitude_V`` across the stack's film (cycles).

        Parameters
        ----------
        amplitude_V : float or array of float
            Pulse amplitude |V| (V), > 0.
        stack : HZOStack
            The device stack (its film thickness gives the field).

        Returns
        -------
        float or array of float
            Cycles to failure (counts).
        """
        require("amplitude_V", amplitude_V, low=0, unit="V")
        field = stack.field(amplitude_V) / MV_PER_CM
        return self.cycles_ref * (field / self.field_ref_MV_cm) ** (-self.exponent)

    def life_per_pulse(self, amplitude_V, width_s, stack: HZOStack = HZOStack()):
        """Fraction of the device's life one pulse spends (dimensionless): 1/(2·N_f).

        Parameters
        ----------
        amplitude_V : float or array of float
            Pulse amplitude |V| (V), > 0.
        width_s : float or array of float
            Pulse width (s), > 0 (checked; the fatigue law does not use it).
        stack : HZOStack
            The device stack.

        Returns
        -------
        float or array of float
            Consumed life per pulse (fraction, 0 … 1).
        """
        require("width_s", width_s, low=0, unit="s")
        return 0.5 / self.cycles_to_failure(amplitude_V, stack)

    def describe(self) -> dict:
        """Plain-data constants (results files): kind, N_ref (cycles), E_ref (MV/cm), n."""
        return {"kind": self.kind, "cycles_ref": self.cycles_ref,
                "field_ref_MV_cm": self.field_ref_MV_cm, "exponent": self.exponent}


@dataclass(frozen=True)
class Breakdown:
    """Time-at-field breakdown: t_BD(V) = ``t_ref_s``·exp(−``gamma_per_V``·(V − ``v_ref_V``)).

    Each pulse spends t_pulse/t_BD(V) of the device's life: a short pulse at a high amplitude
    and a long one at a low amplitude can spend the same.

    Attributes
    ----------
    t_ref_s : float
        Time at field to breakdown at the reference voltage (s), > 0.
    v_ref_V : float
        The reference voltage (V), > 0.
    gamma_per_V : float
        Voltage acceleration γ (1/V), > 0: the lifetime falls by exp(γ) per volt.
    label : str
        A short label for tables and figures.
    source : str
        Where the constants come from.
    """

    t_ref_s: float
    v_ref_V: float
    gamma_per_V: float
    label: str = ""
    source: str = ""

    kind: ClassVar[str] = "breakdown"

    def __post_init__(self) -> None:
        require("t_ref_s", self.t_ref_s, low=0, unit="s")
        require("v_ref_V", self.v_ref_V, low=0, unit="V")
        require("gamma_per_V", self.gamma_per_V, low=0, unit="1/V")

    def time_to_breakdown_s(self, amplitude_V):
        """t_BD at ``amplitude_V`` (s).

        Parameters
        ----------
        amplitude_V : float or array of float
            Pulse amplitude |V| (V), > 0.

        Returns
        -------
        float or array of float
            Time at field to breakdown (s).
        """
        require("amplitude_V", amplitude_V, low=0, unit="V")
        return self.t_ref_s * np.exp(-self.gamma_per_V * (np.asarray(amplitude_V) - self.v_ref_V))

    def life_per_pulse(self, amplitude_V, width_s, stack: HZOStack = HZOStack()):
        """Fraction of the device's life one pulse spends (dimensionless): t_pulse/t_BD(V).

        Parameters
        ----------
        amplitude_V : float or array of float
            Pulse amplitude |V| (V), > 0.
        width_s : float or array of float
            Pulse width (s), > 0.
        stack : HZOStack
            The device stack (not used: the law is in volts).

        Returns
        -------
        float or array of float
            Consumed life per pulse (fraction).
        """
        require("width_s", width_s, low=0, unit="s")
        return np.asarray(width_s, dtype=float) / self.time_to_breakdown_s(amplitude_V)

    def describe(self) -> dict:
        """Plain-data constants (results files): kind, t_ref (s), V_ref (V), γ (1/V)."""
        return {"kind": self.kind, "t_ref_s": self.t_ref_s, "v_ref_V": self.v_ref_V,
                "gamma_per_V": self.gamma_per_V}


_TAN = ("Tan et al. 2021 (arXiv 2103.08806): HfO2 FeFET with a high-k interlayer, beyond "
        "1e10 cycles of ±3 V, 250 ns gate pulses (field across its 4.5 nm ferroelectric taken "
        "as 3 MV/cm)")
_FEFET = "HfO2 FeFETs failing near 1e4–1e5 cycles from interface charge trapping"
_LYU = ("Lyu et al. 2020 (arXiv 2005.14477): sub-5 nm HZO capacitors switching after 1e11 "
        "cycles at 2.5 V (≈ 5 MV/cm)")

#: The book's wear laws by name: for each kind, a low, central and high lifetime. The anchors
#: are cycles survived, read as cycles to failure (an assumption). No fatigue exponent has been
#: measured for these devices: n = 15, 10 and 6 span a steep to a gentle law. Breakdown's t_ref
#: is the time at field of the anchors' cycles (two 250 ns pulses per cycle; the capacitor
#: anchor's width unknown, taken as 250 ns), and γ spans the two readings of "10–15 per volt"
#: quoted for comparable oxide stacks: γ = 15 /V to a factor of 10 per volt (γ = ln 10 ≈ 2.3 /V).
WEAR_MODELS: dict = {
    "fatigue-low": Fatigue(1e5, 3.0, 15.0, "fatigue, low (1e5 cycles at 3 MV/cm, n = 15)",
                           _FEFET),
    "fatigue-central": Fatigue(1e10, 3.0, 10.0,
                               "fatigue, central (1e10 cycles at 3 MV/cm, n = 10)", _TAN),
    "fatigue-high": Fatigue(1e11, 5.0, 6.0, "fatigue, high (1e11 cycles at 5 MV/cm, n = 6)",
                            _LYU),
    "breakdown-low": Breakdown(2 * 1e5 * 250e-9, 3.0, 15.0,
                               "breakdown, low (t_BD(3 V) = 0.05 s, γ = 15 /V)", _FEFET),
    "breakdown-central": Breakdown(2 * 1e10 * 250e-9, 3.0, 10.0,
                                   "breakdown, central (t_BD(3 V) = 5e3 s, γ = 10 /V)", _TAN),
    "breakdown-high": Breakdown(2 * 1e11 * 250e-9, 2.5, float(np.log(10.0)),
                                "breakdown, high (t_BD(2.5 V) = 5e4 s, γ = 2.3 /V)", _LYU),
}


def wear_model(name: str):
    """The wear law called ``name`` in :data:`WEAR_MODELS`.

    Parameters
    ----------
    name : str
        A name of :data:`WEAR_MODELS`.

    Returns
    -------
    Fatigue or Breakdown
        The law.

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the names).
    """
    if name not in WEAR_MODELS:
        raise ValueError(f"wear model must be one of {tuple(WEAR_MODELS)}; got {name!r}")
    return WEAR_MODELS[name]


def pulse_life(model, law) -> tuple[float, float]:
    """Life spent by one set (up) and one reset (down) pulse of a device model's width at its
    amplitudes, under a wear law (fractions of a device's life).

    Parameters
    ----------
    model : DeviceModel
        The device model (its ``width_s``, ``amplitude_set_V``, ``amplitude_reset_V``, stack).
    law : Fatigue or Breakdown or str
        The wear law, or a name of :data:`WEAR_MODELS`.

    Returns
    -------
    tuple of float
        (per up pulse, per down pulse), dimensionless.

    Raises
    ------
    ValueError
        If the model's width or amplitudes are unknown (NaN) or the law's name is unknown.
    """
    law = wear_model(law) if isinstance(law, str) else law
    for name in ("width_s", "amplitude_set_V", "amplitude_reset_V"):
        if not np.isfinite(getattr(model, name)):
            raise ValueError(f"the device model's {name} is unknown (NaN): wear needs the pulse "
                             f"width and amplitudes")
    return (float(law.life_per_pulse(model.amplitude_set_V, model.width_s, model.stack)),
            float(law.life_per_pulse(model.amplitude_reset_V, model.width_s, model.stack)))
