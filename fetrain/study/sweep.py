"""The book's main experiment as one resumable command: training runs across pulse widths,
strategies, programming schemes and seeds, executed here or on a Dask cluster, written as plain
files.

:func:`run_sweep` trains every run of a :class:`~fetrain.study.plan.SweepPlan` that the results
folder does not hold yet — in this process on the local cores, or through any
``concurrent.futures`` executor such as a Dask cluster's — and writes what each run produced, its
history with every energy part (:func:`energy_parts`), so that an interrupted sweep resumes where
it stopped. :func:`write_results` and :func:`load_tables` give the sweep's tables; what they mean
(energy to target, the map of where short pulses win) is :mod:`~fetrain.study.tradeoff`;
``fetrain reproduce`` is the command.

Runs are independent and each draws only from its own seeded generators: a run's numbers are the
same whether it trains here beside others, alone, or on a cluster worker.
"""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import Executor, as_completed
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..common import storage
from ..common.files import SHIPPED_DIR, check_output_folder
from ..common.scale import Scale
from ..train.hardware import DIGITAL_MODELS, CircuitCosts, line_energy
from .plan import (
    N_SYNAPSES,
    REFERENCE_TOLERANCE,
    STRATEGIES,
    RunSpec,
    SweepPlan,
    device_models,
    train_config,
)

#: Results files of a sweep folder.
PLAN_FILE = "plan.json"


LOCK_FILE = ".lock"


RUN_FILE = "run.json"


HISTORY_FILE = "history.csv"


WEAR_FILE = "wear.csv"


LIFETIME_FILE = "lifetime.csv"


RUNS_DIR = "runs"


HISTORIES_FILE = "histories.csv"


SUMMARY_FILE = "summary.csv"


ENERGY_CURVES_FILE = "energy_curves.csv"


MAP_FILE = "map.csv"


CHOICES_FILE = "choices.csv"


@lru_cache(maxsize=None)
def _reference_programming_J(model) -> float:
    from ..device.pulsing import reference_programming

    if not model.energy_available:
        return float("nan")
    return N_SYNAPSES * reference_programming(model, REFERENCE_TOLERANCE)["complete_J"]


def energy_parts(history: pd.DataFrame, config) -> pd.DataFrame:
    """Every energy part of a run at each evaluation, J (cumulative), as new columns.

    * ``analog_study_J`` — the study's V·I·t of the programming pulses (the ledger);
    * ``analog_complete_J`` — plus C·V² and the switching charge of the programmed devices;
    * ``line_charging_J``, ``half_select_J`` — the lines and the half-selected devices
      (:func:`fetrain.train.hardware.line_energy`, the stated circuit model :class:`fetrain.train.hardware.CircuitCosts`);
    * ``digital_<model>_J`` — mixed precision's digital work under each hardware model of
      :data:`fetrain.train.hardware.DIGITAL_MODELS` (0 for pulse trains);
    * ``references_J`` — symmetry point shifting's one-off programming of every reference
      (pulsing to the symmetry point within 1% of dw_min and copying it, complete form), counted
      from the start, the same for both variants; 0 for the other strategies.

    Parameters
    ----------
    history : pandas.DataFrame
        A run's history (see :class:`fetrain.train.loop.RunResult`).
    config : TrainConfig
        The run's configuration (with a device model).

    Returns
    -------
    pandas.DataFrame
        A copy of ``history`` with the parts above (J, cumulative).
    """
    model = config.model
    out = history.copy()
    out["analog_study_J"] = history["energy_study_J"]
    out["analog_complete_J"] = history["energy_complete_J"]
    lines = [line_energy(model, r.line_pulses, r.line_cell_charges, r.pulses)
             for r in history.itertuples()]
    out["line_charging_J"] = [x["line_charging"] for x in lines]
    out["half_select_J"] = [x["half_select_conduction"] for x in lines]
    for name, costs in DIGITAL_MODELS.items():
        out[f"digital_{name}_J"] = [
            config.algorithm.digital_energy_J(dict(r._asdict()), costs) for r in history.itertuples()]
    # the weights' references (symmetry point shifting) and a rule's further arrays of them
    arrays = (int(config.reference in ("symmetry_point", "global_symmetry_point"))
              + config.algorithm.programmed_arrays())
    out["references_J"] = _reference_programming_J(model) * arrays if arrays else 0.0
    return out


