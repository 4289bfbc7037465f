"""A synthetic device with two stable symmetry points (:class:`TwoBasinTrace`), written in
AIHWKit's normalized up/down layout, and its truth on a fitted model's weight scale
(:class:`ScaledTruth`): a test of the fitting that a one-basin device cannot give. Its step law is
its own, not the HZO physics; it uses only the ground floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.checks import require


@dataclass(frozen=True)
class TwoBasinTrace:
    """A synthetic device with two stable symmetry points, "measured" as a single normalized
    up/down trace in AIHWKit's fitting-example layout (``fetrain.device.loading.FORMATS["updown"]``).

    Its true state w lies in [−1, 1]. One pulse moves it by Δw↑(w) = s·(1 − w)(1 + q(w)) up and
    Δw↓(w) = s·(1 + w)(1 − q(w)) down, with q(w) = w − k·(w − a)(w − b)(w − c): both steps vanish
    at their bound (soft bounds), and up − down = −2s·k·(w − a)(w − b)(w − c) has stable roots at
    ``a`` and ``c`` and an unstable one at ``b`` between them. A device started below ``b``
    settles at ``a`` under alternating pulses, one started above at ``c``. Each step is
    multiplied by (1 + ``step_noise``·ξ); each read adds ``read_noise_w``·ξ′ (w units); the file
    holds ``gain``·w + ``offset`` (normalized units, partly negative). The trace starts at w = −1
    with ``n_pulses`` up pulses, then ``n_pulses`` down pulses.

    Attributes
    ----------
    a, b, c : float
        The roots of up − down (w units, true scale): stable ``a`` and ``c``, unstable ``b``;
        −1 < a < b < c < 1.
    k : float
        Strength of the cubic term of q(w) (dimensionless).
    s : float
        Step scale (w units per pulse).
    n_pulses : int
        Up pulses, and then down pulses, of the trace (counts), ≥ 10.
    step_noise : float
        Relative standard deviation of each step (dimensionless).
    read_noise_w : float
        Standard deviation of a read (w units).
    gain : float
        Normalized units per w unit of the file, > 0.
    offset : float
        Normalized value of w = 0 (normalized units).
    seed : int
        Seed of the trace's noise.

    Raises
    ------
    ValueError
        If the roots are not ordered inside (−1, 1), ``k`` makes a step negative,
        ``n_pulses`` < 10 or ``gain`` is not > 0.
    """

    a: float = -0.4
    b: float = -0.1
    c: float = 0.25
    k: float = 1.5
    s: float = 0.0025
    n_pulses: int = 1000
    step_noise: float = 0.1
    read_noise_w: float = 0.02
    gain: float = 1.3
    offset: float = 0.2
    seed: int = 2025

    def __post_init__(self) -> None:
        if not -1 < self.a < self.b < self.c < 1:
            raise ValueError(f"the roots must satisfy -1 < a < b < c < 1; got a={self.a}, "
                             f"b={self.b}, c={self.c}")
        grid = np.linspace(-1, 1, 201)[1:-1]
        if not (np.all(self.step_up(grid) > 0) and np.all(self.step_down(grid) > 0)):
            raise ValueError(f"k = {self.k} makes a step negative somewhere on [-1, 1]")
        require("n_pulses", self.n_pulses, low=10, strict_low=False)
        require("gain", self.gain, low=0)

    def _q(self, w):
        w = np.asarray(w, dtype=float)
        return w - self.k * (w - self.a) * (w - self.b) * (w - self.c)

    def step_up(self, w):
        """True mean up step at w (w units).

        Parameters
        ----------
        w : float or array of float
            True state (w units).

        Returns
        -------
        float or array of float
            Up step (w units).
        """
        w = np.asarray(w, dtype=float)
        return self.s * (1.0 - w) * (1.0 + self._q(w))

    def step_down(self, w):
        """True mean down step at w (w units).

        Parameters
        ----------
        w : float or array of float
            True state (w units).

        Returns
        -------
        float or array of float
            Magnitude of the down step (w units).
        """
        w = np.asarray(w, dtype=float)
        return self.s * (1.0 + w) * (1.0 - self._q(w))

    @property
    def stable_points(self) -> tuple[float, float]:
        """The true stable symmetry points (a, c), w units."""
        return (self.a, self.c)

    def reads(self) -> tuple[np.ndarray, np.ndarray]:
        """The file's two columns: normalized reads after each up pulse, then each down pulse.

        Returns
        -------
        tuple of array of float
            ``up`` and ``down`` reads, ``n_pulses`` each (normalized units).
        """
        rng = np.random.default_rng(self.seed)
        w = -1.0
        out = []
        for step in (self.step_up, lambda x: -self.step_down(x)):
            column = []
            for _ in range(self.n_pulses):
                w = float(np.clip(w + step(w) * (1.0 + self.step_noise * rng.standard_normal()),
                                  -1.0, 1.0))
                column.append(w + self.read_noise_w * rng.standard_normal())
            out.append(self.gain * np.array(column) + self.offset)
        return out[0], out[1]

    def to_normalized(self, w):
        """The file's normalized value of a true state w.

        Parameters
        ----------
        w : float or array of float
            True state (w units).

        Returns
        -------
        float or array of float
            ``gain``·w + ``offset`` (normalized units).
        """
        return self.gain * np.asarray(w, dtype=float) + self.offset

    def on_scale(self, g_min: float, g_max: float) -> "ScaledTruth":
        """The truth on a fitted model's weight scale (the scale whose w = −1 and +1 are the
        normalized values ``g_min`` and ``g_max``), for comparing a fit with it.

        Parameters
        ----------
        g_min, g_max : float
            The fitted model's scale ends (normalized units of the file).

        Returns
        -------
        ScaledTruth
            The truth on that scale.
        """
        return ScaledTruth(self, float(g_min), float(g_max))


    def write(self, path: str | Path, header: bool = True) -> Path:
        """Write the two-column CSV (with a header row ``up,down`` unless ``header`` is false).

        Parameters
        ----------
        path : str or pathlib.Path
            The CSV file; its folder is created if missing.
        header : bool
            Write the ``up,down`` header row.

        Returns
        -------
        pathlib.Path
            The written file.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        up, down = self.reads()
        frame = pd.DataFrame({"up": up, "down": down})
        frame.to_csv(path, index=False, header=header, float_format="%.6g")
        return path


