"""Programming schemes: how a measurement campaign picks each pulse width's write amplitude —
:class:`IsoFraction` (the amplitude that switches a fixed fraction per pulse, the default) or
:class:`AmplitudeLadder` (a fixed ladder of amplitudes) — registered by name in :data:`SCHEMES`.
A scheme asks the device's switching kinetics (:mod:`~fetrain.device.switching`) for its
amplitudes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..common.checks import require
from .stack import HZOStack, check_polarity
from .switching import TARGET_FRACTION

if TYPE_CHECKING:
    from .hzo import HZODevice


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
        require("target_fraction", self.target_fraction, low=0, high=0.5)
        if self.cap_V is not None:
            require("cap_V", self.cap_V, low=0, unit="V")
        require("step_V", self.step_V, low=0, unit="V")

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
            The device whose cap is shown; None: the default stack's.

        Returns
        -------
        str
            The label, with the target in percent and the cap in V.
        """
        cap = (self.cap(device) if device is not None
               else self.cap_V if self.cap_V is not None else HZOStack().max_voltage_V)
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
        require("volts_at_reference", self.volts_at_reference, low=0, unit="V")
        require("volts_per_decade", self.volts_per_decade, low=0, strict_low=False, unit="V")
        require("reference_width_s", self.reference_width_s, low=0, unit="s")
        if self.cap_V is not None:
            require("cap_V", self.cap_V, low=0, unit="V")

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
        require("width_s", width_s, low=0, unit="s")
        check_polarity(polarity)
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