@lru_cache(maxsize=2)
def _data(n_train: int | None, data: str = "embedded"):
    """The training data of a plan: the data set (a name of
    :data:`fetrain.study.plan.DATA_SETS`), with its first ``n_train`` training digits."""
    if data == "mnist":
        from .fullmnist import load_mnist

        return load_mnist().subset(n_train)
    from ..train import data as fdata

    return fdata.load_embedded().subset(n_train)


def data_identity(plan) -> dict:
    """What names a plan's training data in every run's signature and plan record: the data set's
    label, and for full MNIST the SHA-256 of the arrays trained on (the embedded subset is part of
    fetrain's code)."""
    out = {"data_set": _data(plan.n_train, plan.data).label}
    if plan.data != "embedded":
        from .fullmnist import checksum

        out["data_sha256"] = checksum()
    return out


def _train_one(plan: SweepPlan, spec: RunSpec):
    """One run, in whatever process executes it (a cluster worker included): its history and
    its wear (the per-device ledger stays in the worker)."""
    from ..train.loop import train
    from .wear import result_wear

    config = train_config(plan, spec)
    start = time.perf_counter()
    result = train([config], _data(plan.n_train, plan.data), workers=1)[0]
    return result.history, result_wear(result), time.perf_counter() - start


def _run_signature(plan: SweepPlan, config) -> dict:
    """What decides a run's numbers: its configuration, data and code, and the wear laws its
    wear is written under (two runs of the plan with the same signature — a scheme that leaves a
    width unchanged — are trained once)."""
    from ..common.fingerprint import engine_fingerprint
    from .wear import wear_identity

    return {"config": config.describe(), **data_identity(plan),
            "n_train": plan.n_train, "engine": engine_fingerprint(), "wear": wear_identity()}


def _done(folder: Path, signature: dict, files: tuple = ()) -> bool:
    """Whether ``folder`` holds this run, whole: its manifest matches its files, its signature
    is the run's and it holds ``files`` (a run written before a table was added to runs is
    trained again). A damaged run is reported in one line and trained again."""
    if not folder.exists():
        return False
    try:
        storage.check_folder(folder)
        record = storage.read_json(folder / RUN_FILE)
    except storage.DamagedFile as err:
        storage.notice(f"{err}; training that run again")
        return False
    return (isinstance(record, dict) and record.get("signature") == signature
            and all((folder / name).is_file() for name in files))


