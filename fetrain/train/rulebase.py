"""What a training rule is: the interface every rule implements, and the registry.

A rule turns a layer's gradient into programming pulses. It is one unit — a frozen dataclass
(:class:`Rule`) with its parameters, the arrays it keeps, its counters, its digital energy and its
looks — and one compiled kernel. The engine never asks a rule's name: it asks the rule to
allocate its arrays (:meth:`Rule.allocate`), hands them to the rule's kernel as one tuple (the
*record*) on every update, and reads them back by name. :func:`register` adds a rule to
:data:`RULES`; a rule defined outside fetrain registers itself the same way and trains at once.

The kernel (a numba function, ``@njit``) is called once per layer and sample as

``kernel(x, d, off, n_in, n_out, layer, samples_seen, shift, bar, record)``

with ``x`` (n_in,) the layer's input and ``d`` (n_out,) the gradient of the loss with respect to
its output (float32), ``off`` the layer's first device in the flat arrays, ``layer`` its index,
``samples_seen`` the samples trained before this one, ``shift`` the drift of the step table (w
units), ``bar`` the crossbar's shared arrays (:data:`BAR_FIELDS`, in that order; the layout is
:mod:`fetrain.train.crossbar`'s) and ``record`` the rule's own arrays in the order of
:meth:`Rule.allocate`. It changes devices only through :func:`fetrain.train.crossbar.fire`, so
that every pulse enters a ledger.
"""


from dataclasses import dataclass
from typing import Callable, ClassVar

import numpy as np

#: the crossbar's shared arrays and settings a kernel receives as ``bar``, in order: learning rate
#: (float32), the device's dw_min (float32, w units), the cycle-to-cycle noise (float32), the
#: device records, the network's weights, the pulse counts, the step table, the ledger sums (see
#: :mod:`fetrain.train.crossbar`), the bit and noise generators, and two int64 work arrays
BAR_FIELDS: tuple[str, ...] = ("lr", "dw_min", "noise_std", "dev", "weff", "counts", "tables",
                               "sums", "rng_bits", "rng_noise", "scratch_i", "scratch_m")


@dataclass(frozen=True)
class Layout:
    """What a rule may know about the crossbar when it allocates its arrays.

    Attributes
    ----------
    sizes : tuple of int
        Layer sizes (neurons), input first.
    offsets : array of int64
        Each layer's first device in the flat arrays, and the total at the end.
    device_array : callable
        ``device_array(array_index)`` draws a further array of the configuration's devices — one
        device per weight, with its own device-to-device variation (drawn from the
        configuration's seed and ``array_index`` ≥ 1; the weights' own array is 0) — and returns
        its records (n_devices, 6) in the layout of ``dev`` (state at 0, reference 0), or None
        without a device model.
    symmetry_points : callable
        ``symmetry_points(records)``: where each device of such records settles under
        alternating pulses from the configuration's ``reference_start`` (w units).
    """

    sizes: tuple[int, ...]
    offsets: np.ndarray
    device_array: Callable
    symmetry_points: Callable

    @property
    def n_devices(self) -> int:
        """Devices of one array, all layers (counts)."""
        return int(self.offsets[-1])

    @property
    def n_layers(self) -> int:
        """Weight layers (counts)."""
        return len(self.sizes) - 1


