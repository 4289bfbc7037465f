"""The HZO stack: the geometry and operating conditions of one synapse (:class:`HZOStack`), the
constants of nature, and the study's five programming pulse widths. The base of the device's
physics; it uses only the ground floor (:mod:`fetrain.common`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import constants as _c

from ..common.checks import require

Q = _c.e                  #: elementary charge, C


K_B = _c.k                #: Boltzmann constant, J/K


EPS0 = _c.epsilon_0       #: vacuum permittivity, F/m


Polarity = Literal["set", "reset"]


POLARITIES: tuple[str, str] = ("set", "reset")


#: The five programming pulse widths of the study, s.
PULSE_WIDTHS_S: tuple[float, ...] = (20e-9, 200e-9, 2e-6, 20e-6, 200e-6)


#: The study's recommended width, used by Chapters 3–5 as the default device, s.
DEFAULT_PULSE_WIDTH_S: float = 20e-9


def check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}; got {polarity!r}")


@dataclass(frozen=True)
class HZOStack:
    """Geometry and operating conditions of the synthetic HfO2/ZrO2 superlattice synapse.

    All are assumptions of the synthetic device, chosen within published ranges
    (see :data:`~fetrain.device.hzo.CONSTANT_SOURCES`).

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
        require("area_m2", self.area_m2, low=0, unit="m²")
        require("thickness_m", self.thickness_m, low=0, unit="m")
        require("eps_static", self.eps_static, low=1, strict_low=False)
        require("eps_optical", self.eps_optical, low=1, strict_low=False)
        require("temperature_K", self.temperature_K, low=0, unit="K")
        require("read_voltage_V", self.read_voltage_V, low=0, unit="V")
        require("remanent_polarisation_C_m2", self.remanent_polarisation_C_m2, low=0, unit="C/m²")
        require("max_voltage_V", self.max_voltage_V, low=0, unit="V")

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