def _save_run(folder: Path, spec: RunSpec, signature: dict, history: pd.DataFrame,
              wear: pd.DataFrame, config, seconds: float) -> None:
    """Write one run: the history with its energy parts, its wear
    (:func:`fetrain.study.wear.result_wear`) and ``run.json``, each atomically, then the
    manifest that seals them (a run killed before it is sealed counts as not done)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / storage.MANIFEST).unlink(missing_ok=True)
    storage.write_csv(folder / HISTORY_FILE, energy_parts(history, config), float_format="%.8g")
    storage.write_csv(folder / WEAR_FILE, wear, float_format="%.8g")
    storage.write_json(folder / RUN_FILE, {"run": asdict(spec), "signature": signature,
                                           "seconds": seconds})
    storage.seal(folder, (HISTORY_FILE, WEAR_FILE, RUN_FILE))


#: Plan fields added after some results folders were written, with the value those folders
#: trained with (an older ``plan.json`` without them means these).
ADDED_PLAN_FIELDS: dict = {"data": "embedded", "cell_settings": {}, "campaign": ""}


class PlanMismatch(ValueError):
    """A results folder that holds a sweep of another plan: mixing the two would report one
    plan's success over the other's runs."""


def _plan_differences(held: dict, wanted: dict, prefix: str = "") -> list[str]:
    """The parameters in which two plan records differ, as 'name: held → wanted'."""
    out = []
    for key in sorted(set(held) | set(wanted)):
        a, b = held.get(key), wanted.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            out += _plan_differences(a, b, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}: {json.dumps(a)} → {json.dumps(b)}")
    return out


def _claim_folder(out: Path, plan: SweepPlan, replace: bool) -> None:
    """Make ``out`` this plan's folder: refuse a folder that holds another plan's sweep (unless
    ``replace``, which discards it), and write ``plan.json``."""
    path = out / PLAN_FILE
    held = None
    if path.exists():
        try:
            held = storage.read_json(path).get("plan")
        except (storage.DamagedFile, AttributeError):
            storage.notice(f"{path} is damaged; writing it again")
    wanted = json.loads(json.dumps(plan.describe()))
    if held is not None:
        held = {**ADDED_PLAN_FIELDS, **held}
    if held is not None and held != wanted:
        if not replace:
            differences = _plan_differences(held, wanted)
            raise PlanMismatch(
                f"{out} holds a sweep of another plan ({'; '.join(differences[:6])}"
                f"{'; …' if len(differences) > 6 else ''}); choose another --out, or add "
                "--replace to discard that sweep")
        for name in (RUNS_DIR, "checkpoints"):
            _remove_tree(out / name)
        for name in (HISTORIES_FILE, SUMMARY_FILE, ENERGY_CURVES_FILE, MAP_FILE, storage.MANIFEST):
            (out / name).unlink(missing_ok=True)
    storage.write_json(path, _plan_record(plan))


def run_sweep(plan: SweepPlan, out: str | Path, executor: Executor | None = None,
              progress: bool = False, batch: int = 15, workers: int | None = None,
              tables: bool = True, replace: bool = False, quiet: bool = False) -> dict:
    """Train every run of ``plan`` that ``out`` does not hold yet, and write the results.

    Each finished run is written to ``out/runs/<key>/`` (its history with every energy part,
    :func:`energy_parts`, and ``run.json`` with its full configuration and the code version);
    a run already there with the same configuration, data and code is not trained again. So a
    sweep killed half way loses at most the runs in progress, and the same call resumes it. A
    run whose files do not match their manifest is trained again, with a one-line notice.

    The folder belongs to one plan: a folder that holds another plan's sweep is refused
    (:class:`PlanMismatch`, naming the parameters that differ) unless ``replace``. While the
    sweep runs it holds the folder's lock: a second sweep into the same folder waits for it, then
    finds its runs done.

    ``executor`` None: runs train in this process, ``batch`` at a time side by side on the
    local cores (``workers`` threads), each batch checkpointed after every epoch under
    ``out/checkpoints`` (a kill loses at most the epoch in progress). Otherwise each run is one
    task for the executor (for example ``dask.distributed.Client(address).get_executor()``); the
    results are written here as tasks finish.

    Returns {"trained": runs trained now, "written": runs written now (a run shared by several
    schemes is trained once), "reused": runs found done, "seconds": wall time}, and writes the
    tables of :func:`write_results` (unless ``tables`` is False: a caller that
    analyses the runs itself, such as the book's chapters).

    Parameters
    ----------
    plan : SweepPlan
        The plan.
    out : str or pathlib.Path
        The sweep folder, created if missing.
    executor : concurrent.futures.Executor, optional
        Executor of one task per run; None: train here.
    progress : bool
        Show progress bars.
    batch : int
        Runs trained side by side here (counts).
    workers : int, optional
        Threads here (counts); None: the default.
    tables : bool
        Write the tables.
    replace : bool
        Discard a sweep of another plan found in ``out``.
    quiet : bool
        Wait for another process using ``out`` without saying so.

    Returns
    -------
    dict
        ``trained``, ``written`` and ``reused`` (runs, counts), ``seconds`` (s).

    Raises
    ------
    ValueError
        If ``out`` is not writable.
    PlanMismatch
        If ``out`` holds a sweep of another plan and ``replace`` is False.
    """
    out = check_output_folder(out)
    with storage.locked(out / LOCK_FILE, f"the results folder {out}", quiet=quiet):
        return _run_locked(plan, out, executor, progress, batch, workers, tables, replace)


def _run_locked(plan, out, executor, progress, batch, workers, tables, replace) -> dict:
    """:func:`run_sweep` once the folder's lock is held."""
    from ..train.loop import train
    from .wear import result_wear

    start = time.perf_counter()
    _claim_folder(out, plan, replace)
    specs = plan.runs()
    configs = {spec: train_config(plan, spec) for spec in specs}
    signatures = {spec: _run_signature(plan, configs[spec]) for spec in specs}
    missing = [s for s in specs
               if not _done(out / RUNS_DIR / s.key, signatures[s], (WEAR_FILE,))]
    # runs with the same signature are trained once and written under each of their names
    same: dict[str, list[RunSpec]] = {}
    for s in missing:
        same.setdefault(json.dumps(signatures[s], sort_keys=True), []).append(s)
    pending = [group[0] for group in same.values()]
    reused = len(specs) - len(missing)

    def save(spec: RunSpec, history: pd.DataFrame, wear: pd.DataFrame, seconds: float) -> None:
        for s in same[json.dumps(signatures[spec], sort_keys=True)]:
            _save_run(out / RUNS_DIR / s.key, s, signatures[s], history, wear, configs[s],
                      seconds)
            if bar is not None:
                bar.update(1)

    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(specs), initial=reused, unit="run", desc="sweep")
    if executor is None:
        data = _data(plan.n_train, plan.data)
        for k in range(0, len(pending), batch):
            group = pending[k:k + batch]
            t0 = time.perf_counter()
            # named by what the batch trains, so a checkpoint is only ever resumed by its batch
            ident = json.dumps([signatures[s] for s in group], sort_keys=True).encode()
            checkpoint = out / "checkpoints" / hashlib.sha256(ident).hexdigest()[:16]
            results = train([configs[s] for s in group], data, progress=progress,
                            checkpoint_dir=checkpoint, workers=workers)
            seconds = time.perf_counter() - t0
            for s, r in zip(group, results):
                save(s, r.history, result_wear(r), seconds)
            _remove_tree(checkpoint)
    else:
        futures = {executor.submit(_train_one, plan, s): s for s in pending}
        for fut in as_completed(futures):
            history, wear, seconds = fut.result()
            save(futures[fut], history, wear, seconds)
    if bar is not None:
        bar.close()
    _remove_tree(out / "checkpoints")
    if tables:
        write_results(out, plan)
    return {"trained": len(pending), "written": len(missing), "reused": reused,
            "seconds": time.perf_counter() - start}


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _plan_record(plan: SweepPlan) -> dict:
    from .. import __version__
    from ..common.fingerprint import code_fingerprint, engine_fingerprint

    return {"what": "energy to target accuracy across pulse widths, algorithms and programming "
                    "schemes (fetrain's main experiment)",
            "fetrain_version": __version__, "code": code_fingerprint(),
            "engine": engine_fingerprint(),
            **data_identity(plan),
            "device": (f"the measured campaign {plan.campaign}, one device model per measured "
                       "pulse width" if plan.campaign else "the synthetic HZO device "
                       "(fetrain.device.campaign), one device model per pulse width and "
                       "programming scheme"),
            "plan": plan.describe(),
            "energy": {"circuit": asdict(CircuitCosts()),
                       "digital_models": {k: asdict(v) for k, v in DIGITAL_MODELS.items()},
                       "reference_tolerance_dw_min": REFERENCE_TOLERANCE,
                       "synapses": N_SYNAPSES}}


