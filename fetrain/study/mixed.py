"""Mixed-precision SGD against the other algorithms (Chapter 5): what each run fired and wrote,
the threshold sweep, and what each algorithm costs beside the crossbar.

Plain functions of :class:`~fetrain.train.loop.RunResult` objects that return tidy tables:
accuracies as fractions, pulses as counts, energies in J, memory in bytes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def describe_rule(rule) -> str:
    """A mixed-precision rule in words: its threshold (units of dw_min), transfer interval
    (samples) and pulse cap (pulses per device and transfer).

    Parameters
    ----------
    rule : MixedPrecision
        The rule.

    Returns
    -------
    str
        One line.
    """
    cap = "no cap" if rule.max_pulses is None else f"at most {rule.max_pulses} pulses"
    return (f"mixed precision: threshold ε = {rule.threshold:g} dw_min, a transfer every "
            f"{rule.transfer_every} sample(s), {cap} per device and transfer")


def threshold_sweep(scale) -> tuple[tuple, int]:
    """The thresholds a page sweeps at its scale, and the epochs of each run.

    Parameters
    ----------
    scale : Scale
        The page's scale (:mod:`fetrain.common.scale`).

    Returns
    -------
    thresholds : tuple of float
        Thresholds ε in units of the device's dw_min (1.0 among them from the book scale up).
    epochs : int
        Epochs of every run: half the book's at book scale, one at quick, all at paper scale.
    """
    from .pilot import DEFAULT_EPOCHS

    thresholds = scale.pick(quick=(0.5, 4.0), book=(0.25, 1.0, 4.0, 16.0),
                            paper=(0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0))
    return thresholds, scale.pick(quick=1, book=max(DEFAULT_EPOCHS // 2, 1), paper=DEFAULT_EPOCHS)


def threshold_table(runs) -> pd.DataFrame:
    """The threshold sweep's outcome: one row per run.

    Parameters
    ----------
    runs : list of RunResult
        Mixed-precision runs differing in their threshold.

    Returns
    -------
    pandas.DataFrame
        ``ε / dw_min`` (dimensionless), ``test accuracy`` (fraction) and ``pulses`` (counts, over
        the run), in the order given.
    """
    return pd.DataFrame({"ε / dw_min": [float(r.config.algorithm.threshold) for r in runs],
                         "test accuracy": [float(r.final["test_accuracy"]) for r in runs],
                         "pulses": [float(r.final["pulses"]) for r in runs]})


def final_costs(groups: dict) -> pd.DataFrame:
    """Final accuracy, pulses and analog write energy of each group of runs, means over seeds.

    Parameters
    ----------
    groups : dict of str to list of RunResult
        Runs by name (the algorithm), one per seed.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``algorithm``, ``test accuracy`` (fraction), ``pulses`` (counts),
        ``analog write, study (J)`` and ``analog write, complete (J)`` (NaN for the
        floating-point baseline), in the order given.
    """
    rows = []
    for name, runs in groups.items():
        final = pd.DataFrame([r.final for r in runs])
        rows.append({"algorithm": name, "test accuracy": final["test_accuracy"].mean(),
                     "pulses": final["pulses"].mean(),
                     "analog write, study (J)": final["energy_study_J"].mean(),
                     "analog write, complete (J)": final["energy_complete_J"].mean()})
    return pd.DataFrame(rows)


def synapses(sizes=None) -> int:
    """The analog synapses of the network (one device pair each).

    Parameters
    ----------
    sizes : sequence of int, optional
        Layer widths; None: the book's 784-256-128-10.

    Returns
    -------
    int
        Synapses (counts).
    """
    from ..train.config import LAYER_SIZES

    sizes = LAYER_SIZES if sizes is None else sizes
    return int(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))


def overheads(groups: dict, model, costs=None) -> pd.DataFrame:
    """What each algorithm costs over its training run beside the crossbar's writes: the digital
    work of its rule (mixed precision's χ), the one-off programming of references at the symmetry
    point (:func:`fetrain.device.pulsing.reference_programming`, every synapse), and the memory
    of χ. Means over seeds.

    Parameters
    ----------
    groups : dict of str to list of RunResult
        Runs by name (the algorithm), one per seed; groups without a device model (the
        floating-point baseline) are left out.
    model : DeviceModel
        The device model whose references symmetry point shifting programs.
    costs : DigitalCosts, optional
        J per digital operation; None: :class:`fetrain.train.hardware.DigitalCosts` defaults.

    Returns
    -------
    pandas.DataFrame
        One row per analog group: ``algorithm``, ``test accuracy`` (fraction), ``analog write,
        study (J)``, ``analog write, complete (J)``, ``digital (J)``, ``one-off reference
        programming (J)``, ``total, complete (J)`` (analog complete + digital + one-off) and
        ``extra memory (bytes)``.
    """
    from ..device.pulsing import reference_programming
    from ..train.hardware import DigitalCosts
    from ..train.rules import counter_columns

    costs = costs or DigitalCosts()
    n = synapses()
    per_synapse_J = None
    rows = []
    for name, runs in groups.items():
        config = runs[0].config
        if config.model is None:
            continue
        final = pd.DataFrame([r.final for r in runs])
        digital = np.mean([r.config.algorithm.digital_energy_J(
            {c: float(r.final[c]) for c in counter_columns(r.config.algorithm) if c in r.final},
            costs) for r in runs])
        # references programmed at their symmetry points: the weights' (symmetry point
        # shifting) and a transfer rule's fast array's
        programmed = (int(config.reference in ("symmetry_point", "global_symmetry_point"))
                      + config.algorithm.programmed_arrays())
        one_off = 0.0
        if programmed:
            if per_synapse_J is None:
                per_synapse_J = reference_programming(model)["complete_J"]
            one_off = per_synapse_J * n * programmed
        memory = costs.bytes_per_element * config.algorithm.memory_elements(n)
        analog = final["energy_complete_J"].mean()
        rows.append({"algorithm": name, "test accuracy": final["test_accuracy"].mean(),
                     "analog write, study (J)": final["energy_study_J"].mean(),
                     "analog write, complete (J)": analog, "digital (J)": float(digital),
                     "one-off reference programming (J)": one_off,
                     "total, complete (J)": analog + float(digital) + one_off,
                     "extra memory (bytes)": memory})
    return pd.DataFrame(rows)
