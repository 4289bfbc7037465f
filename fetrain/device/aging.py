"""A device that ages: its up and down steps drift apart slowly with the cycles it has seen,
and its symmetry point moves with them.

No measurement of this drift for HfO2/ZrO2 synapses is at hand; :class:`StepDrift` states it
as an assumption: past ``onset_cycles`` the ratio of up to down steps changes by
``rate_per_decade`` for every decade of cycles. :func:`aged` gives the device model after a
number of cycles (both tables changed by the square root of the ratio's factor, so that their
geometric mean — the device's mean step — stays), and :func:`symmetry_point_after` where
alternating pulses settle it then.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..common.checks import require


@dataclass(frozen=True)
class StepDrift:
    """The assumed drift of the up/down step ratio with cycling.

    factor(N) = (1 + ``rate_per_decade``) ** log10(max(N, onset) / onset): the up steps grow by
    √factor and the down steps shrink by it (a negative rate does the opposite).

    Attributes
    ----------
    rate_per_decade : float
        Relative change of the up/down step ratio per decade of cycles (dimensionless,
        −0.5 … 0.5; 0.05 = 5 % per decade).
    onset_cycles : float
        Cycles before the drift starts (counts), > 0.
    """

    rate_per_decade: float = 0.05
    onset_cycles: float = 1e3

    def __post_init__(self) -> None:
        require("rate_per_decade", self.rate_per_decade, low=-0.5, high=0.5)
        require("onset_cycles", self.onset_cycles, low=0, unit="cycles")

    def factor(self, cycles):
        """The up/down step ratio after ``cycles`` relative to the fresh device's (≥ 0 cycles).

        Parameters
        ----------
        cycles : float or array of float
            Bipolar cycles the device has seen (counts), ≥ 0.

        Returns
        -------
        float or array of float
            The ratio's factor (dimensionless; 1 before the onset).
        """
        require("cycles", cycles, low=0, strict_low=False, unit="cycles")
        decades = np.log10(np.maximum(np.asarray(cycles, dtype=float), self.onset_cycles)
                           / self.onset_cycles)
        return (1.0 + self.rate_per_decade) ** decades

    def describe(self) -> dict:
        """Plain-data parameters: rate per decade (dimensionless), onset (cycles)."""
        return {"rate_per_decade": self.rate_per_decade, "onset_cycles": self.onset_cycles}


def _scaled(model, root: float):
    up = np.maximum(np.asarray(model.step_up) * root, model.min_step)
    down = np.maximum(np.asarray(model.step_down) / root, model.min_step)
    up.setflags(write=False)
    down.setflags(write=False)
    return up, down


def aged(model, cycles: float, drift: StepDrift = StepDrift()):
    """The device model after ``cycles`` bipolar cycles under an assumed step drift.

    Parameters
    ----------
    model : DeviceModel
        The fresh device model (its per-device models age alike).
    cycles : float
        Cycles seen (counts), ≥ 0.
    drift : StepDrift
        The drift assumption.

    Returns
    -------
    DeviceModel
        A copy whose up steps are scaled by √factor and down steps by 1/√factor (both kept at
        least the model's floor ``min_step``); the model itself when the factor is 1.
    """
    root = float(np.sqrt(drift.factor(cycles)))
    if root == 1.0:
        return model
    up, down = _scaled(model, root)
    devices = tuple(aged(m, cycles, drift) for m in model.device_models)
    return replace(model, step_up=up, step_down=down, device_models=devices,
                   source=f"{model.source} (aged {cycles:.3g} cycles)")


def symmetry_point_after(model, cycles: float, drift: StepDrift = StepDrift(),
                         pulses: int = 10_000) -> float:
    """Where ``pulses`` alternating up and down pulses from w = −1 leave the aged device: the
    mean state of the last 100 pulse pairs (w units), the measurement symmetry point shifting
    makes.

    Parameters
    ----------
    model : DeviceModel
        The fresh device model.
    cycles : float
        Cycles the device has seen (counts), ≥ 0.
    drift : StepDrift
        The drift assumption.
    pulses : int
        Alternating pulses applied (counts, even, ≥ 200).

    Returns
    -------
    float
        The settled state (w units).
    """
    from .steps import W_MAX, W_MIN

    if pulses < 200 or pulses % 2:
        raise ValueError(f"pulses must be an even count ≥ 200; got {pulses!r}")
    device = aged(model, cycles, drift)
    w, after = W_MIN, []
    for _ in range(pulses // 2):
        w = float(np.clip(w + device.step_up_at(w), W_MIN, W_MAX))
        w = float(np.clip(w - device.step_down_at(w), W_MIN, W_MAX))
        after.append(w)
    return float(np.mean(after[-100:]))