def with_read_path(histories: pd.DataFrame, widths_s: tuple[float, ...],
                   campaign: str = "") -> pd.DataFrame:
    """``histories`` (runs of a sweep, keyed by scheme, width and strategy) with the read path's
    cumulative energy under every setting of :data:`fetrain.study.readpath.READ_PATH_MODELS`
    (``read_path_<name>_J``, J): samples seen × the energy per sample of the run's device and
    rule. It is computed when the runs are read, so that a change to the read-path model needs
    no training.

    Parameters
    ----------
    histories : pandas.DataFrame
        Histories with ``scheme``, ``width_s`` (s), ``strategy`` and ``samples`` (counts).
    widths_s : tuple of float
        The plan's widths (s), for :func:`fetrain.study.plan.device_models`.
    campaign : str
        A measured campaign's path (its models replace the synthetic ones); empty: none.

    Returns
    -------
    pandas.DataFrame
        A copy with the columns added.
    """
    from .measured import campaign_models
    from .readpath import read_path_columns

    parts = []
    for (scheme, width, strategy), h in histories.groupby(["scheme", "width_s", "strategy"],
                                                           sort=False):
        models = campaign_models(campaign) if campaign else device_models(scheme, widths_s)
        model = models[float(width)]
        parts.append(read_path_columns(h, model, STRATEGIES[strategy].rule))
    return pd.concat(parts).sort_index()


