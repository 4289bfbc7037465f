"""The compiled training loop (numba): forward, backward and each layer's update, sample by
sample (batch size 1, as on chip), for one configuration. Each layer's update goes to the
configuration's rule kernel (:mod:`~fetrain.train.rulebase`), or, without a device model, to the
exact step. :class:`~fetrain.train.engine.Engine` calls it, one stretch of samples at a time.

The forward and backward passes and the exact step are compiled once and cached on disk; the loop
that joins them to a rule's kernel takes the kernel as an argument, so that any registered rule —
one defined outside fetrain too — trains in the same loop (numba compiles that short loop once per
process and rule, in well under a second).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, fastmath=True)
def _dot(a, b, n):
    s = np.float32(0.0)
    for i in range(n):
        s += a[i] * b[i]
    return s


@njit(cache=True, nogil=True)
def exact_update(x, d, off, n_in, n_out, lr, weff):
    """The floating-point baseline: w ← w − lr·d⊗x, exactly (float32), on the network's weights
    (the engine copies them into the device records after each stretch of samples).

    Parameters
    ----------
    x : array of float32
        The layer's input, (n_in,) (dimensionless activations).
    d : array of float32
        The gradient of the loss with respect to the layer's output, (n_out,) (dimensionless).
    off : int
        The layer's first device in the flat arrays.
    n_in, n_out : int
        The layer's size (neurons).
    lr : float32
        Learning rate (w units per unit of d⊗x).
    weff : array of float32
        The network's weights (w units); updated.
    """
    for j in range(n_in):
        xj = x[j]
        if xj == 0:
            continue
        er = weff[off + j * n_out:off + (j + 1) * n_out]
        for i in range(n_out):
            er[i] -= (lr * d[i]) * xj


@njit(cache=True, nogil=True)
def exact_kernel(x, d, off, n_in, n_out, layer, samples_seen, shift, bar, record):
    """The exact step with a rule kernel's signature (the floating-point baseline's kernel)."""
    exact_update(x, d, off, n_in, n_out, bar[0], bar[4])

@njit(cache=True, nogil=True)
def forward_backward(xs, ys, idx, sizes, offs, aoffs, bias, weff, acts, deltas):
    """Forward and backward pass of sample ``idx`` of (xs, ys) through the network ``weff``:
    the activations (input first) into ``acts`` and the gradients of the loss with respect to
    each layer's output into ``deltas``.

    ``sizes``: the layer sizes; ``offs``: each layer's first device in the flat arrays;
    ``aoffs``: each layer's first unit in ``acts`` — ``deltas`` and ``bias`` use
    ``aoffs − sizes[0]``.
    """
    n_layers = sizes.shape[0] - 1
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


@njit(nogil=True)
def train_samples(kernel, xs, ys, order, start, stop, samples_seen, samples_per_epoch, drift,
                  sizes, offs, aoffs, bias, acts, deltas, bar, record):
    """Train one configuration on samples ``order[start:stop]`` of (xs, ys), in place: for each
    sample, :func:`forward_backward`, then the digital biases and each layer's weights by
    ``kernel`` (a rule's, or :func:`exact_kernel`) with the crossbar ``bar`` and the rule's
    ``record``. The table drifts by ``drift`` per ``samples_per_epoch`` samples. Returns the
    samples seen after the last one."""
    n_layers = sizes.shape[0] - 1
    n0 = sizes[0]
    lr = bar[0]
    weff = bar[4]
    for s in range(start, stop):
        forward_backward(xs, ys, order[s], sizes, offs, aoffs, bias, weff, acts, deltas)
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
            kernel(x, d, offs[li], n_in, n_out, li, samples_seen, shift, bar, record)
        samples_seen += 1
    return samples_seen
