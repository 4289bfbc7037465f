"""Fitting measurements to models: the modified Schottky law of the read I–V sweeps.

:func:`fit_schottky` estimates the law's parameters, with uncertainties, from a measured I–V
table; :func:`mixture_check` tests the domain picture, every intermediate state a mixture of the
two saturated ones. It uses the conduction law (:mod:`~fetrain.device.conduction`) and reads
nothing from disk.

The Schottky fit is linear: taking logs of the modified (Simmons) Schottky law,

ln(|I| / (A · T^{3/2} · E)) = ln K − (q/kT)·φ_s + (q/kT)·b·sqrt(E),   b = sqrt(q / (4π ε_opt ε0)),

is linear in (ln K, b, φ_s) with one barrier φ_s per state; ordinary least squares on all
temperatures at once gives the estimates and their covariance (the noise of a current reading is
multiplicative, so constant in log space). ε_opt = q / (4π ε0 b²), its error by the delta method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..common.checks import require
from .conduction import Conduction
from .stack import EPS0, K_B, HZOStack, Q


@dataclass(frozen=True)
class SchottkyFit:
    """Result of :func:`fit_schottky`.

    Attributes
    ----------
    states : tuple of str
        The state labels fitted, in the order of ``barrier_eV``.
    ln_prefactor : float
        ln K, with K in A·m⁻¹·V⁻¹·K^{-3/2}.
    eps_optical : float
        Optical relative permittivity (dimensionless).
    barrier_eV : array of float
        Barrier height per state (eV).
    covariance : array of float
        Covariance of (ln K, ε_opt, φ_1, …, φ_S); ln K and ε_opt dimensionless, φ in eV.
    residual_std : float
        Standard deviation of the residuals of ln I (dimensionless).
    n_points : int
        Number of points fitted (counts).
    min_voltage_V : float
        The smallest |V| used (V).
    stack : HZOStack
        The geometry used (area and thickness convert current to current density and field).
    """

    states: tuple[str, ...]
    ln_prefactor: float
    eps_optical: float
    barrier_eV: np.ndarray
    covariance: np.ndarray
    residual_std: float
    n_points: int
    min_voltage_V: float
    stack: HZOStack

    @property
    def std(self) -> np.ndarray:
        """Standard errors of (ln K, ε_opt, φ_1, …, φ_S); the barriers' in eV."""
        return np.sqrt(np.diag(self.covariance))

    @property
    def prefactor(self) -> float:
        """K, A·m⁻¹·V⁻¹·K^{-3/2}."""
        return float(np.exp(self.ln_prefactor))

    def barrier(self, state: str) -> tuple[float, float]:
        """(φ, σ_φ) of one state, eV.

        Parameters
        ----------
        state : str
            A fitted state label.

        Returns
        -------
        tuple of float
            The barrier and its standard error (eV).

        Raises
        ------
        ValueError
            If ``state`` was not fitted.
        """
        i = self._index(state)
        return float(self.barrier_eV[i]), float(self.std[2 + i])

    def _index(self, state: str) -> int:
        if state not in self.states:
            raise ValueError(f"state must be one of the fitted states {self.states}; got {state!r}")
        return self.states.index(state)

    def table(self) -> pd.DataFrame:
        """The estimates with their standard errors and units, one row per parameter.

        Returns
        -------
        pandas.DataFrame
            ``parameter``, ``estimate``, ``std_error`` and ``unit`` (the unit of each row:
            ln(A·m⁻¹·V⁻¹·K^-3/2) for ln K, 1 for ε_opt, eV for the barriers).
        """
        names = ["ln K", "eps_optical"] + [f"barrier {s}" for s in self.states]
        units = ["ln(A·m⁻¹·V⁻¹·K^-3/2)", "1"] + ["eV"] * len(self.states)
        values = np.concatenate([[self.ln_prefactor, self.eps_optical], self.barrier_eV])
        return pd.DataFrame({"parameter": names, "estimate": values, "std_error": self.std,
                             "unit": units})

    def z_scores(self, ln_prefactor: float, eps_optical: float, barriers_eV) -> np.ndarray:
        """(estimate − true)/σ for (ln K, ε_opt, φ_1, …); ``barriers_eV`` in the order of ``states``.

        Parameters
        ----------
        ln_prefactor : float
            True ln K, with K in A·m⁻¹·V⁻¹·K^{-3/2}.
        eps_optical : float
            True optical relative permittivity (dimensionless).
        barriers_eV : sequence of float
            True barrier per fitted state (eV).

        Returns
        -------
        array of float
            z-scores (dimensionless), in the order ln K, ε_opt, φ_1, ….
        """
        truth = np.concatenate([[ln_prefactor, eps_optical], np.asarray(barriers_eV, dtype=float)])
        values = np.concatenate([[self.ln_prefactor, self.eps_optical], self.barrier_eV])
        return (values - truth) / self.std

    def current(self, voltage_V, temperature_K, state: str):
        """Fitted current of a fitted state, A (sign follows V).

        Parameters
        ----------
        voltage_V : float or array of float
            Voltage (V).
        temperature_K : float or array of float
            Temperature (K).
        state : str
            A fitted state label.

        Returns
        -------
        float or array of float
            Current (A).

        Raises
        ------
        ValueError
            If ``state`` was not fitted.
        """
        phi = self.barrier_eV[self._index(state)]
        v = np.asarray(voltage_V, dtype=float)
        e = self.stack.field(v)
        t = np.asarray(temperature_K, dtype=float)
        b = np.sqrt(Q / (4 * np.pi * self.eps_optical * EPS0))
        j = self.prefactor * t ** 1.5 * e * np.exp(-Q * (phi - b * np.sqrt(e)) / (K_B * t))
        return np.sign(v) * j * self.stack.area_m2

    def conduction(self, off_state: str, on_state: str) -> Conduction:
        """The parallel-domain conduction law built from two fitted saturated states.

        Parameters
        ----------
        off_state, on_state : str
            Fitted labels of the fully reset and the fully set state.

        Returns
        -------
        Conduction
            The fitted prefactor (A·m⁻¹·V⁻¹·K^{-3/2}) and the two barriers (eV).

        Raises
        ------
        ValueError
            If a state was not fitted, or the on barrier exceeds the off barrier.
        """
        return Conduction(prefactor=self.prefactor, barrier_off_eV=self.barrier(off_state)[0],
                          barrier_on_eV=self.barrier(on_state)[0])