@dataclass(frozen=True)
class ScaledTruth:
    """A :class:`TwoBasinTrace`'s true steps and stable points on a fitted model's w scale.

    Attributes
    ----------
    trace : TwoBasinTrace
        The synthetic trace.
    g_min, g_max : float
        The fitted model's scale ends (normalized units of the file).
    """

    trace: TwoBasinTrace
    g_min: float
    g_max: float

    def _to_model(self, w_true):
        return 2.0 * (self.trace.to_normalized(w_true) - self.g_min) / (self.g_max - self.g_min) - 1.0

    def _to_true(self, w_model):
        g = self.g_min + (np.asarray(w_model, dtype=float) + 1.0) * 0.5 * (self.g_max - self.g_min)
        return (g - self.trace.offset) / self.trace.gain

    @property
    def _factor(self) -> float:
        return 2.0 * self.trace.gain / (self.g_max - self.g_min)

    def step_up(self, w):
        """True mean up step at the model's w, in the model's w units.

        Parameters
        ----------
        w : float or array of float
            Weight on the model's scale (w units).

        Returns
        -------
        float or array of float
            Up step (the model's w units).
        """
        return self._factor * self.trace.step_up(np.clip(self._to_true(w), -1.0, 1.0))

    def step_down(self, w):
        """True mean down step at the model's w, in the model's w units.

        Parameters
        ----------
        w : float or array of float
            Weight on the model's scale (w units).

        Returns
        -------
        float or array of float
            Magnitude of the down step (the model's w units).
        """
        return self._factor * self.trace.step_down(np.clip(self._to_true(w), -1.0, 1.0))

    @property
    def stable_points(self) -> tuple[float, float]:
        """The true stable symmetry points on the model's w scale, w units."""
        return tuple(float(self._to_model(a)) for a in self.trace.stable_points)

    @property
    def unstable_point(self) -> float:
        """The true unstable root between them (the basins' border), model's w scale, w units."""
        return float(self._to_model(self.trace.b))
