"""One device under pulses outside a network: a random walk of up and down pulses, which drifts an
asymmetric device to its symmetry point (:func:`random_pulse_walk`), and the one-off cost of
programming a reference there (:func:`reference_programming`). Both ask a
:class:`~fetrain.device.model.DeviceModel`.
"""

from __future__ import annotations

import numpy as np


def random_pulse_walk(model, n_pulses: int, starts=(-0.9, 0.0, 0.9), seed: int = 0,
                      p_up: float = 0.5, noise: bool = True) -> np.ndarray:
    """One device receiving random up/down pulses (each up with probability ``p_up``).

    Returns the trajectories, shape (n_pulses + 1, len(starts)): what SGD does to a weight whose
    gradient sign is random — for an asymmetric device, a drift to its symmetry point.

    Parameters
    ----------
    model : DeviceModel
        The device model.
    n_pulses : int
        Number of pulses (counts).
    starts : sequence of float
        Starting weights (w units).
    seed : int
        Seed of the pulse signs and the step noise.
    p_up : float
        Probability of an up pulse (dimensionless, 0 … 1).
    noise : bool
        Apply the model's cycle-to-cycle step noise.

    Returns
    -------
    array of float
        Trajectories (w units), shape (n_pulses + 1, len(starts)).
    """
    rng = np.random.default_rng(seed)
    signs = np.where(rng.random(n_pulses) < p_up, 1, -1)
    return model.apply_pulses(np.asarray(starts, dtype=float), signs,
                              rng=rng if noise else None)


def reference_programming(model, tolerance: float = 0.01) -> dict:
    """The one-off cost of symmetry point shifting, per synapse (an estimate, assumptions stated).

    Hardware programs each reference by pulsing its device alternately up and down until a pair of
    pulses moves it by less than ``tolerance``·dw_min, then copies that conductance to the
    reference device; the copy is taken to cost as many pulses again. The device starts fully
    reset (w = −1). Returns pulses and energies (J) per synapse, in both forms.

    Parameters
    ----------
    model : DeviceModel
        The device model (with energy available).
    tolerance : float
        Settling tolerance (units of dw_min).

    Returns
    -------
    dict
        ``pulses`` (counts), ``study_J`` and ``complete_J`` (J), ``settled_at`` (w units).

    Raises
    ------
    EnergyUnavailable
        If the model's data cannot give joules.
    """
    from .steps import W_MAX, W_MIN

    settled, after_pairs = model.symmetry_point_by_pulsing(start=W_MIN, tol=tolerance * model.dw_min)
    before = after_pairs[:-1]                        # the state before each up/down pair
    up = np.clip(before + model.step_up_at(before), W_MIN, W_MAX)
    e_up, e_down = model.pulse_energy(before, "set"), model.pulse_energy(up, "reset")
    pulses = 2 * len(before)
    return {"pulses": 2 * pulses,
            "study_J": 2 * float(np.sum(e_up.study_J) + np.sum(e_down.study_J)),
            "complete_J": 2 * float(np.sum(e_up.complete_J) + np.sum(e_down.complete_J)),
            "settled_at": settled}
