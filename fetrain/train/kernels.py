"""The compiled training loop (numba): forward, backward and each layer's update, sample by
sample (batch size 1, as on chip), for one configuration. Each layer's update goes to the
configuration's rule (:func:`fetrain.train.rules.update_layer`), or, without a device model, to the
exact step. :class:`~fetrain.train.engine.Engine` calls it, one stretch of samples at a time.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import rules


@njit(cache=True, nogil=True, fastmath=True)
def _dot(a, b, n):
    s = np.float32(0.0)
    for i in range(n):
        s += a[i] * b[i]
    return s


@njit(cache=True, nogil=True)
def _update_one_layer(x, d, li, off, n_in, n_out, samples_seen, shift, analog, rule_id, lr,
                      dw_min, noise_std, dev, weff, counts, tables, sums, params, state,
                      counters, rng_bits, rng_noise, scratch_i, scratch_m):
    """Update one layer by −lr·d⊗x: with the configuration's rule, or exactly (no device)."""
    if analog:
        rules.update_layer(rule_id, x, d, off, n_in, n_out, li, lr, dw_min, noise_std, shift,
                                dev, weff, counts, tables, sums, params, state, counters,
                                samples_seen, rng_bits, rng_noise, scratch_i, scratch_m)
    else:
        rules.exact_update(x, d, off, n_in, n_out, lr, weff)


@njit(cache=True, nogil=True)
def _train_samples(xs, ys, order, start, stop, samples_seen, samples_per_epoch, drift, sizes,
                   offs, aoffs, bias, analog, rule_id, lr, dw_min, noise_std, dev, weff, counts,
                   tables, sums, params, state, counters, rng_bits, rng_noise, acts, deltas,
                   scratch_i, scratch_m):
    """Train one configuration on samples ``order[start:stop]`` of (xs, ys), in place.

    ``sizes``: the layer sizes; ``offs``: each layer's first device in the flat arrays;
    ``aoffs``: each layer's first unit in ``acts`` (activations, input first) — ``deltas`` and
    ``bias`` use ``aoffs − sizes[0]``. Returns the samples seen after the last one.
    """
    n_layers = sizes.shape[0] - 1
    for s in range(start, stop):
        idx = order[s]
        n0 = sizes[0]
        for j in range(n0):
            acts[j] = xs[idx, j]
        # forward: z_i = b_i + Σ_j weff[j, i]·a_j (zero inputs skipped), sigmoid on hidden layers
        for li in range(n_layers):
            n_in = sizes[li]
            n_out = sizes[li + 1]
            a_in = aoffs[li]
            a_out = aoffs[li + 1]
            b0 = a_out - n0
            # views with non-negative loop indices let the compiler vectorise
            z = acts[a_out:a_out + n_out]
            a = acts[a_in:a_in + n_in]
            z[:] = bias[b0:b0 + n_out]
            for j in range(n_in):
                aj = a[j]
                if aj != 0:
                    row = weff[offs[li] + j * n_out:offs[li] + (j + 1) * n_out]
                    for i in range(n_out):
                        z[i] += row[i] * aj
            if li < n_layers - 1:
                for i in range(n_out):
                    z[i] = np.float32(1.0) / (np.float32(1.0) + np.float32(math.exp(-z[i])))
        # backward: the last layer's d is softmax − one-hot (the gradient of the NLL)
        last = aoffs[n_layers]
        n_last = sizes[n_layers]
        d_last = last - n0
        top = acts[last]
        for i in range(n_last):
            if acts[last + i] > top:
                top = acts[last + i]
        total = np.float32(0.0)
        for i in range(n_last):
            e = np.float32(math.exp(acts[last + i] - top))
            deltas[d_last + i] = e
            total += e
        for i in range(n_last):
            deltas[d_last + i] /= total
        deltas[d_last + ys[idx]] -= np.float32(1.0)
        for li in range(n_layers - 1, 0, -1):
            n_in = sizes[li]
            n_out = sizes[li + 1]
            d_out = aoffs[li + 1] - n0
            d_in = aoffs[li] - n0
            dz = deltas[d_out:d_out + n_out]
            h = acts[aoffs[li]:aoffs[li] + n_in]
            dh = deltas[d_in:d_in + n_in]
            for j in range(n_in):
                back = _dot(weff[offs[li] + j * n_out:offs[li] + (j + 1) * n_out], dz, n_out)
                dh[j] = back * h[j] * (np.float32(1.0) - h[j])
        # updates: digital biases, then each layer's weights by its rule (or exactly)
        shift = np.float32(0.0)
        if drift != 0:
            shift = np.float32(drift * (samples_seen / samples_per_epoch))
        for li in range(n_layers):
            n_in = sizes[li]
            n_out = sizes[li + 1]
            x0 = aoffs[li]
            d0 = aoffs[li + 1] - n0
            x = acts[x0:x0 + n_in]
            d = deltas[d0:d0 + n_out]
            b = bias[d0:d0 + n_out]
            for i in range(n_out):
                b[i] -= lr * d[i]
            _update_one_layer(x, d, li, offs[li], n_in, n_out, samples_seen, shift, analog, rule_id,
                              lr, dw_min, noise_std, dev, weff, counts, tables, sums, params,
                              state, counters, rng_bits, rng_noise, scratch_i, scratch_m)
        samples_seen += 1
    return samples_seen
