"""The compiled training loop (numba): forward, backward and each layer's update, sample by
sample (batch size 1, as on chip), for one configuration. Each layer's update goes to the
configuration's rule kernel (:mod:`~fetrain.train.rulebase`), or, without a device model, to the
exact step. :class:`~fetrain.train.engine.Engine` calls it, one stretch of samples at a time.

The forward and backward passes and the exact step are compiled once and cached on disk. The loop
that joins them to a rule's kernel (:func:`train_loop`) is one text, :data:`LOOP_SOURCE`, compiled
for each kernel: written once as a small module that imports the kernel — so that numba caches it
on disk like the rest, and a process starts training without recompiling it — or, for a kernel
whose module cannot be imported by name (defined in a notebook or a script), compiled in memory
once per process. Any registered rule, one defined outside fetrain too, trains in the same loop.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import sys
import threading
from pathlib import Path

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


#: The training loop, one text for every rule (``{kernel_import}`` brings in the rule's kernel as
#: ``kernel``): for each sample, :func:`forward_backward`, then the digital biases and each layer's
#: weights by the kernel with the crossbar ``bar`` and the rule's ``record``; the table drifts by
#: ``drift`` per ``samples_per_epoch`` samples. It returns the samples seen after the last one.
LOOP_SOURCE = """
import numpy as np
from numba import njit

from fetrain.train.kernels import forward_backward
{kernel_import}


@njit({options})
def train_samples(xs, ys, order, start, stop, samples_seen, samples_per_epoch, drift, sizes,
                  offs, aoffs, bias, acts, deltas, bar, record):
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
"""

_LOOPS: dict = {}
_LOOPS_LOCK = threading.RLock()


def _loops_dir() -> Path:
    """Where the generated loop modules live: beside the run cache (``$FETRAIN_CACHE``)."""
    root = Path(os.environ.get("FETRAIN_CACHE", Path.home() / ".cache" / "fetrain"))
    return root / "compiled"


def _importable(kernel) -> tuple[str, str] | None:
    """(module, name) of a kernel that a generated module can import, else None."""
    func = getattr(kernel, "py_func", None)
    module = sys.modules.get(getattr(func, "__module__", ""), None)
    name = getattr(func, "__name__", "")
    if (module is None or module.__name__ == "__main__" or not getattr(module, "__file__", None)
            or getattr(module, name, None) is not kernel):
        return None
    return module.__name__, name


def train_loop(kernel):
    """The compiled training loop of a rule's kernel (or of :func:`exact_kernel`), built from
    :data:`LOOP_SOURCE`: its signature is ``train_samples(xs, ys, order, start, stop,
    samples_seen, samples_per_epoch, drift, sizes, offs, aoffs, bias, acts, deltas, bar,
    record)``.

    Parameters
    ----------
    kernel : numba dispatcher
        The kernel (see :mod:`fetrain.train.rulebase`).

    Returns
    -------
    numba dispatcher
        The loop, one per kernel and process.
    """
    loop = _LOOPS.get(kernel)
    if loop is not None:
        return loop
    with _LOOPS_LOCK:                    # the engine's threads ask at once; one builds it
        loop = _LOOPS.get(kernel)
        if loop is None:
            where = _importable(kernel)
            loop = _cached_loop(*where) if where is not None else None
            if loop is None:
                namespace = {"kernel": kernel}
                exec(LOOP_SOURCE.format(kernel_import="", options="nogil=True"), namespace)
                loop = namespace["train_samples"]
            _LOOPS[kernel] = loop
    return loop


def _cached_loop(module: str, name: str):
    """The loop of the kernel ``module.name`` as a generated module compiled with numba's disk
    cache, in a folder named after the sources it depends on — the training subpackage's and the
    kernel's module (a change to any of them compiles afresh); None when it cannot be written."""
    # every module of the training subpackage (the kernels call one another) and the kernel's
    sources = sorted(Path(__file__).resolve().parent.glob("*.py"))
    digest = hashlib.sha256()
    for path in [*sources, Path(sys.modules[module].__file__)]:
        digest.update(path.read_bytes())
    digest.update(f"{module}.{name}".encode())
    folder = _loops_dir() / digest.hexdigest()[:16]
    path = folder / "loop.py"
    text = LOOP_SOURCE.format(kernel_import=f"from {module} import {name} as kernel",
                              options="cache=True, nogil=True")
    try:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            folder.mkdir(parents=True, exist_ok=True)
            part = folder / f"loop.py.{os.getpid()}.part"
            part.write_text(text, encoding="utf-8")
            os.replace(part, path)
    except OSError:
        return None
    name = f"fetrain_loop_{digest.hexdigest()[:16]}"
    if name not in sys.modules:
        # registered before it runs: numba finds the module by name when it loads its cache
        spec = importlib.util.spec_from_file_location(name, path)
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name].train_samples
