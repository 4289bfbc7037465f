"""The flat arrays one configuration trains — device records, weights, ledger, the rule's own
arrays and generators, in the layout of :mod:`~fetrain.train.crossbar` — built from its configuration
(:mod:`~fetrain.train.config`). :class:`~fetrain.train.engine.Engine` builds one set per
configuration; nothing here is public.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch

from ..device.steps import W_MAX, W_MIN
from .config import _BITS, _DEVICES, _NOISE, _numpy_generator, _torch_generator, initial_weights
from .crossbar import SUM_COLUMNS, symmetry_points
from .rulebase import Layout

if TYPE_CHECKING:
    from .config import TrainConfig


@dataclass(eq=False)
class _Crossbar:
    """Everything one configuration trains: flat device arrays (see :mod:`fetrain.train.crossbar`),
    biases, the rule's arrays (by name, and as the record its kernel receives), generators."""

    config: TrainConfig
    dev: np.ndarray
    weff: np.ndarray
    counts: np.ndarray
    tables: np.ndarray
    sums: np.ndarray
    bias: np.ndarray
    rule_arrays: dict
    rng_bits: np.random.Generator
    rng_noise: np.random.Generator
    lr: np.float32
    dw_min: np.float32
    noise_std: np.float32
    scratch: dict = field(default_factory=dict)

    @property
    def record(self) -> tuple:
        """The rule's arrays in the order its kernel receives them."""
        return tuple(self.rule_arrays.values())

    def bar(self) -> tuple:
        """The shared arrays and settings a kernel receives (``rulebase.BAR_FIELDS``)."""
        return (self.lr, self.dw_min, self.noise_std, self.dev, self.weff, self.counts,
                self.tables, self.sums, self.rng_bits, self.rng_noise,
                self.scratch["scratch_i"], self.scratch["scratch_m"])


def _device_params(cfg: TrainConfig, sizes: tuple[int, ...], offs: np.ndarray,
                   array_index: int) -> np.ndarray:
    """Per device (lo, hi, scale_up, scale_down), (n_devices, 4) float32, of one array of the
    configuration's devices: the weights' own (``array_index`` 0) or a rule's further array."""
    m = cfg.model
    n_dev = int(offs[-1])
    par = np.zeros((n_dev, 4), dtype=np.float32)
    nf = m.noise
    for li in range(len(sizes) - 1):
        n_in, n_out = sizes[li], sizes[li + 1]
        sl = slice(int(offs[li]), int(offs[li + 1]))
        # AIHWKit's populate() rule, drawn per layer (out × in), then stored input-major
        if cfg.device_variation and nf is not None:
            g = _torch_generator(cfg.seed, _DEVICES * 100 + 10 * array_index + li)
            xi = torch.randn(4, n_out, n_in, generator=g).numpy()
            # an unknown spread (NaN: one measured device) draws no variation
            spread = {k: float(np.nan_to_num(getattr(nf, k), nan=0.0))
                      for k in ("w_max_dtod", "w_min_dtod", "dw_min_dtod", "up_down_dtod")}
            hi = W_MAX * (1 + spread["w_max_dtod"] * xi[0])
            lo = W_MIN * (1 + spread["w_min_dtod"] * xi[1])
            gain = 1 + spread["dw_min_dtod"] * xi[2]
            r = spread["up_down_dtod"] * xi[3]
        else:
            hi, lo = np.full((n_out, n_in), W_MAX), np.full((n_out, n_in), W_MIN)
            gain, r = np.ones((n_out, n_in)), np.zeros((n_out, n_in))
        # AIHWKit's enforce_consistency: positive scales, lo ≤ 0 ≤ hi
        lo2, hi2 = np.minimum(lo, hi), np.maximum(lo, hi)
        layer = np.stack([-np.abs(lo2), np.abs(hi2), np.abs((gain + r) * np.float32(m.dw_min)),
                          np.abs((gain - r) * np.float32(m.dw_min))], -1).astype(np.float32)
        par[sl] = layer.transpose(1, 0, 2).reshape(-1, 4)
    return par


def _layout(cfg: TrainConfig, sizes: tuple[int, ...], offs: np.ndarray,
            tables: np.ndarray) -> Layout:
    """What the configuration's rule may know when it allocates its arrays."""

    def device_array(array_index: int):
        if cfg.model is None:
            return None
        records = np.zeros((int(offs[-1]), 6), dtype=np.float32)
        records[:, 2:] = _device_params(cfg, sizes, offs, array_index)
        return records

    def settle(records: np.ndarray) -> np.ndarray:
        return symmetry_points(np.ascontiguousarray(records, dtype=np.float32), tables, 60,
                               np.float32(cfg.reference_start))

    return Layout(sizes=tuple(sizes), offsets=offs, device_array=device_array,
                  symmetry_points=settle)


def _build_crossbar(cfg: TrainConfig, sizes: tuple[int, ...], offs: np.ndarray) -> _Crossbar:
    n_dev = int(offs[-1])
    n_layers = len(sizes) - 1
    w = np.empty(n_dev, dtype=np.float32)
    ref = np.zeros(n_dev, dtype=np.float32)
    par = np.zeros((n_dev, 4), dtype=np.float32)
    tables = np.ones((2, 2), dtype=np.float32)
    bias = np.empty(sum(sizes[1:]), dtype=np.float32)
    inits = initial_weights(cfg.seed, sizes)
    b0 = 0
    for li, (w0, b) in enumerate(inits):
        bias[b0:b0 + sizes[li + 1]] = b.numpy()
        b0 += sizes[li + 1]
    m = cfg.model
    if m is not None:
        tables = np.stack([m.piecewise_up, m.piecewise_down]).astype(np.float32)
        par = _device_params(cfg, sizes, offs, 0)
        if cfg.reference == "symmetry_point":
            records = np.zeros((n_dev, 6), dtype=np.float32)
            records[:, 2:] = par
            ref[:] = symmetry_points(records, tables, 60, np.float32(cfg.reference_start))
        elif cfg.reference == "global_symmetry_point":
            ref[:] = np.float32(m.reference_point(cfg.reference_start)[0])
        ref += np.float32(cfg.reference_offset)
    for li, (w0, _) in enumerate(inits):
        w[int(offs[li]):int(offs[li + 1])] = w0.numpy().T.reshape(-1)
    if m is not None:
        # the device state: the reference plus the initial weight, within the device's bounds
        w = np.minimum(np.maximum(w + ref, par[:, 0]), par[:, 1]).astype(np.float32)
    rule = cfg.algorithm
    noise = np.float32(m.noise.dw_min_std if (m is not None and cfg.cycle_noise and m.noise)
                       else 0.0)
    return _Crossbar(
        config=cfg, dev=np.ascontiguousarray(np.column_stack([w, ref, par]), dtype=np.float32),
        weff=(w - ref).astype(np.float32), counts=np.zeros((n_dev, 2), dtype=np.int32), tables=tables,
        sums=np.zeros((n_layers, len(SUM_COLUMNS)), dtype=np.float64), bias=bias,
        rule_arrays=dict(rule.allocate(_layout(cfg, sizes, offs, tables))),
        rng_bits=_numpy_generator(cfg.seed, _BITS), rng_noise=_numpy_generator(cfg.seed, _NOISE),
        lr=np.float32(cfg.lr), dw_min=np.float32(m.dw_min if m is not None else 1.0),
        noise_std=noise)