def load_histories(out: str | Path, plan: SweepPlan | None = None) -> tuple[pd.DataFrame, dict]:
    """Every finished run's history in ``out`` as one table (columns ``data`` — the data set —
    ``scheme``, ``width_s``, ``strategy``, ``seed`` added, and the read path's energy, see
    :func:`with_read_path`), and the plan record; with ``plan``, only that plan's runs (a folder
    may also hold runs of an earlier, larger plan).

    Parameters
    ----------
    out : str or pathlib.Path
        The sweep folder.
    plan : SweepPlan, optional
        Keep only this plan's runs.

    Returns
    -------
    histories : pandas.DataFrame
        The histories (``width_s`` in s; accuracies as fractions; energies in J).
    record : dict
        The plan record (``plan.json``).

    Raises
    ------
    FileNotFoundError
        If ``out`` holds no sweep or no finished run.
    fetrain.common.storage.DamagedFile
        If a run's files do not match their manifest (rerunning the sweep redoes it).
    """
    out = Path(out)
    plan_path = out / PLAN_FILE
    if not plan_path.is_file():
        raise FileNotFoundError(f"{out} holds no sweep ({PLAN_FILE} missing); run "
                                f"fetrain reproduce --out {out}")
    record = _read(storage.read_json, plan_path, _redo(out))
    frames = []
    for run, h in _run_tables(out, HISTORY_FILE):
        for k, v in run.items():
            h.insert(0, k, v)
        h.insert(0, "data", record["plan"].get("data", "embedded"))
        frames.append(h)
    if not frames:
        raise FileNotFoundError(f"{out} holds no finished run")
    campaign = record["plan"].get("campaign") or {}
    histories = with_read_path(pd.concat(frames, ignore_index=True),
                               tuple(record["plan"]["widths_s"]), campaign.get("path", ""))
    return _plan_runs(histories, plan), record


def _redo(out: Path) -> str:
    return f"rerun fetrain reproduce --out {out}: it trains damaged runs again"


def _run_tables(out: Path, name: str, optional: bool = False):
    """Each finished run's ``run`` record and its table ``name``, each checked against the run's
    manifest; with ``optional``, a run without that table (one written by an earlier version,
    which reproduce trains again) is passed over."""
    for meta in sorted((out / RUNS_DIR).glob(f"*/{RUN_FILE}")):
        if optional and not (meta.parent / name).is_file():
            continue
        try:
            storage.check_folder(meta.parent)
            run = storage.read_json(meta)["run"]
            table = storage.read_csv(meta.parent / name, verify=False)    # checked above
        except (storage.DamagedFile, KeyError, TypeError) as err:
            raise storage.DamagedFile(meta.parent, f"a damaged run ({err})",
                                      _redo(out)) from None
        yield run, table


def _plan_runs(table: pd.DataFrame, plan: SweepPlan | None) -> pd.DataFrame:
    """The rows of ``table`` (with run keys) that belong to ``plan``'s runs (all for None)."""
    if plan is None:
        return table
    keep = {s.key for s in plan.runs()}
    keys = [RunSpec(*k).key for k in zip(table["scheme"], table["width_s"].astype(float),
                                         table["strategy"], table["seed"].astype(int))]
    return table[np.isin(keys, list(keep))].reset_index(drop=True)


def load_wear(out: str | Path, plan: SweepPlan | None = None) -> pd.DataFrame:
    """Every finished run's wear in ``out`` as one table (:func:`fetrain.study.wear.ledger_wear`'s
    columns after the run keys ``scheme``, ``width_s``, ``strategy``, ``seed``); with ``plan``,
    only that plan's runs.

    Parameters
    ----------
    out : str or pathlib.Path
        The sweep folder.
    plan : SweepPlan, optional
        Keep only this plan's runs.

    Returns
    -------
    pandas.DataFrame
        Consumed life per training (fractions) per run, array, layer and wear law.

    Raises
    ------
    FileNotFoundError
        If ``out`` holds no finished run with its wear.
    fetrain.common.storage.DamagedFile
        If a run's files do not match their manifest.
    """
    out = Path(out)
    frames = []
    for run, w in _run_tables(out, WEAR_FILE, optional=True):
        for k in reversed(("scheme", "width_s", "strategy", "seed")):
            w.insert(0, k, run[k])
        frames.append(w)
    if not frames:
        raise FileNotFoundError(f"{out} holds no finished run with its wear; run "
                                f"fetrain reproduce --out {out}")
    return _plan_runs(pd.concat(frames, ignore_index=True), plan)


