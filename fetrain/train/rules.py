"""The training rules fetrain ships, and how a configuration names one.

Each rule is one module with its class and compiled kernel (the interface is
:mod:`~fetrain.train.rulebase`'s): :mod:`~fetrain.train.pulse_trains` (``"sgd"``, AIHWKit's
stochastic pulse trains), :mod:`~fetrain.train.mixed_precision` (``"mixed_precision"``) and
:mod:`~fetrain.train.transfer` (``"ttv2"``, ``"chopped_ttv2"``, ``"agad"``: the transfer
algorithms). Importing this module registers them in :data:`~fetrain.train.rulebase.RULES`; a rule
defined elsewhere registers itself with :func:`~fetrain.train.rulebase.register` and is then known
here too.
Adding a shipped rule means its module and one line in :data:`BUILT_IN`.

The floating-point baseline (no device model) takes the exact step w ← w − lr·d⊗x
(:func:`fetrain.train.kernels.exact_update`) whatever its rule.
"""

from __future__ import annotations

from .mixed_precision import MixedPrecision
from .pulse_trains import PulseTrains
from .rulebase import RULES, Rule, register
from .transfer import AGAD, ChoppedTTv2, TTv2

#: the rules fetrain ships, in the order of its tables
BUILT_IN: tuple[type, ...] = (PulseTrains, MixedPrecision, TTv2, ChoppedTTv2, AGAD)

#: the counters of the shipped rules: columns of every training history (0 where a rule does
#: not count them); a registered rule's own further counters are added to its histories
COUNTER_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(n for r in BUILT_IN for n in r.counters))

__all__ = ["AGAD", "BUILT_IN", "COUNTER_COLUMNS", "ChoppedTTv2", "MixedPrecision",
           "PulseTrains", "RULES", "Rule", "TTv2", "counter_columns", "register", "rule"]


def counter_columns(value=None) -> tuple[str, ...]:
    """The counter columns of a history: the shipped rules' and, for ``value``, its own.

    Parameters
    ----------
    value : Rule, optional
        A rule object.

    Returns
    -------
    tuple of str
    """
    extra = tuple(getattr(value, "counters", ()))
    return tuple(dict.fromkeys(COUNTER_COLUMNS + extra))


def rule(value) -> Rule:
    """A rule object from a rule object or a registered name (its default parameters).

    Parameters
    ----------
    value : Rule or str
        A rule object, or a name of ``RULES`` (``"sgd"``, ``"mixed_precision"``, ``"ttv2"``, …).

    Returns
    -------
    Rule
        The rule object.

    Raises
    ------
    ValueError
        If ``value`` is neither a rule object nor a registered name.
    """
    if isinstance(value, Rule) and type(value).name in RULES:
        return value
    if isinstance(value, str) and value in RULES:
        return RULES[value]()
    raise ValueError(f"algorithm must be one of {tuple(RULES)} or a registered rule object "
                     f"({', '.join(r.__name__ for r in RULES.values())}); got {value!r}")