@dataclass(frozen=True)
class Rule:
    """The interface of a training rule (subclass it as a frozen dataclass and register it).

    Class attributes a rule sets: ``name`` (its registered name), ``label`` (for tables and
    legends), ``kernel`` (its compiled update, see the module's text), ``counters`` (the names of
    its counters, int64), ``ledgers`` (names of further device arrays it pulses, each priced like
    the weights' own: ``<ledger>_dev``, ``<ledger>_counts`` and ``<ledger>_sums`` among its
    arrays), ``style`` (matplotlib keywords of its curves and markers) and ``aihwkit`` (the name
    of its AIHWKit counterpart).
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    kernel: ClassVar[object] = None
    counters: ClassVar[tuple[str, ...]] = ()
    ledgers: ClassVar[tuple[str, ...]] = ()
    style: ClassVar[dict] = {}
    aihwkit: ClassVar[str] = ""

    def describe(self) -> dict:
        """Plain-data parameters (for results files and run-cache keys): ``algorithm`` (the
        name) and the rule's parameters.

        Returns
        -------
        dict
        """
        raise NotImplementedError

    def params(self) -> np.ndarray:
        """The parameters the kernel reads, float64 (the rule's units).

        Returns
        -------
        array of float64
        """
        return np.zeros(1, dtype=np.float64)

    def allocate(self, layout: Layout) -> dict[str, np.ndarray]:
        """The arrays this rule keeps for one configuration, by name, in the order its kernel
        receives them: ``params`` (:meth:`params`), ``counters`` (int64, one per name of
        ``counters``) and whatever state the rule needs.

        Parameters
        ----------
        layout : Layout
            The crossbar's layout.

        Returns
        -------
        dict of str to numpy.ndarray
        """
        return {"params": self.params(),
                "counters": np.zeros(max(len(self.counters), 1), dtype=np.int64)}

    def sync(self, bar, arrays: dict[str, np.ndarray]) -> None:
        """Recompute the network's weights ``bar.weff`` from the device records (after a caller
        wrote into them): w − ref of the weights' array, the default.

        Parameters
        ----------
        bar : object
            The configuration's crossbar (``dev``, ``weff``, …).
        arrays : dict of str to numpy.ndarray
            The rule's arrays.
        """
        np.subtract(bar.dev[:, 0], bar.dev[:, 1], out=bar.weff)

    def programmed_arrays(self) -> int:
        """Further arrays of references the rule needs programmed at their devices' symmetry
        points before training, one per synapse each (counts; the weights' own references are
        the configuration's).

        Returns
        -------
        int
        """
        return 0

    def memory_elements(self, n_synapses: int) -> int:
        """Digital values the rule keeps per network of ``n_synapses`` synapses (counts; 0 for a
        rule without digital state), for the memory its hardware needs.

        Parameters
        ----------
        n_synapses : int
            Synapses of the network (counts).

        Returns
        -------
        int
        """
        return 0

    def random_bits_per_line(self) -> int:
        """Slots of a stochastic bit stream per line and sample that the rule draws (counts; 0:
        none), for the read path's random-number cost.

        Returns
        -------
        int
        """
        return 0

    def digital_energy_J(self, counters: dict, costs=None) -> float:
        """Energy of the rule's digital work, J, from its counters (0 unless a rule does some).

        Parameters
        ----------
        counters : dict of str to float
            The rule's counters (counts).
        costs : DigitalCosts, optional
            The hardware model (J per operation); None: the FP32 dense model.

        Returns
        -------
        float
            Digital energy (J).
        """
        return 0.0


#: every registered rule, by name
RULES: dict[str, type] = {}


def register(cls: type) -> type:
    """Register a rule class under its ``name`` (usable as a class decorator).

    Parameters
    ----------
    cls : type
        A subclass of :class:`Rule` with a ``name`` and a ``kernel``.

    Returns
    -------
    type
        ``cls``.

    Raises
    ------
    TypeError
        If ``cls`` is not a :class:`Rule` with a name and a kernel.
    ValueError
        If another class holds the name already.
    """
    if not (isinstance(cls, type) and issubclass(cls, Rule) and cls.name and cls.kernel):
        raise TypeError(f"a rule must subclass fetrain.train.rulebase.Rule and set name and "
                        f"kernel; got {cls!r}")
    held = RULES.get(cls.name)
    if held is not None and held.__qualname__ != cls.__qualname__:
        raise ValueError(f"the rule name {cls.name!r} is taken by {held.__qualname__}")
    RULES[cls.name] = cls
    return cls