def book_runs(scale: str | Scale | None = None) -> tuple[SweepPlan, pd.DataFrame, dict, dict]:
    """The sweep of the book at a scale (``None``: the current one), trained where the run cache
    does not hold it yet: (plan, histories of the plan's runs, plan record, run report). The
    chapters call this; their runs live in the run cache under ``sweep/<scale>``.

    Parameters
    ----------
    scale : str or Scale, optional
        The scale; None: the current one.

    Returns
    -------
    plan : SweepPlan
        The plan.
    histories : pandas.DataFrame
        Its runs' histories (energies in J).
    record : dict
        The plan record.
    report : dict
        What :func:`run_sweep` did.
    """
    from ..common.files import default_cache_dir

    plan = SweepPlan.for_scale(scale)
    out = default_cache_dir() / "sweep" / plan.scale
    # the cache follows the book; chapters reading the same runs side by side wait for each
    # other without a word on the page
    report = run_sweep(plan, out, tables=False, replace=True, quiet=True)
    histories, record = load_histories(out, plan)
    return plan, histories, record, report


def book_wear(scale: str | Scale | None = None) -> tuple[SweepPlan, pd.DataFrame, pd.DataFrame]:
    """The book's sweep at a scale with its wear (:func:`book_runs`, then :func:`load_wear`):
    (plan, histories, wear of every run).

    Parameters
    ----------
    scale : str or Scale, optional
        The scale; None: the current one.

    Returns
    -------
    plan : SweepPlan
    histories : pandas.DataFrame
        The runs' histories (energies in J).
    wear : pandas.DataFrame
        The runs' wear (:func:`fetrain.study.wear.ledger_wear` columns with the run keys).
    """
    from ..common.files import default_cache_dir

    plan, histories, _, _ = book_runs(scale)
    return plan, histories, load_wear(default_cache_dir() / "sweep" / plan.scale, plan)


def write_results(out: str | Path, plan: SweepPlan) -> dict[str, Path]:
    """The sweep's tables (CSV) from the runs in ``out``: every history, the summary at the
    plan's target, every run's wear and trainings per chip lifetime under each wear law
    (:mod:`fetrain.study.wear`), energy against target, the map, and every run's energy to
    target under each reading of :data:`fetrain.study.choices.CHOICES` (the figures are
    :func:`fetrain.book.sweep_figures.save_figures`).

    Parameters
    ----------
    out : str or pathlib.Path
        The sweep folder.
    plan : SweepPlan
        The plan whose runs are tabulated.

    Returns
    -------
    dict of str to pathlib.Path
        The written files by name.

    Raises
    ------
    FileNotFoundError
        If ``out`` holds no sweep or no finished run.
    """
    from . import tradeoff
    from .choices import choice_energies
    from .wear import lifetime

    out = Path(out)
    histories, _ = load_histories(out, plan)
    summ = tradeoff.summary(histories, plan.target)
    wear = load_wear(out, plan)
    tables = {"histories": (HISTORIES_FILE, histories, "%.8g"),
              "summary": (SUMMARY_FILE, summ, "%.6g"),
              "wear": (WEAR_FILE, wear, "%.6g"),
              "lifetime": (LIFETIME_FILE, lifetime(summ, wear), "%.6g"),
              "energy_curves": (ENERGY_CURVES_FILE, tradeoff.energy_curves(
                  histories, tradeoff.curve_targets(plan.target)), "%.6g"),
              "map": (MAP_FILE, tradeoff.win_map(histories, plan.target), "%.6g"),
              "choices": (CHOICES_FILE, choice_energies(histories, plan.target), "%.6g")}
    paths = {}
    for key, (name, table, fmt) in tables.items():
        paths[key] = storage.write_csv(out / name, table, float_format=fmt)
    record = storage.read_json(out / PLAN_FILE)
    record["training_seconds"] = training_seconds(out, plan)
    storage.write_json(out / PLAN_FILE, record)
    storage.seal(out, [PLAN_FILE] + [name for name, _, _ in tables.values()])
    return paths