def schottky_coordinates(iv: pd.DataFrame, stack: HZOStack) -> pd.DataFrame:
    """Add the Schottky-plot coordinates to an I–V table (rows with V = 0 dropped).

    Adds ``field_V_m`` (|V|/d), ``sqrt_field`` (sqrt of the field in V/m) and ``schottky_y``
    = ln(|I| / (A · T^{3/2} · E)) with I in A, A in m², T in K, E in V/m.

    Parameters
    ----------
    iv : pandas.DataFrame
        I–V table with ``voltage_V`` (V), ``current_A`` (A) and ``temperature_K`` (K).
    stack : HZOStack
        Device geometry (area in m², thickness in m).

    Returns
    -------
    pandas.DataFrame
        A copy without the V = 0 rows, with ``field_V_m`` (V/m), ``sqrt_field`` ((V/m)^½) and
        ``schottky_y`` (dimensionless log) added.
    """
    out = iv[iv["voltage_V"] != 0].copy()
    e = stack.field(out["voltage_V"].to_numpy())
    out["field_V_m"] = e
    out["sqrt_field"] = np.sqrt(e)
    out["schottky_y"] = np.log(np.abs(out["current_A"].to_numpy())
                               / (stack.area_m2 * out["temperature_K"].to_numpy() ** 1.5 * e))
    return out


