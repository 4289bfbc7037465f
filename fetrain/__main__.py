"""``python -m fetrain``: the same as the ``fetrain`` command (:mod:`fetrain.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
