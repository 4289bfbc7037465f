"""fetrain: the energy cost of training neural networks on-chip with ferroelectric HZO synapses.

The package behind the executable book. Modules follow the book's flow:

* :mod:`fetrain.common.scale` — the one knob choosing the scale of heavy work (quick / book / paper).
* :mod:`fetrain.device` — the HZO device: geometry, Schottky conduction, switching kinetics.
* :mod:`fetrain.device.energy` — energy per programming pulse (the study's and the complete formula).
* :mod:`fetrain.device.campaign` — the synthetic characterisation campaign and its ground truth.
* :mod:`fetrain.device.loading` — reading characterisation data (the embedded set or a reader's files, in
  fetrain's layout or AIHWKit's normalized up/down layout).
* :mod:`fetrain.device.fitting` — fitting measurements: the Schottky law.
* :mod:`fetrain.device.model` — from LTP/LTD curves to the device model (step table, symmetry point).
* :mod:`fetrain.bridge` — the same device and runs in AIHWKit 1.1.0 (and the device as plain data).
* :mod:`fetrain.cli` — a reader's device file from the command line (``fetrain device
  fit FILE --out DIR``): summary, figures, AIHWKit device.
* :mod:`fetrain.train.data` — MNIST: the embedded 5,000-digit subset or the full set.
* :mod:`fetrain.train.crossbar` — compiled device primitives: one pulse on one device, with its ledger entry.
* :mod:`fetrain.train.rules` — the training rules (stochastic pulse trains, mixed precision), one unit each.
* :mod:`fetrain.train.engine` — the compiled pulsed-crossbar training engine and its exact pulse ledger.
* :mod:`fetrain.train.loop` — training runs, their history, results files, the chosen hyper-parameters.
* :mod:`fetrain.study` — repeatable experiments (pilot, cross-checks, coverage).
* :mod:`fetrain.study.sweep` — the main experiment as one resumable command (``python -m fetrain
  reproduce``): runs across widths, strategies, programming schemes and seeds, here or on Dask.
* :mod:`fetrain.study.tradeoff` — what a sweep says: energy to target, its parts, the map of where
  short pulses win.
* :mod:`fetrain.study.bench` — throughput of fetrain's engine against AIHWKit.
* :mod:`fetrain.book` — the book's figure style and plotting helpers.
* :mod:`fetrain.book.claims` — a chapter's closing checks of its claims.
"""

__version__ = "0.1.0"