def training_seconds(out: str | Path, plan: SweepPlan) -> float:
    """The time the plan's runs in ``out`` took to train (s): runs trained side by side share
    their batch's time, so each batch counts once (on a cluster, each run's own time counts).

    Parameters
    ----------
    out : str or pathlib.Path
        The sweep folder.
    plan : SweepPlan
        The plan.

    Returns
    -------
    float
        Seconds (s).
    """
    batches = set()
    for spec in plan.runs():
        try:
            batches.add(float(storage.read_json(Path(out) / RUNS_DIR / spec.key / RUN_FILE)
                              ["seconds"]))
        except (storage.DamagedFile, FileNotFoundError, KeyError, TypeError):
            continue
    return float(sum(batches))


def default_out(scale: str) -> Path:
    """The default results folder of a scale: ``results/reproduce-<scale>`` beside fetrain
    (``$FETRAIN_RESULTS/reproduce-<scale>`` if that is set).

    Parameters
    ----------
    scale : str
        The scale's name.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    from ..common.files import results_dir

    return results_dir() / f"reproduce-{scale}"


#: Paper-scale results made by ``fetrain reproduce --scale paper`` and shipped with
#: fetrain (their tables only: plan, per-run summary, map, energy curves).
SHIPPED_PAPER = SHIPPED_DIR / "reproduce-paper"


#: Full-MNIST paper-scale results made by ``fetrain reproduce --data mnist --scale paper`` and
#: shipped with fetrain (the study's own 95% target; the same tables).
SHIPPED_MNIST = SHIPPED_DIR / "reproduce-mnist-paper"


#: Mixed precision on full MNIST at Chapter 6's fixed settings for every width (``fetrain
#: reproduce --data mnist --scale paper --settings fixed --algorithms mp --epochs 4``), shipped
#: beside it: the same comparison without the settings tuned at 70 % on the subset.
SHIPPED_MNIST_FIXED = SHIPPED_DIR / "reproduce-mnist-fixed"


#: The transfer algorithms (Chapter 8) at paper scale under the main scheme, at their fixed
#: settings (``fetrain reproduce --scale paper --algorithms ttv2,c-ttv2,agad --schemes iso-3.8``),
#: shipped beside the study's strategies: the same plan but for the strategies and schemes.
SHIPPED_TRANSFER = SHIPPED_DIR / "reproduce-transfer-paper"

#: the study's four strategies and the transfer algorithms under the main scheme at paper scale,
#: with every run's wear (Chapter 9)
SHIPPED_WEAR = SHIPPED_DIR / "reproduce-wear-paper"

#: the command that makes it
WEAR_PAPER_COMMAND = ("fetrain reproduce --scale paper --algorithms "
                      "sgd,sps,sps-global,mp,ttv2,c-ttv2,agad --schemes iso-3.8")


#: the tables of a sweep that ship with fetrain (for the paper scale)
SHIPPED_TABLES = (PLAN_FILE, SUMMARY_FILE, MAP_FILE, ENERGY_CURVES_FILE, CHOICES_FILE)

#: The wear tables, shipped with a sweep's tables where the sweep wrote them.
WEAR_TABLES = (WEAR_FILE, LIFETIME_FILE)


def own_or_shipped(name: str, shipped: Path) -> tuple[Path, bool]:
    """The folder a chapter reads a shipped sweep from: the reader's own run
    (``results/reproduce-<name>``, see :func:`default_out`) when it holds a finished sweep,
    else the shipped tables.

    Parameters
    ----------
    name : str
        The results folder's suffix (``paper``, ``mnist-paper``).
    shipped : pathlib.Path
        The shipped folder (:data:`SHIPPED_PAPER`, :data:`SHIPPED_MNIST`).

    Returns
    -------
    folder : pathlib.Path
        The folder to read.
    own : bool
        Whether it is the reader's own run.
    """
    own = default_out(name)
    return (own, True) if (own / SUMMARY_FILE).is_file() else (shipped, False)


def ship_tables(out: str | Path, dest: str | Path = SHIPPED_PAPER) -> Path:
    """Copy a finished sweep's tables (:data:`SHIPPED_TABLES`, and :data:`WEAR_TABLES` where
    the sweep wrote them, each checked against the sweep's
    manifest first) into ``dest`` and seal them there: how the paper-scale tables that ship with
    fetrain are made from ``fetrain reproduce --scale paper``.

    Parameters
    ----------
    out : str or pathlib.Path
        The finished sweep's folder.
    dest : str or pathlib.Path
        Where the tables go (default: :data:`SHIPPED_PAPER`).

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    fetrain.common.storage.DamagedFile
        If a table of ``out`` does not match its manifest.
    """
    out, dest = Path(out), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    names = SHIPPED_TABLES + tuple(n for n in WEAR_TABLES if (out / n).is_file())
    for name in names:
        storage.write_bytes(dest / name, storage.check_file(out / name).read_bytes())
    storage.seal(dest, names)
    return dest


def load_tables(out: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The per-run summary, the map and the plan record a sweep wrote into ``out``.

    Parameters
    ----------
    out : str or pathlib.Path
        A finished sweep's folder.

    Returns
    -------
    summary : pandas.DataFrame
        The per-run summary (see :func:`fetrain.study.tradeoff.summary`).
    win_map : pandas.DataFrame
        The map (see :func:`fetrain.study.tradeoff.win_map`).
    record : dict
        The plan record.

    Raises
    ------
    FileNotFoundError
        If ``out`` lacks the plan, summary or map file.
    fetrain.common.storage.DamagedFile
        If one of them does not match the folder's manifest or cannot be read (the message
        says how to remake it).
    """
    out = Path(out)
    missing = [n for n in (PLAN_FILE, SUMMARY_FILE, MAP_FILE) if not (out / n).is_file()]
    if missing:
        raise FileNotFoundError(f"{out} lacks {', '.join(missing)}: not a finished sweep's folder")
    remake = _remake(out)
    record = _read(lambda p: storage.read_json(storage.check_file(p)), out / PLAN_FILE, remake)
    summary = _read(storage.read_csv, out / SUMMARY_FILE, remake)
    win_map = _read(storage.read_csv, out / MAP_FILE, remake)
    return summary, win_map, record


