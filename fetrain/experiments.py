"""Repeatable experiments that the chapters and tests run: each a plain function of its settings.

This module's room: loops over seeds and configurations that combine the other modules, returning
tidy tables. Every configuration draws from its own seeded generator.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .fitting import fit_schottky
from .synthetic import SyntheticCampaign, default_campaign


def schottky_z_scores(seeds, campaign: SyntheticCampaign | None = None,
                      states=("P000", "P100"), min_voltage_V: float = 0.5) -> pd.DataFrame:
    """Fit the Schottky law to freshly generated I–V sweeps for each seed; return z-scores.

    For every seed, the campaign is regenerated with that seed (new device D1, new noise), the
    saturated ``states`` are fitted (:func:`fetrain.fitting.fit_schottky`) and each estimate is
    compared with the generating value: z = (estimate − true)/σ. If the uncertainties are honest,
    z is standard normal and |z| < 1.96 for about 95% of the seeds.

    Returns one row per seed with columns ``seed``, ``ln_prefactor``, ``eps_optical`` and
    ``barrier_<state>`` (the z-scores).
    """
    base = default_campaign() if campaign is None else campaign
    rows = []
    for seed in seeds:
        camp = replace(base, plan=replace(base.plan, seed=int(seed)))
        dev = camp.iv_device()
        truth_barriers = {"P000": dev.conduction.barrier_off_eV, "P100": dev.conduction.barrier_on_eV}
        unknown = [s for s in states if s not in truth_barriers]
        if unknown:
            raise ValueError(f"states must be saturated states {tuple(truth_barriers)}; got {unknown}")
        fit = fit_schottky(camp.generate_iv(), dev.stack, states=states, min_voltage_V=min_voltage_V)
        z = fit.z_scores(np.log(dev.conduction.prefactor), dev.stack.eps_optical,
                         [truth_barriers[s] for s in states])
        row = {"seed": int(seed), "ln_prefactor": z[0], "eps_optical": z[1]}
        row.update({f"barrier_{s}": z[2 + i] for i, s in enumerate(states)})
        rows.append(row)
    return pd.DataFrame(rows)


def coverage_summary(z_scores: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: share of |z| < 1 and < 1.96, mean and standard deviation of z.

    ``z_scores`` is :func:`schottky_z_scores` output; for honest intervals expect about 0.683,
    0.95, 0 and 1.
    """
    z = z_scores.drop(columns="seed")
    return pd.DataFrame({"within_1_sigma": (z.abs() < 1).mean(),
                         "within_1.96_sigma": (z.abs() < 1.96).mean(),
                         "mean_z": z.mean(), "std_z": z.std()}).rename_axis("parameter").reset_index()


def random_pulse_walk(model, n_pulses: int, starts=(-0.9, 0.0, 0.9), seed: int = 0,
                      p_up: float = 0.5, noise: bool = True) -> np.ndarray:
    """One device receiving random up/down pulses (each up with probability ``p_up``).

    Returns the trajectories, shape (n_pulses + 1, len(starts)): what SGD does to a weight whose
    gradient sign is random — for an asymmetric device, a drift to its symmetry point.
    """
    rng = np.random.default_rng(seed)
    signs = np.where(rng.random(n_pulses) < p_up, 1, -1)
    return model.apply_pulses(np.asarray(starts, dtype=float), signs,
                              rng=rng if noise else None)


def validation_pilot(model, data, lrs=(0.05, 0.1, 0.2, 0.4), epochs: int = 15, seeds=(0, 1, 2),
                     references=("naive", "symmetry_point"), device: str = "cpu",
                     progress: bool = False) -> pd.DataFrame:
    """The validation pilot that fixes the learning rate, the epochs and the target accuracy.

    Trains, side by side, the floating-point baseline and the analog engine on ``model`` with each
    reference, for every learning rate and seed, evaluating on the *validation* split once per
    epoch (the test split is recorded but never used for a choice). Returns one row per
    (kind, reference, lr, seed, epoch) with ``val_accuracy`` and ``test_accuracy``.
    """
    from .engine import TrainConfig
    from .training import train

    configs, keys = [], []
    for lr in lrs:
        for seed in seeds:
            configs.append(TrainConfig(model=None, lr=lr, epochs=epochs, seed=seed,
                                       evaluations_per_epoch=1))
            keys.append(("float", "none", lr, seed))
            for ref in references:
                configs.append(TrainConfig(model=model, lr=lr, epochs=epochs, seed=seed,
                                           reference=ref, evaluations_per_epoch=1))
                keys.append(("analog", ref, lr, seed))
    results = train(configs, data, device=device, progress=progress)
    rows = []
    for (kind, ref, lr, seed), res in zip(keys, results):
        for _, h in res.history.iterrows():
            rows.append({"kind": kind, "reference": ref, "lr": lr, "seed": seed,
                         "epoch": h["epoch"], "val_accuracy": h["val_accuracy"],
                         "test_accuracy": h["test_accuracy"]})
    return pd.DataFrame(rows)


