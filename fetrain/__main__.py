"""usage: python -m fetrain {reproduce} [options]

The book's main experiment, outside the book's build.

subcommands:
  reproduce   energy to target accuracy across pulse widths, algorithms, programming schemes and
              seeds (Chapter 6's sweep); --scale quick|book|paper (paper: about 14 minutes on two
              cores); resumes when rerun; writes CSV/JSON tables and figures

Run 'python -m fetrain reproduce --help' for its options. Other commands:
python -m fetrain.device (fit your own device), python -m fetrain.experiments (the pilot and the
robustness sweep), python -m fetrain.bench (speed against AIHWKit), python -m fetrain.synthetic
(regenerate the synthetic data set).
"""

from __future__ import annotations

import argparse
import sys


def _widths(text: str) -> tuple[float, ...]:
    from .physics import PULSE_WIDTHS_S

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
    def parse(text: str) -> tuple[str, ...]:
        items = tuple(s.strip() for s in text.split(","))
        bad = [s for s in items if s not in allowed]
        if bad:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)} (comma-separated); "
                                             f"got {', '.join(bad)}")
        return items
    return parse


def _seeds(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds are integers ≥ 0, comma-separated; got {text!r}")
    if any(s < 0 for s in seeds):
        raise argparse.ArgumentTypeError(f"seeds are integers ≥ 0; got {text!r}")
    return seeds


def reproduce(argv=None) -> int:
    """Run (or resume) the sweep and write its results.

    Parameters
    ----------
    argv : list of str, optional
        The command's arguments (``--widths`` in ns); None: the process's command line.

    Returns
    -------
    int
        Exit status, 0 when the sweep is written (bad arguments exit with status 2).
    """
    from . import scale as fscale
    from . import sweep

    parser = argparse.ArgumentParser(
        prog="python -m fetrain reproduce",
        description="Energy to target accuracy across pulse widths, algorithms and programming "
                    "schemes (Chapter 6). Finished runs are kept in OUT/runs: run the same "
                    "command again to resume an interrupted sweep. Paper scale (5 widths × 3 "
                    "algorithms × 3 seeds, plus the map's schemes) takes about 14 minutes on 2 cores; "
                    "book scale about 3.5; quick scale seconds.")
    parser.add_argument("--scale", choices=fscale.SCALES, default=None,
                        help="quick, book or paper (default: $FETRAIN_SCALE, else book)")
    parser.add_argument("--out", default=None,
                        help="results folder (default: results/reproduce-SCALE in the repository)")
    parser.add_argument("--widths", type=_widths, default=None,
                        help="pulse widths in ns, comma-separated (default: the scale's)")
    parser.add_argument("--algorithms", type=_names(tuple(sweep.STRATEGIES)), default=None,
                        help=f"comma-separated from {', '.join(sweep.STRATEGIES)} (plain SGD, "
                             "symmetry point shifting, mixed precision)")
    parser.add_argument("--schemes", type=_names(tuple(sweep.SCHEMES)), default=None,
                        help=f"programming schemes, the main one first, from "
                             f"{', '.join(sweep.SCHEMES)}")
    parser.add_argument("--seeds", type=_seeds, default=None, help="seeds of the main scheme")
    parser.add_argument("--map-seeds", type=_seeds, default=None,
                        help="seeds of the other schemes (the map)")
    parser.add_argument("--epochs", type=int, default=None, help="epoch limit of every run")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="address of a running Dask distributed scheduler "
                             "(e.g. tcp://10.0.0.1:8786): the runs go there, one task each")
    parser.add_argument("--workers", type=int, default=None,
                        help="local threads (default: $FETRAIN_WORKERS, else the cores)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    changes = {k: v for k, v in (("widths_s", args.widths), ("strategies", args.algorithms),
                                 ("schemes", args.schemes), ("seeds", args.seeds),
                                 ("map_seeds", args.map_seeds), ("epochs", args.epochs))
               if v is not None}
    try:
        plan = sweep.SweepPlan.for_scale(args.scale, **changes)
        if args.workers is not None and args.workers < 1:
            raise ValueError(f"--workers must be ≥ 1; got {args.workers}")
        out = args.out or str(sweep.default_out(plan.scale))
        sweep.check_output_folder(out)
    except ValueError as exc:
        parser.error(str(exc))
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
                                 workers=args.workers)
    finally:
        if client is not None:
            client.close()
    print(f"{report['written']} run(s) written ({report['trained']} trained; the others share "
          f"their device and settings), {report['reused']} found done, "
          f"{report['seconds']:.0f} s; results in {out}")
    return 0


COMMANDS = {"reproduce": reproduce}


def main(argv=None) -> int:
    """Dispatch ``python -m fetrain COMMAND`` to its command.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments; None: ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: the command's, 0 for ``--help``, 2 for an unknown command.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in COMMANDS:
        if argv and argv[0] in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
