"""fetrain's pulsed-crossbar training engine, compiled (numba), with an exact pulse ledger.

:class:`Engine` trains the 784-256-128-10 network sample by sample (batch size 1, as on chip),
with every weight matrix held as device states on the weight scale w and changed only by
programming pulses, and counts every pulse. Several independent configurations (device, seed,
learning rate, reference, rule) train side by side, each in one compiled call per stretch of
samples (:mod:`~fetrain.train.kernels`), on as many threads as there are cores; each draws from
its own seeded generators, so its result does not depend on its neighbours, on the number of
threads or on the process.

How a gradient becomes pulses is the configuration's training rule (:mod:`fetrain.train.rules`:
stochastic pulse trains, mixed precision, the transfer algorithms — each with its own arrays,
:mod:`~fetrain.train.rulebase`); what one pulse does to a device is
:func:`fetrain.train.crossbar.fire` (the device model's step table interpolated on the device's own
bounds, times its device-to-device scale, times (1 + dw_min_std·ξ), clipped to the bounds).

Biases are digital (plain SGD), outside the ledger. The ledger (:class:`Ledger`) counts, per layer
and device, the up and down pulses actually fired (a pulse that meets a bound still counts), and
per layer the sums that make the energy exact: the states before the pulses and the weight changes
(:func:`fetrain.device.energy.ledger_energy`).

Random streams (:data:`~fetrain.train.config.RANDOM_STREAMS`, part of every configuration's
description and so of every run-cache key and checkpoint signature): initial weights and
device-to-device draws from seeded torch generators (shared with the AIHWKit bridge); bits and
cycle noise from two numpy PCG64 generators per configuration, seeded by (seed, stream); the data
order from numpy. Epochs, evaluations and files are :mod:`~fetrain.train.loop` and
:mod:`~fetrain.train.store`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from ..common.checks import shown
from .arrays import _build_crossbar
from .config import LAYER_SIZES, default_workers
from .crossbar import SUM_COLUMNS, symmetry_points
from .kernels import exact_kernel, train_loop

if TYPE_CHECKING:
    from .arrays import _Crossbar
    from .config import TrainConfig


#: the crossbar arrays that training changes (a checkpoint holds them and the rule's arrays)
_STATE: tuple[str, ...] = ("dev", "weff", "counts", "sums", "bias")


class Ledger:
    """The pulse ledger of one layer for C configurations (views into the engine's arrays).

    ``up``/``down``: pulses per device, (C, out, in), int32. :meth:`totals` gives, per
    configuration, ``n_up``/``n_down`` (pulses), ``w_up``/``w_down`` (sum of the states before
    each pulse), ``dw_up``/``dw_down`` (sum of |Δw| actually moved).

    Parameters
    ----------
    up, down : array of int32
        Up and down pulses per device, (C, out, in) (counts).
    sums : list of array of float64
        Per configuration, the layer's sums in the order of ``SUM_COLUMNS`` (counts, w units).

    Attributes
    ----------
    up, down : array of int32
        As given (counts).
    """

    def __init__(self, up: np.ndarray, down: np.ndarray, sums: list[np.ndarray]):
        self.up, self.down, self._sums = up, down, sums

    def totals(self, c: int) -> dict:
        """Plain-number sums of configuration c.

        Parameters
        ----------
        c : int
            Configuration index.

        Returns
        -------
        dict of str to float
            ``n_up`` and ``n_down`` (pulses), ``w_up``, ``w_down``, ``dw_up`` and ``dw_down``
            (w units).
        """
        return {name: float(self._sums[c][k]) for k, name in enumerate(SUM_COLUMNS)}


class Layer:
    """One weight matrix of C configurations, as numpy views (C, out, in) into the engine's flat
    arrays: ``w`` (device states), ``ref`` (references), ``lo``/``hi`` (device bounds),
    ``scale_up``/``scale_down``, ``chi`` (mixed precision's χ, None for other rules), ``bias``
    (C, out) and ``ledger``; :meth:`rule_view` gives any per-device array of the rules. Writing
    into a view changes the engine's state.

    Parameters
    ----------
    engine : Engine
        The engine.
    li : int
        The layer's index, 0-based.

    Attributes
    ----------
    w, ref, lo, hi : array-like of float32
        Device states, references and bounds, (C, out, in) (w units).
    scale_up, scale_down : array-like of float32
        The devices' step scales (w units).
    chi : array-like of float32 or None
        Mixed precision's χ (w units), None for other rules.
    bias : array-like of float32
        Digital biases, (C, out).
    ledger : Ledger
        The layer's pulse ledger.
    shape : tuple of int
        (out, in).
    """

    def __init__(self, engine: "Engine", li: int):
        n_in, n_out = engine.sizes[li], engine.sizes[li + 1]
        lo_, hi_ = int(engine._offs[li]), int(engine._offs[li + 1])
        b0 = sum(engine.sizes[1:li + 1])
        self.shape = (n_out, n_in)
        self.index = li

        def view(name, column=None):
            arrs = [getattr(x, name)[lo_:hi_] if column is None else getattr(x, name)[lo_:hi_, column]
                    for x in engine._bars]
            return _StackedView([a.reshape(n_in, n_out).T for a in arrs])

        self.w, self.ref = view("dev", 0), view("dev", 1)
        self.lo, self.hi = view("dev", 2), view("dev", 3)
        self.scale_up, self.scale_down = view("dev", 4), view("dev", 5)
        self._engine = engine
        self.chi = self.rule_view("chi")
        self.bias = _StackedView([x.bias[b0:b0 + n_out] for x in engine._bars])
        self.ledger = Ledger(view("counts", 0), view("counts", 1),
                             [x.sums[li] for x in engine._bars])

    def rule_view(self, name: str, column: int | None = None):
        """The rules' per-device array ``name`` (a column of it, for records), (C, out, in), or
        None when some configuration's rule has no such array.

        Parameters
        ----------
        name : str
            An array of the rules' :meth:`~fetrain.train.rulebase.Rule.allocate`.
        column : int, optional
            Its column, for an array with several per device (``fast_dev``: ``DEV_COLUMNS``).

        Returns
        -------
        array-like or None
        """
        engine = self._engine
        lo_, hi_ = int(engine._offs[self.index]), int(engine._offs[self.index + 1])
        n_out, n_in = self.shape
        parts = []
        for bar in engine._bars:
            a = bar.rule_arrays.get(name)
            if a is None or a.shape[0] != int(engine._offs[-1]):
                return None
            a = a[lo_:hi_] if column is None else a[lo_:hi_, column]
            parts.append(a.reshape(n_in, n_out).T)
        return _StackedView(parts)

    def effective(self) -> np.ndarray:
        """The weights the network uses, w − ref, (C, out, in) (a copy).

        Returns
        -------
        array of float32
            Effective weights (w units).
        """
        return np.asarray(self.w) - np.asarray(self.ref)

    def symmetry_points(self, c: int) -> np.ndarray:
        """Each device's symmetry point in configuration c, the one reached from the
        configuration's ``reference_start`` (out × in; NaN for the float baseline).

        Parameters
        ----------
        c : int
            Configuration index.

        Returns
        -------
        array of float
            Symmetry points, out × in (w units).
        """
        bar = self._engine._bars[c]
        if not bar.config.analog:
            return np.full(self.shape, np.nan)
        lo_, hi_ = int(self._engine._offs[self.index]), int(self._engine._offs[self.index + 1])
        n_out, n_in = self.shape
        return symmetry_points(bar.dev[lo_:hi_], bar.tables, 60,
                               np.float32(bar.config.reference_start)).reshape(n_in, n_out).T


class _StackedView:
    """Per-configuration numpy views, indexed like one (C, ...) array: ``view[c]`` is
    configuration c's writable view; ``np.asarray(view)`` stacks a copy."""

    def __init__(self, parts: list[np.ndarray]):
        self._parts = parts

    def __getitem__(self, key):
        if isinstance(key, tuple):
            return self._parts[key[0]][key[1:]]
        return self._parts[key]

    def __setitem__(self, key, value):
        if isinstance(key, tuple):
            self._parts[key[0]][key[1:]] = value
        else:
            self._parts[key][...] = value

    def __len__(self) -> int:
        return len(self._parts)

    def __array__(self, dtype=None, copy=None):
        out = np.stack(self._parts)
        return out if dtype is None else out.astype(dtype)

    def sum(self) -> float:
        return sum(p.sum() for p in self._parts)

    def fill(self, value) -> None:
        for p in self._parts:
            p[...] = value


class Engine:
    """C configurations of the network (784-256-128-10 unless ``sizes`` says otherwise), trained
    sample by sample, each by its own compiled loop.

    The public surface: :meth:`train` (a stretch of samples), :meth:`train_step` (one sample),
    :meth:`pulse_update` (one layer's update, for checks), :meth:`evaluate`, :meth:`snapshot`
    (ledger and counters of a configuration), :meth:`state_arrays` / :meth:`load_state_arrays`
    (checkpoints), ``layers`` (numpy views) and ``samples_seen``.

    Parameters
    ----------
    configs : list of TrainConfig
        The configurations (at least one).
    sizes : tuple of int
        Layer sizes (neurons), input first.
    samples_per_epoch : int, optional
        Training samples per epoch (counts; the unit of ``drift_per_epoch``); required when a
        configuration drifts.
    workers : int, optional
        Threads over which configurations are spread (counts; default :func:`~fetrain.train.config.default_workers`).

    Raises
    ------
    ValueError
        If ``configs`` is empty, ``samples_per_epoch`` or ``workers`` is not an integer ≥ 1, or
        a drifting configuration has no ``samples_per_epoch``.

    Attributes
    ----------
    configs : list of TrainConfig
        The configurations.
    sizes : tuple of int
        Layer sizes (neurons).
    samples_per_epoch : int or None
        Training samples per epoch (counts).
    workers : int
        Threads (counts).
    layers : list of Layer
        Per layer, numpy views of the configurations' devices (w units) and ledgers.
    samples_seen : int
        Samples trained so far (counts).
    """

    def __init__(self, configs: list[TrainConfig], sizes: tuple[int, ...] = LAYER_SIZES,
                 samples_per_epoch: int | None = None, workers: int | None = None):
        if not configs:
            raise ValueError("configs must hold at least one TrainConfig")
        self.configs = list(configs)
        self.sizes = tuple(int(s) for s in sizes)
        if samples_per_epoch is not None and not (isinstance(samples_per_epoch, int)
                                                  and samples_per_epoch >= 1):
            raise ValueError(f"samples_per_epoch must be an integer ≥ 1; got {shown(samples_per_epoch)}")
        if samples_per_epoch is None and any(cfg.drift_per_epoch for cfg in self.configs):
            raise ValueError("a drifting configuration needs samples_per_epoch (the unit of "
                             "drift_per_epoch)")
        self.samples_per_epoch = samples_per_epoch
        self.workers = default_workers() if workers is None else workers
        if not (isinstance(self.workers, int) and self.workers >= 1):
            raise ValueError(f"workers must be an integer ≥ 1; got {shown(self.workers)}")
        self._sizes = np.array(self.sizes, dtype=np.int64)
        self._offs = np.concatenate([[0], np.cumsum([a * b for a, b in
                                                     zip(self.sizes[:-1], self.sizes[1:])])]
                                    ).astype(np.int64)
        self._aoffs = np.concatenate([[0], np.cumsum(self.sizes[:-1])]).astype(np.int64)
        self._bars = [_build_crossbar(cfg, self.sizes, self._offs) for cfg in self.configs]
        width = max(a + b for a, b in zip(self.sizes[:-1], self.sizes[1:]))
        for bar in self._bars:
            bar.scratch = {"acts": np.zeros(sum(self.sizes), dtype=np.float32),
                           "deltas": np.zeros(sum(self.sizes[1:]), dtype=np.float32),
                           "scratch_i": np.zeros(width, dtype=np.int64),
                           "scratch_m": np.zeros(width, dtype=np.int64)}
        self.samples_seen = 0
        self.layers = [Layer(self, li) for li in range(len(self.sizes) - 1)]

    # ---- running ---------------------------------------------------------------------------

    def _map(self, fn, items):
        items = list(items)
        if self.workers == 1 or len(items) == 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(fn, items))

    def _sync(self) -> None:
        """Recompute the network's weights w − ref from the states and references, which a
        caller may have written through the ``layers`` views."""
        for bar in self._bars:
            if bar.config.analog:
                bar.config.algorithm.sync(bar, bar.rule_arrays)
            else:
                np.subtract(bar.dev[:, 0], bar.dev[:, 1], out=bar.weff)

    def _settle(self) -> None:
        """After a stretch of samples: the floating-point baselines, whose exact steps change
        their weights directly, copy them into their device records."""
        for bar in self._bars:
            if not bar.config.analog:
                bar.dev[:, 0] = bar.weff

    @staticmethod
    def _kernel(bar: _Crossbar):
        """A configuration's compiled update: its rule's kernel, or the exact step."""
        return type(bar.config.algorithm).kernel if bar.config.analog else exact_kernel

    def train(self, xs: np.ndarray, ys: np.ndarray, orders: np.ndarray, start: int,
              stop: int) -> None:
        """Train every configuration on its samples ``orders[c, start:stop]`` of (xs, ys).

        ``xs`` (N, n_in) float32, ``ys`` (N,) int64; ``orders`` (C, L) sample indices.

        Parameters
        ----------
        xs : array of float32
            Images, (N, n_in) (dimensionless, 0 … 1).
        ys : array of int64
            Labels, (N,).
        orders : array of int64
            Sample indices per configuration, (C, L).
        start, stop : int
            The stretch of ``orders`` to train, 0 ≤ start ≤ stop ≤ L.

        Raises
        ------
        ValueError
            If ``orders`` does not have one row per configuration or the stretch is out of
            range.
        """
        xs = np.ascontiguousarray(xs, dtype=np.float32)
        ys = np.ascontiguousarray(ys, dtype=np.int64)
        orders = np.ascontiguousarray(orders, dtype=np.int64)
        if orders.shape[0] != len(self._bars) or not (0 <= start <= stop <= orders.shape[1]):
            raise ValueError(f"orders must be (configurations={len(self._bars)}, L) with "
                             f"0 ≤ start ≤ stop ≤ L; got {orders.shape}, {start}, {stop}")
        spe = float(self.samples_per_epoch or 1)
        self._sync()

        def run(c: int) -> int:
            bar = self._bars[c]
            return train_loop(self._kernel(bar))(
                xs, ys, orders[c], start, stop, self.samples_seen, spe,
                float(bar.config.drift_per_epoch), self._sizes, self._offs, self._aoffs, bar.bias,
                bar.scratch["acts"], bar.scratch["deltas"], bar.bar(), bar.record)

        # the configurations that cost most first, so that the threads finish together
        cost = [(not b.config.analog, -sum(a.size for a in b.rule_arrays.values()))
                for b in self._bars]
        ranked = sorted(range(len(self._bars)), key=lambda c: cost[c])
        seen = self._map(run, ranked)
        self._settle()
        self.samples_seen = int(seen[0])

    def train_step(self, x: np.ndarray, y: np.ndarray) -> None:
        """One sample per configuration: x (C, n_in), y (C,).

        Parameters
        ----------
        x : array of float32
            One image per configuration, (C, n_in) (dimensionless).
        y : array of int
            One label per configuration, (C,).
        """
        x = np.asarray(x, dtype=np.float32)
        c = len(self._bars)
        self.train(x, np.asarray(y), np.arange(c)[:, None], 0, 1)

    def pulse_update(self, layer_index: int, x, d) -> None:
        """Update one layer's weights by −lr·d⊗x (the SGD step) with each configuration's rule,
        outside the training loop (``samples_seen`` is not advanced).

        ``x`` (C, in) is the layer's input, ``d`` (C, out) the gradient of the loss with respect to
        its output. Floating-point configurations take the exact step.

        Parameters
        ----------
        layer_index : int
            The layer, 0-based.
        x : array of float32
            The layer's input per configuration, (C, in) (dimensionless).
        d : array of float32
            The gradient of the loss with respect to its output, (C, out) (dimensionless).
        """
        x = np.ascontiguousarray(x, dtype=np.float32)
        d = np.ascontiguousarray(d, dtype=np.float32)
        n_in, n_out = self.sizes[layer_index], self.sizes[layer_index + 1]
        self._sync()
        for c, bar in enumerate(self._bars):
            shift = np.float32(0.0)
            if bar.config.drift_per_epoch:
                shift = np.float32(bar.config.drift_per_epoch
                                   * (self.samples_seen / self.samples_per_epoch))
            self._kernel(bar)(x[c], d[c], self._offs[layer_index], n_in, n_out, layer_index,
                              self.samples_seen, shift, bar.bar(), bar.record)
        self._settle()

    def activations(self, c: int, x: np.ndarray) -> list[np.ndarray]:
        """Activations of configuration c for images x (N, n_in): [x, h1, …, logits], float32.

        Parameters
        ----------
        c : int
            Configuration index.
        x : array of float
            Images, (N, n_in) (dimensionless).

        Returns
        -------
        list of array of float32
            The input, each hidden layer's sigmoid output and the logits (dimensionless).
        """
        self._sync()
        return self._activations(c, x)

    def _activations(self, c: int, x: np.ndarray) -> list[np.ndarray]:
        bar = self._bars[c]
        h = np.asarray(x, dtype=np.float32)
        out = [h]
        n_layers = len(self.sizes) - 1
        b0 = 0
        for li in range(n_layers):
            n_in, n_out = self.sizes[li], self.sizes[li + 1]
            wt = bar.weff[self._offs[li]:self._offs[li + 1]].reshape(n_in, n_out)
            h = h @ wt + bar.bias[b0:b0 + n_out]
            b0 += n_out
            if li < n_layers - 1:
                with np.errstate(over="ignore"):       # exp(−h) → inf is the sigmoid's 0
                    h = 1.0 / (1.0 + np.exp(-h))
            out.append(h)
        return out

    def forward(self, c: int, x: np.ndarray) -> np.ndarray:
        """Logits of configuration c for images x (N, n_in), float32.

        Parameters
        ----------
        c : int
            Configuration index.
        x : array of float
            Images, (N, n_in) (dimensionless).

        Returns
        -------
        array of float32
            Logits, (N, n_out) (dimensionless).
        """
        return self.activations(c, x)[-1]

    def evaluate(self, x, y) -> np.ndarray:
        """Accuracy (C,) of every configuration on images x (N, n_in) with labels y (N,).

        Parameters
        ----------
        x : array of float
            Images, (N, n_in) (dimensionless).
        y : array of int
            Labels, (N,).

        Returns
        -------
        array of float
            Accuracy per configuration (fraction, 0 … 1).
        """
        x = np.asarray(x, dtype=np.float32)
        y = np.asarray(y)
        self._sync()
        return np.array(self._map(lambda c: float((self._activations(c, x)[-1].argmax(-1) == y).mean()),
                                  range(len(self._bars))))

    # ---- what training code reads -------------------------------------------------------------

    def snapshot(self, c: int) -> dict:
        """Configuration c's cumulative ledger and counters, as plain numbers: per layer
        (``L1``, ``L2``, …) the sums of :data:`fetrain.train.crossbar.SUM_COLUMNS` of the weights'
        devices, those of each further device array of the rule (``L1.fast``, …), and the rule's
        counters by name.

        Parameters
        ----------
        c : int
            Configuration index.

        Returns
        -------
        dict
            ``L1``, ``L2``, … (pulse counts; state and |Δw| sums in w units) and ``counters``
            (counts).
        """
        bar = self._bars[c]
        out = {f"L{li + 1}": dict(zip(SUM_COLUMNS, (float(v) for v in bar.sums[li])))
               for li in range(len(self.sizes) - 1)}
        for ledger in bar.config.algorithm.ledgers:
            sums = bar.rule_arrays[f"{ledger}_sums"]
            for li in range(len(self.sizes) - 1):
                out[f"L{li + 1}.{ledger}"] = dict(zip(SUM_COLUMNS, (float(v) for v in sums[li])))
        counters = bar.rule_arrays["counters"]
        out["counters"] = {name: int(counters[k])
                           for k, name in enumerate(bar.config.algorithm.counters)}
        return out

    def device_arrays(self, c: int) -> dict:
        """Configuration c's final per-layer arrays (copies, out × in): ``weights`` (device
        states), ``references``, ``pulse_counts`` ((up, down) per layer),
        ``symmetry_points`` (NaN for the float baseline) and ``array_counts`` (the (up, down)
        pulses per layer of each further device array of the rule, by ledger name).

        Parameters
        ----------
        c : int
            Configuration index.

        Returns
        -------
        dict of str to list
            ``weights``, ``references`` and ``symmetry_points`` (w units), ``pulse_counts``
            (counts), ``array_counts`` (dict of ledger name to such a list; counts).
        """
        return {"weights": [np.array(layer.w[c]) for layer in self.layers],
                "references": [np.array(layer.ref[c]) for layer in self.layers],
                "pulse_counts": [(np.array(layer.ledger.up[c]), np.array(layer.ledger.down[c]))
                                 for layer in self.layers],
                "array_counts": {name: self._rule_counts(c, name)
                                 for name in self.configs[c].algorithm.ledgers},
                "symmetry_points": [layer.symmetry_points(c) for layer in self.layers]}

    def _rule_counts(self, c: int, name: str) -> list:
        """Configuration c's (up, down) pulses per device of the rule's array ``name``, per
        layer, out × in (counts)."""
        counts = self._bars[c].rule_arrays[f"{name}_counts"]
        out = []
        for li, layer in enumerate(self.layers):
            n_out, n_in = layer.shape
            part = counts[int(self._offs[li]):int(self._offs[li + 1])]
            out.append(tuple(np.array(part[:, k].reshape(n_in, n_out).T) for k in (0, 1)))
        return out

    # ---- state as plain arrays ------------------------------------------------------------------

    def state_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        """Everything that changes during training: named numpy arrays (for safetensors) and the
        generators' states and sample counter (plain JSON data).

        Returns
        -------
        arrays : dict of str to numpy.ndarray
            ``dev``, ``weff``, ``counts``, ``sums`` and ``bias`` per configuration, and the
            rule's arrays as ``rule.<name>`` (w units and counts).
        meta : dict
            ``samples_seen`` (counts) and the generators' states.
        """
        arrays = {}
        for c, bar in enumerate(self._bars):
            for name in _STATE:
                arrays[f"{name}_{c}"] = np.ascontiguousarray(getattr(bar, name))
            for name, a in bar.rule_arrays.items():
                if name != "params":
                    arrays[f"rule.{name}_{c}"] = np.ascontiguousarray(a)
        meta = {"samples_seen": self.samples_seen,
                "rng": [[bar.rng_bits.bit_generator.state, bar.rng_noise.bit_generator.state]
                        for bar in self._bars]}
        return arrays, meta

    def load_state_arrays(self, arrays: dict[str, np.ndarray], meta: dict) -> None:
        """Restore :meth:`state_arrays` into an engine built from the same configurations.

        Parameters
        ----------
        arrays : dict of str to numpy.ndarray
            The arrays of :meth:`state_arrays`.
        meta : dict
            Its ``meta``.
        """
        wanted = [f"{name}_{c}" for c, bar in enumerate(self._bars)
                  for name in (*_STATE, *(f"rule.{n}" for n in bar.rule_arrays if n != "params"))]
        missing = [k for k in wanted if k not in arrays]
        if missing:
            raise ValueError(f"the saved state lacks the arrays {missing[:3]}: it was written for "
                             "other rules or by another version of the engine")
        for c, bar in enumerate(self._bars):
            for name in _STATE:
                getattr(bar, name)[...] = arrays[f"{name}_{c}"]
            for name, a in bar.rule_arrays.items():
                if name != "params":
                    a[...] = arrays[f"rule.{name}_{c}"]
            bar.rng_bits.bit_generator.state = meta["rng"][c][0]
            bar.rng_noise.bit_generator.state = meta["rng"][c][1]
        self.samples_seen = int(meta["samples_seen"])