def load_table(out: str | Path, name: str) -> pd.DataFrame:
    """One table of a finished sweep's folder (e.g. ``choices.csv`` or
    ``energy_curves.csv``), checked against the folder's manifest.

    Raises
    ------
    FileNotFoundError
        If the folder lacks the table.
    fetrain.common.storage.DamagedFile
        If it does not match the manifest (the message says how to remake it).
    """
    out = Path(out)
    if not (out / name).is_file():
        raise FileNotFoundError(f"{out} lacks {name}: remake the sweep's tables with "
                                f"fetrain reproduce --out {out}")
    return _read(storage.read_csv, out / name, _remake(out))


def _remake(out: Path) -> str:
    """What to do about a damaged table of ``out``."""
    if out == SHIPPED_PAPER:
        return "reinstall fetrain, or remake the tables with: fetrain reproduce --scale paper"
    if out == SHIPPED_MNIST:
        return ("reinstall fetrain, or remake the tables with: fetrain reproduce --data mnist "
                "--scale paper")
    if out == SHIPPED_TRANSFER:
        return ("reinstall fetrain, or remake the tables with: fetrain reproduce --scale paper "
                "--algorithms ttv2,c-ttv2,agad --schemes iso-3.8")
    if out == SHIPPED_WEAR:
        return f"reinstall fetrain, or remake the tables with: {WEAR_PAPER_COMMAND}"
    if out == SHIPPED_MNIST_FIXED:
        return ("reinstall fetrain, or remake the tables with: fetrain reproduce --data mnist "
                "--scale paper --settings fixed --algorithms mp --epochs 4")
    return f"remake it with: fetrain reproduce --out {out}"


def _read(reader, path: Path, remedy: str):
    """``reader(path)``; a damaged file is an error that says what to do."""
    try:
        return reader(path)
    except storage.DamagedFile as err:
        raise storage.DamagedFile(err.path, err.problem, remedy) from None


def finished_runs(out: str | Path) -> int:
    """The runs a sweep folder holds whole (sealed and matching their manifests), counts."""
    runs = Path(out) / RUNS_DIR
    if not runs.is_dir():
        return 0
    return sum(storage.problem(f) is None for f in runs.iterdir() if f.is_dir())