def cross_check(model, data, lr: float, epochs: int, seeds=(0, 1, 2, 3, 4),
                reference: str = "naive", evaluations_per_epoch: int = 1, device: str = "cpu",
                progress: bool = False, **config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same configuration trained in fetrain's engine and in AIHWKit 1.1.0, for several seeds.

    Same device model, initial weights, data order, learning rate and pulse settings; ``config``
    holds further :class:`fetrain.engine.TrainConfig` fields (e.g. ``algorithm``,
    ``device_variation``). Returns
    (curves, summary): ``curves`` has one row per (engine, seed, epoch) with the test accuracy;
    ``summary`` one row per evaluation with the mean test accuracy of each engine over the seeds,
    the standard error of their difference, the margin max(0.03, 2.5·SE) — fixed before any run —
    and whether the difference is within it.
    """
    from .bridge import train_aihwkit
    from .engine import TrainConfig
    from .training import train

    configs = [TrainConfig(model=model, lr=lr, epochs=epochs, seed=s, reference=reference,
                           evaluations_per_epoch=evaluations_per_epoch, **config) for s in seeds]
    ours = train(configs, data, device=device, progress=progress)
    rows = []
    for cfg, res in zip(configs, ours):
        for _, h in res.history.iterrows():
            rows.append({"engine": "fetrain", "seed": cfg.seed, "epoch": h["epoch"],
                         "test_accuracy": h["test_accuracy"]})
        theirs = train_aihwkit(cfg, data, progress=progress)
        for _, h in theirs.iterrows():
            rows.append({"engine": "AIHWKit", "seed": cfg.seed, "epoch": h["epoch"],
                         "test_accuracy": h["test_accuracy"]})
    curves = pd.DataFrame(rows)
    return curves, agreement(curves)


def agreement(curves: pd.DataFrame, points: float = 0.03, n_se: float = 2.5) -> pd.DataFrame:
    """Per evaluation: the mean accuracy of each engine, the standard error of the difference of the
    means, the margin max(points, n_se·SE), and whether |difference| ≤ margin."""
    g = curves.groupby(["epoch", "engine"])["test_accuracy"].agg(["mean", "std", "count"]).unstack()
    se = np.sqrt(g[("std", "fetrain")] ** 2 / g[("count", "fetrain")]
                 + g[("std", "AIHWKit")] ** 2 / g[("count", "AIHWKit")])
    out = pd.DataFrame({"fetrain": g[("mean", "fetrain")], "AIHWKit": g[("mean", "AIHWKit")],
                        "difference": g[("mean", "fetrain")] - g[("mean", "AIHWKit")],
                        "se": se}).reset_index()
    out["margin"] = np.maximum(points, n_se * out["se"])
    out["agree"] = out["difference"].abs() <= out["margin"]
    return out


def _pilot_main(argv=None) -> None:
    import argparse
    import json
    from pathlib import Path

    from . import data as fdata
    from . import devicemodel, io
    from .physics import DEFAULT_PULSE_WIDTH_S

    parser = argparse.ArgumentParser(prog="python -m fetrain.experiments pilot",
                                     description="Run the validation pilot (about 10 minutes).")
    parser.add_argument("out", help="output folder (validation_pilot.csv and .json)")
    parser.add_argument("--epochs", type=int, default=15)
    args = parser.parse_args(argv)
    measurements = io.load_embedded()
    model = devicemodel.build_device_model(measurements.pulses, DEFAULT_PULSE_WIDTH_S,
                                           source=measurements.label)
    mnist = fdata.load_embedded()
    table = validation_pilot(model, mnist, epochs=args.epochs, progress=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "validation_pilot.csv", index=False, float_format="%.6g")
    (out / "validation_pilot.json").write_text(json.dumps({
        "what": "validation pilot of fetrain's engine: float baseline and the default (20 ns) "
                "device with the naive and the symmetry-point reference",
        "data_set": mnist.label, "device": f"{model.width_s:g} s, {model.source}",
        "command": "python -m fetrain.experiments pilot " + args.out,
        "epochs": args.epochs}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out / 'validation_pilot.csv'}")


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 1 and sys.argv[1] == "pilot":
        _pilot_main(sys.argv[2:])
    else:
        print("usage: python -m fetrain.experiments pilot OUT_FOLDER [--epochs N]")
        raise SystemExit(2)