def fit_schottky(iv: pd.DataFrame, stack: HZOStack, states=None,
                 min_voltage_V: float = 0.5) -> SchottkyFit:
    """Fit the modified Schottky law to I–V sweeps across temperatures.

    Parameters
    ----------
    iv : pandas.DataFrame
        Table with columns ``state``, ``temperature_K`` (K), ``voltage_V`` (V) and
        ``current_A`` (A); both polarities are used through |V| and |I| (symmetric conduction is
        assumed).
    stack : HZOStack
        Device geometry (area in m², thickness in m).
    states : sequence of str, optional
        State labels to fit (default: all in the table); each gets its own barrier, ln K and
        ε_opt are shared. A state that is a mixture of domains (see
        :class:`fetrain.device.conduction.Conduction`) is not a single-barrier emitter: fit saturated states.
    min_voltage_V : float
        Only points with |V| ≥ this are used, the Schottky regime (V).

    Returns
    -------
    SchottkyFit
        Estimates (K in A·m⁻¹·V⁻¹·K^{-3/2}, ε_opt dimensionless, barriers in eV) and covariance.

    Raises
    ------
    ValueError
        If a column or a state is missing, ``min_voltage_V`` is negative, the sweeps cover fewer
        than two temperatures, or there are no more points than parameters.
    """
    require("min_voltage_V", min_voltage_V, low=0, strict_low=False, unit="V")
    for col in ("state", "temperature_K", "voltage_V", "current_A"):
        if col not in iv.columns:
            raise ValueError(f"I–V table: missing column {col!r}")
    all_states = list(dict.fromkeys(iv["state"]))
    states = tuple(all_states if states is None else states)
    unknown = [s for s in states if s not in all_states]
    if unknown:
        raise ValueError(f"states {unknown} are not in the I–V table; it has {all_states}")
    data = schottky_coordinates(iv[iv["state"].isin(states)], stack)
    data = data[np.abs(data["voltage_V"]) >= min_voltage_V]
    if data["temperature_K"].nunique() < 2:
        raise ValueError("fit_schottky needs sweeps at two or more temperatures to separate the "
                         "barrier from the prefactor")
    n_par = 2 + len(states)
    if len(data) <= n_par:
        raise ValueError(f"fit_schottky: {len(data)} points above {min_voltage_V} V for {n_par} "
                         "parameters")
    q_kt = Q / (K_B * data["temperature_K"].to_numpy())
    x = np.zeros((len(data), n_par))
    x[:, 0] = 1.0
    x[:, 1] = q_kt * data["sqrt_field"].to_numpy()
    codes = data["state"].map({s: i for i, s in enumerate(states)}).to_numpy()
    x[np.arange(len(data)), 2 + codes] = -q_kt
    y = data["schottky_y"].to_numpy()
    theta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ theta
    dof = len(y) - n_par
    s2 = float(resid @ resid) / dof
    cov_lin = s2 * np.linalg.inv(x.T @ x)
    b = theta[1]
    eps = Q / (4 * np.pi * EPS0 * b ** 2)
    jac = np.eye(n_par)
    jac[1, 1] = -2.0 * eps / b                      # dε/db
    cov = jac @ cov_lin @ jac.T
    return SchottkyFit(states=states, ln_prefactor=float(theta[0]), eps_optical=float(eps),
                       barrier_eV=theta[2:].copy(), covariance=cov, residual_std=float(np.sqrt(s2)),
                       n_points=len(y), min_voltage_V=min_voltage_V, stack=stack)


def mixture_check(iv: pd.DataFrame, fit: SchottkyFit, off_state: str, on_state: str,
                  temperature_K: float, read_voltage_V: float, true_states=None) -> pd.DataFrame:
    """Predict every state's I–V curve from its read conductance and two fitted saturated states.

    For each state of ``iv`` at ``temperature_K``: the read at ``read_voltage_V`` gives the set
    fraction p through the parallel-domain law built from the fitted ``off_state`` and ``on_state``
    barriers (:meth:`SchottkyFit.conduction`); that law then predicts the state's whole sweep with no
    further parameter. Returns one row per state: ``state``, ``p_from_read``, ``rms_ln_error``
    (root-mean-square of ln(measured/predicted) over the sweep) and, when ``true_states`` maps labels
    to generating p values, ``p_true``.

    Parameters
    ----------
    iv : pandas.DataFrame
        I–V table (``state``, ``temperature_K`` in K, ``voltage_V`` in V, ``current_A`` in A).
    fit : SchottkyFit
        The fit of the saturated states.
    off_state, on_state : str
        Fitted labels of the fully reset and the fully set state.
    temperature_K : float
        Temperature of the sweeps to check (K).
    read_voltage_V : float
        Read voltage (V); every state needs a point there.
    true_states : dict of str to float, optional
        Generating polarisation state p per label (dimensionless, 0 … 1).

    Returns
    -------
    pandas.DataFrame
        ``state``, ``p_from_read`` (dimensionless), ``rms_ln_error`` (dimensionless) and
        optionally ``p_true`` (dimensionless).

    Raises
    ------
    ValueError
        If a state has no point at the read voltage.
    """
    law = fit.conduction(off_state, on_state)
    rows = []
    for label, sweep in iv[iv["temperature_K"] == temperature_K].groupby("state", sort=False):
        read = sweep[np.isclose(sweep["voltage_V"], read_voltage_V)]
        if read.empty:
            raise ValueError(f"state {label!r} has no point at the read voltage {read_voltage_V} V")
        g_read = float(read["current_A"].iloc[0]) / read_voltage_V
        p = float(np.clip(law.state_from_conductance(g_read, fit.stack, temperature_K), 0.0, 1.0))
        predicted = law.current(sweep["voltage_V"].to_numpy(), p, fit.stack, temperature_K)
        err = np.log(np.abs(sweep["current_A"].to_numpy()) / np.abs(predicted))
        row = {"state": label, "p_from_read": p, "rms_ln_error": float(np.sqrt(np.mean(err ** 2)))}
        if true_states is not None:
            row["p_true"] = float(true_states[label])
        rows.append(row)
    return pd.DataFrame(rows)
