"""fetrain: the energy cost of training neural networks on-chip with ferroelectric HZO synapses.

The package behind the executable book. Modules follow the book's flow:

* :mod:`fetrain.scale` — the one knob choosing the scale of heavy work (quick / book / paper).
* :mod:`fetrain.physics` — the HZO device: geometry, Schottky conduction, switching kinetics.
* :mod:`fetrain.energy` — energy per programming pulse (the study's and the complete formula).
* :mod:`fetrain.synthetic` — the synthetic characterisation campaign and its ground truth.
* :mod:`fetrain.io` — reading characterisation data (the embedded set or a reader's files, in
  fetrain's layout or AIHWKit's normalized up/down layout).
* :mod:`fetrain.fitting` — fitting measurements: the Schottky law.
* :mod:`fetrain.devicemodel` — from LTP/LTD curves to the device model (step table, symmetry point).
* :mod:`fetrain.bridge` — the same device and runs in AIHWKit 1.1.0 (and the device as plain data).
* :mod:`fetrain.device` — a reader's device file from the command line (``python -m fetrain.device
  fit FILE --out DIR``): summary, figures, AIHWKit device.
* :mod:`fetrain.data` — MNIST: the embedded 5,000-digit subset or the full set.
* :mod:`fetrain.crossbar` — compiled device primitives: one pulse on one device, with its ledger entry.
* :mod:`fetrain.algorithms` — the training rules (stochastic pulse trains, mixed precision), one unit each.
* :mod:`fetrain.engine` — the compiled pulsed-crossbar training engine and its exact pulse ledger.
* :mod:`fetrain.training` — training runs, their history, results files, the chosen hyper-parameters.
* :mod:`fetrain.experiments` — repeatable experiments (pilot, cross-checks, coverage).
* :mod:`fetrain.sweep` — the main experiment as one resumable command (``python -m fetrain
  reproduce``): runs across widths, strategies, programming schemes and seeds, here or on Dask.
* :mod:`fetrain.tradeoff` — what a sweep says: energy to target, its parts, the map of where
  short pulses win.
* :mod:`fetrain.bench` — throughput of fetrain's engine against AIHWKit.
* :mod:`fetrain.plotting` — the book's figure style and plotting helpers.
* :mod:`fetrain.claims` — a chapter's closing checks of its claims.
"""

__version__ = "0.1.0"
