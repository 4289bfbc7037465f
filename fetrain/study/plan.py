"""What the main experiment trains: the strategies (:data:`STRATEGIES`: a rule, and where each
reference sits), the programming schemes (:data:`SCHEMES`), the plan of runs (:class:`SweepPlan`,
one :class:`RunSpec` per run), and the device model of every width under a scheme
(:func:`device_models`). Running the plan is :mod:`~fetrain.study.sweep`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from ..common.checks import shown
from ..common.scale import Scale, current
from ..device.schemes import AmplitudeLadder, IsoFraction
from ..device.stack import PULSE_WIDTHS_S
from ..train import rules


@dataclass(frozen=True)
class Strategy:
    """A training strategy of the sweep: a rule and where each pair's reference sits.

    Attributes
    ----------
    name : str
        Short name (``sgd``, ``sps``, ``sps-global``, ``mp``, ``ttv2``, ``c-ttv2``, ``agad``).
    label : str
        Name in figures and tables.
    rule : Rule
        The training rule (:mod:`fetrain.train.rules`), with the sweep's fixed parameters.
    reference : str
        The reference (see :class:`fetrain.train.config.TrainConfig`).
    """

    name: str
    label: str
    rule: rules.Rule
    reference: str

    def rule_with(self, setting: dict | None) -> rules.Rule:
        """The strategy's rule with the parameters a setting names (the setting's other keys,
        ``lr`` and ``reference``, are the configuration's).

        Parameters
        ----------
        setting : dict or None
            Parameter values by name.

        Returns
        -------
        Rule
        """
        if not setting:
            return self.rule
        own = {f.name: f for f in fields(self.rule)}
        values = {k: type(getattr(self.rule, k))(v) for k, v in setting.items() if k in own}
        return replace(self.rule, **values)


#: The strategies of the sweep, by name: the study's three, with symmetry point shifting in both
#: variants — every reference at its own device's symmetry point (as hardware that programs each
#: reference by alternating pulses does it) and every reference at one global w* (the study's).
STRATEGIES: dict[str, Strategy] = {s.name: s for s in (
    Strategy("sgd", "plain SGD", rules.PulseTrains(), "naive"),
    Strategy("sps", "symmetry point shifting (per device)", rules.PulseTrains(), "symmetry_point"),
    Strategy("sps-global", "symmetry point shifting (global w*)", rules.PulseTrains(),
             "global_symmetry_point"),
    Strategy("mp", "mixed precision", rules.MixedPrecision(), "naive"),
    # the transfer algorithms at fixed settings chosen on the validation split from a small grid
    # (Chapter 8): 4 columns read per sample (the 784 columns of the first layer visited every
    # 196 samples), the fast array at lr 0.06 (bit length 31), the transfer at 2 × lr; TTv2's
    # fast devices at their symmetry points (at zero it does not learn on the 20 ns device), the
    # chopped variants' at zero, with AIHWKit's default chopper (0.1)
    Strategy("ttv2", "Tiki-Taka v2",
             rules.TTv2(fast_lr=0.06, n_reads=4, transfer_lr=2.0,
                        fast_reference="symmetry_point"), "naive"),
    Strategy("c-ttv2", "chopped Tiki-Taka v2",
             rules.ChoppedTTv2(fast_lr=0.06, n_reads=4, transfer_lr=2.0, in_chop_prob=0.1),
             "naive"),
    Strategy("agad", "AGAD",
             rules.AGAD(fast_lr=0.06, n_reads=4, transfer_lr=2.0, in_chop_prob=0.1), "naive"),
)}

#: The strategies a sweep trains unless told otherwise: the study's (the transfer algorithms of
#: Chapter 8 join with ``--algorithms``)
DEFAULT_STRATEGIES: tuple[str, ...] = ("sgd", "sps", "sps-global", "mp")


#: Programming schemes of the synthetic campaign, by name (see :mod:`fetrain.device`):
#: the iso-fraction rule of the embedded data set (3% per pulse, capped at 3.8 V), the same rule
#: with the cap moved, and a fixed ladder (3.8 V at 20 ns, 0.2 V less per decade, set = reset).
SCHEMES: dict[str, IsoFraction | AmplitudeLadder] = {
    "iso-3.8": IsoFraction(),
    "iso-3.5": IsoFraction(cap_V=3.5),
    "iso-4.2": IsoFraction(cap_V=4.2),
    "ladder": AmplitudeLadder(volts_at_reference=3.8, volts_per_decade=0.2),
}


DEFAULT_SCHEME = "iso-3.8"


#: The data sets a sweep trains on: the embedded 5,000-digit subset (3,500/500/1,000), and full
#: MNIST fetched from the package registry (50,000/10,000/10,000; :mod:`fetrain.study.fullmnist`).
DATA_SETS: dict[str, str] = {"embedded": "the embedded 5,000-digit MNIST subset",
                             "mnist": "full MNIST (fetched from the package registry)"}


#: Where a sweep's settings come from: Chapter 6's fixed ones for every cell, or Chapter 7's tuned
#: ones for the cells it tuned (the others fixed).
SETTINGS: dict[str, str] = {"fixed": "Chapter 6's fixed settings",
                            "tuned": "Chapter 7's tuned settings where tuned, fixed elsewhere"}


#: Pulse-train strategies take a tuned learning rate and bit length; mixed precision a learning
#: rate, threshold and transfer interval; the transfer algorithms a transfer learning rate, the
#: fast array's learning rate and (chopped) the chopper's probability (the search spaces of
#: :mod:`fetrain.study.tune`).
SETTING_KEYS: dict[str, tuple[str, ...]] = {
    "sgd": ("lr", "desired_bl"), "sps": ("lr", "desired_bl"), "sps-global": ("lr", "desired_bl"),
    "mp": ("lr", "threshold", "transfer_every"),
    "ttv2": ("lr", "fast_lr", "n_reads"), "c-ttv2": ("lr", "fast_lr", "n_reads", "in_chop_prob"),
    "agad": ("lr", "fast_lr", "n_reads", "in_chop_prob")}


#: Weight matrices of the book's 784-256-128-10 network, the synapses whose references symmetry
#: point shifting programs once.
N_SYNAPSES = 784 * 256 + 256 * 128 + 128 * 10


#: Tolerance of reference programming (pulse alternately until a pair moves w by less than this
#: fraction of dw_min) (:func:`fetrain.device.pulsing.reference_programming`).
REFERENCE_TOLERANCE = 0.01


def _cell_settings(tuned) -> tuple:
    """A tuning's chosen settings (``(width_s, strategy, {name: value})``,
    :func:`fetrain.study.tuned.tuned_settings`) as ``cell_settings``: each strategy's
    :data:`SETTING_KEYS`, integers where its rule's parameter is one; symmetry point shifting's
    for both of the sweep's variants."""
    out = []
    for t, strategy, setting in tuned:
        for name in ("sps", "sps-global") if strategy == "sps" else (strategy,):
            rule = STRATEGIES[name].rule
            values = []
            for key in SETTING_KEYS[name]:
                like = getattr(rule, key, 0.0)
                integer = isinstance(like, int) and not isinstance(like, bool)
                values.append((key, int(setting[key]) if integer else float(setting[key])))
            out.append((float(t), name, tuple(values)))
    return tuple(out)


def require_choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {tuple(allowed)}; got {value!r}")


def check_plan(scale: str, widths_s, names: dict, seeds: dict, counts: dict, n_train,
               target: float, allowed_widths_s=PULSE_WIDTHS_S) -> None:
    """The checks every plan of runs shares (a sweep's, a tuning's), each failure a
    ``ValueError`` naming the field and what it may be.

    Parameters
    ----------
    scale : str
        A scale's name.
    widths_s : sequence of float
        Pulse widths (s), each one of the campaign's.
    names : dict of str to (sequence, collection)
        Per field, its names and the names allowed.
    seeds : dict of str to sequence of int
        Per field, its seeds (integers ≥ 0, at least one).
    counts : dict of str to int
        Per field, a count (integer ≥ 1).
    n_train : int or None
        Training digits (None or an integer ≥ 10).
    target : float
        Target accuracy (fraction in (0, 1)).
    allowed_widths_s : sequence of float
        The widths a plan may name (s): the synthetic campaign's, or a measured campaign's.
    """
    Scale(scale)
    if not widths_s:
        raise ValueError("widths_s must name at least one pulse width")
    for t in widths_s:
        if not any(np.isclose(t, allowed_widths_s, rtol=1e-9, atol=0)):
            raise ValueError(f"widths_s: each width must be one of the campaign's "
                             f"{tuple(allowed_widths_s)} s; got {shown(t)}")
    for name, (values, allowed) in names.items():
        if not values:
            raise ValueError(f"{name} must hold at least one of {tuple(allowed)}")
        for v in values:
            require_choice(name, v, allowed)
    for name, values in seeds.items():
        if not values or not all(isinstance(s, (int, np.integer)) and s >= 0 for s in values):
            raise ValueError(f"{name} must be one or more integers ≥ 0; got {values!r}")
    for name, v in counts.items():
        if not (isinstance(v, int) and not isinstance(v, bool) and v >= 1):
            raise ValueError(f"{name} must be an integer ≥ 1; got {v!r}")
    if n_train is not None and not (isinstance(n_train, int) and n_train >= 10):
        raise ValueError(f"n_train must be None or an integer ≥ 10; got {shown(n_train)}")
    if not 0 < target < 1:
        raise ValueError(f"target must lie in (0, 1) (a fraction of the validation digits); "
                         f"got {shown(target)}")


@dataclass(frozen=True)
class SweepPlan:
    """What the sweep trains: every (scheme, width, strategy, seed) to an epoch limit.

    The main scheme (the first of ``schemes``) runs with ``seeds``; the other schemes (for the
    map of where short pulses win) with ``map_seeds``. The learning rate and pulse settings are
    the same for every width and scheme (Chapter 3's, chosen on the validation split); every run
    trains to ``epochs`` — past the target, so that energy can be read at every target — and is
    evaluated ``evaluations_per_epoch`` times per epoch on the test split.

    Attributes
    ----------
    scale : str
        The scale it was made for (``quick``, ``book``, ``paper``).
    widths_s : tuple of float
        Pulse widths (s), each one of the campaign's.
    strategies : tuple of str
        Names from :data:`STRATEGIES`.
    schemes : tuple of str
        Names from :data:`SCHEMES`, the main one first.
    seeds, map_seeds : tuple of int
        Seeds of the main scheme's runs, and of the other schemes'.
    epochs : int
        The epoch limit (counts).
    evaluations_per_epoch : int
        Evaluations per epoch (counts); energy to target is read at the first one that reaches
        the target.
    lr : float
        Learning rate.
    n_train : int or None
        Training digits (counts; None: the data set's whole training split).
    target : float
        Target accuracy, judged on the validation split (fraction, 0 … 1).
    data : str
        The data set, a name of :data:`DATA_SETS`.
    cell_settings : tuple
        Settings per (width, strategy) that replace the fixed ones, as
        ``((width_s, strategy, ((name, value), …)), …)`` with the names of
        :data:`SETTING_KEYS` (Chapter 7's tuned settings,
        :func:`fetrain.study.tuned.tuned_settings`); a run whose cell is not listed trains with
        ``lr`` and the strategy's own rule.
    campaign : str
        A reader's measured campaign (folder or file, :mod:`fetrain.study.measured`) whose fitted
        models replace the synthetic device; its one scheme is ``measured``. Empty: the synthetic
        campaign under :data:`SCHEMES`.

    Raises
    ------
    ValueError
        If a field is out of range or names an unknown width, strategy, scheme, data set or scale.
    """

    scale: str = "book"
    widths_s: tuple[float, ...] = PULSE_WIDTHS_S
    strategies: tuple[str, ...] = DEFAULT_STRATEGIES
    schemes: tuple[str, ...] = tuple(SCHEMES)
    seeds: tuple[int, ...] = (0, 1)
    map_seeds: tuple[int, ...] = (0,)
    epochs: int = 10
    evaluations_per_epoch: int = 2
    lr: float = 0.1
    n_train: int | None = None
    target: float = 0.70
    data: str = "embedded"
    cell_settings: tuple = ()
    campaign: str = ""

    def __post_init__(self) -> None:
        require_choice("data", self.data, DATA_SETS)
        schemes, widths = SCHEMES, PULSE_WIDTHS_S
        if self.campaign:
            from .measured import MEASURED, campaign_widths

            schemes, widths = (MEASURED,), campaign_widths(self.campaign)
        for entry in self.cell_settings:
            if not (isinstance(entry, tuple) and len(entry) == 3 and entry[1] in SETTING_KEYS
                    and isinstance(entry[2], tuple)
                    and {k for k, _ in entry[2]} == set(SETTING_KEYS[entry[1]])):
                raise ValueError("cell_settings: each entry must be (width_s, strategy, "
                                 "((name, value), …)) with the names of SETTING_KEYS; got "
                                 f"{entry!r}")
        check_plan(self.scale, self.widths_s, {"strategies": (self.strategies, STRATEGIES),
                                               "schemes": (self.schemes, schemes)},
                   seeds={"seeds": self.seeds, "map_seeds": self.map_seeds},
                   counts={"epochs": self.epochs,
                           "evaluations_per_epoch": self.evaluations_per_epoch},
                   n_train=self.n_train, target=self.target, allowed_widths_s=widths)
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise ValueError(f"lr must be a number > 0; got {shown(self.lr)}")

    @classmethod
    def for_scale(cls, scale: str | Scale | None = None, settings: str | None = None,
                  **changes) -> "SweepPlan":
        """The plan of a scale (``None``: :func:`fetrain.common.scale.current`), with ``changes``.

        * quick — two widths, one seed, 1 epoch on 300 digits (tests);
        * book — five widths, two seeds, 10 epochs (the book's epochs); one seed for the map;
        * paper — five widths, three seeds, 30 epochs; two seeds for the map.

        With ``campaign=PATH`` (a reader's measured campaign) the plan trains the campaign's
        widths under its one scheme (``measured``) with the fixed settings.

        With ``data="mnist"`` (full MNIST) the plan is the study's own setting: the main scheme
        only, the 95% target, every width at Chapter 7's tuned settings where it was tuned
        (:func:`fetrain.study.tuned.tuned_settings`), and epochs of 50,000 digits: quick — 1 epoch
        on 300 digits; book — one seed, 2 epochs; paper — three seeds, 8 epochs.

        Parameters
        ----------
        scale : str or Scale, optional
            The scale; None: the current one.
        settings : str, optional
            ``fixed`` (Chapter 6's settings everywhere) or ``tuned`` (Chapter 7's where tuned,
            :data:`SETTINGS`); None: the data set's (tuned on full MNIST, fixed on the subset).
        **changes
            Fields to change.

        Returns
        -------
        SweepPlan
            The plan.

        Raises
        ------
        ValueError
            If the scale or the settings are unknown or a change is out of range.
        """
        from .pilot import DEFAULT_EPOCHS, DEFAULT_LR, TARGET_ACCURACY

        s = current(scale) if not isinstance(scale, Scale) else scale
        data = changes.get("data", "embedded")
        require_choice("data", data, DATA_SETS)
        base = dict(scale=s.name, lr=DEFAULT_LR, target=TARGET_ACCURACY[data],
                    widths_s=s.pick(quick=(20e-9, 200e-9), book=PULSE_WIDTHS_S,
                                    paper=PULSE_WIDTHS_S),
                    schemes=s.pick(quick=("iso-3.8", "iso-4.2"), book=tuple(SCHEMES),
                                   paper=tuple(SCHEMES)),
                    seeds=s.pick(quick=(0,), book=(0, 1), paper=(0, 1, 2)),
                    map_seeds=s.pick(quick=(0,), book=(0,), paper=(0, 1)),
                    epochs=s.pick(quick=1, book=DEFAULT_EPOCHS, paper=3 * DEFAULT_EPOCHS),
                    evaluations_per_epoch=s.pick(quick=2, book=2, paper=4),
                    n_train=s.pick(quick=300, book=None, paper=None))
        if data == "mnist":
            base.update(schemes=(DEFAULT_SCHEME,), seeds=s.pick(quick=(0,), book=(0,),
                                                                paper=(0, 1, 2)),
                        epochs=s.pick(quick=1, book=2, paper=8),
                        evaluations_per_epoch=s.pick(quick=2, book=4, paper=4))
        if settings is None:
            settings = "tuned" if data == "mnist" else "fixed"
        require_choice("settings", settings, SETTINGS)
        if settings == "tuned":
            from .tuned import tuned_settings

            widths = changes.get("widths_s", base["widths_s"])
            strategies = changes.get("strategies", DEFAULT_STRATEGIES)
            base["cell_settings"] = tuple(c for c in _cell_settings(tuned_settings(
                                              DEFAULT_SCHEME, widths))
                                          if c[1] in strategies)
        if changes.get("campaign"):
            from .measured import MEASURED, campaign_widths

            base.update(schemes=(MEASURED,), widths_s=campaign_widths(changes["campaign"]),
                        cell_settings=())
        base.update(changes)
        return cls(**base)

    def describe(self) -> dict:
        """Plain data (``plan.json``).

        Returns
        -------
        dict
            The fields (widths in s, target as a fraction), with each scheme's and strategy's
            parameters.
        """
        d = asdict(self)
        d["widths_s"] = [float(t) for t in self.widths_s]
        d["cell_settings"] = {f"{t * 1e9:g}ns {strategy}": dict(values)
                              for t, strategy, values in self.cell_settings}
        if self.campaign:
            from .measured import campaign_record

            d["campaign"] = campaign_record(self.campaign)
            d["schemes"] = {name: {"label": "as measured (the campaign's own amplitudes)"}
                            for name in self.schemes}
        else:
            d["schemes"] = {name: SCHEMES[name].describe() for name in self.schemes}
        d["strategies"] = {name: {"label": STRATEGIES[name].label, "reference":
                                  STRATEGIES[name].reference, **STRATEGIES[name].rule.describe()}
                           for name in self.strategies}
        return d

    def setting(self, width_s: float, strategy: str) -> dict | None:
        """The setting a cell trains with, if ``cell_settings`` lists it (else None: the
        plan's ``lr`` and the strategy's own rule)."""
        for t, name, values in self.cell_settings:
            if name == strategy and np.isclose(t, width_s, rtol=1e-9, atol=0):
                return dict(values)
        return None

    def runs(self) -> list["RunSpec"]:
        """Every run of the plan, main scheme first, in a fixed order.

        Returns
        -------
        list of RunSpec
            The runs.
        """
        out = []
        for k, scheme in enumerate(self.schemes):
            for seed in (self.seeds if k == 0 else self.map_seeds):
                for t in self.widths_s:
                    for strategy in self.strategies:
                        out.append(RunSpec(scheme, float(t), strategy, int(seed)))
        return out


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep.

    Attributes
    ----------
    scheme : str
        Programming scheme, a name of ``SCHEMES``.
    width_s : float
        Pulse width (s).
    strategy : str
        Strategy, a name of ``STRATEGIES``.
    seed : int
        Seed.
    """

    scheme: str
    width_s: float
    strategy: str
    seed: int

    @property
    def key(self) -> str:
        """A file name for the run, e.g. ``iso-3.8_20ns_sps_s0``."""
        ns = self.width_s * 1e9
        return f"{self.scheme}_{ns:g}ns_{self.strategy}_s{self.seed}"


def _rounded_like_file(frame: pd.DataFrame) -> pd.DataFrame:
    """Round the numeric columns as the data files store them (6 significant digits), so that a
    generated campaign and the embedded file give the same model for the same pulses."""
    from ..device.formats import FLOAT_FORMAT

    out = frame.copy()
    for col in ("pulse_width_s", "amplitude_V", "read_voltage_V", "read_current_A"):
        out[col] = np.array([float(FLOAT_FORMAT % v) for v in out[col].to_numpy()])
    return out


@lru_cache(maxsize=None)
def device_models(scheme: str, widths_s: tuple[float, ...] = PULSE_WIDTHS_S) -> dict:
    """The device model of every width under a programming scheme (a name of :data:`SCHEMES`).

    The synthetic campaign of the embedded data set, measured with the scheme's amplitudes: a
    width whose amplitudes the scheme leaves unchanged *is* the embedded data set's width (same
    devices, seed and pulses), so its model is built from the embedded file; the others are
    generated by :class:`fetrain.device.campaign.SyntheticCampaign` with the scheme and fitted the
    same way (Chapter 2). Returns {width (s): DeviceModel}.

    Parameters
    ----------
    scheme : str
        A name of ``SCHEMES``.
    widths_s : tuple of float
        Pulse widths (s), each one of the campaign's.

    Returns
    -------
    dict of float to DeviceModel
        One model per width (keys in s).

    Raises
    ------
    ValueError
        If ``scheme`` is unknown or a width is not one of the campaign's.
    """
    from ..device.build import build_device_model
    from ..device.campaign import default_campaign
    from ..device.loading import load_embedded

    require_choice("scheme", scheme, SCHEMES)
    base = default_campaign()
    campaign = replace(base, nominal=replace(base.nominal, scheme=SCHEMES[scheme]))
    measured = load_embedded()
    models = {}
    for t in widths_s:
        a, b = base.truth(t), campaign.truth(t)
        same = (np.isclose(a.amplitude_set_V, b.amplitude_set_V)
                and np.isclose(a.amplitude_reset_V, b.amplitude_reset_V))
        if same:
            models[float(t)] = build_device_model(measured.pulses, t,
                                                              source=measured.label)
        else:
            pulses = _rounded_like_file(campaign.generate_pulses(widths_s=(t,)))
            models[float(t)] = build_device_model(
                pulses, t, source=f"synthetic campaign, {SCHEMES[scheme].label()}")
    return models


def models_of(plan: SweepPlan, scheme: str) -> dict:
    """The device model of every width of a plan's scheme: a measured campaign's fitted models,
    or the synthetic campaign's under the scheme (:func:`device_models`). {width (s): model}."""
    if plan.campaign:
        from .measured import campaign_models

        return campaign_models(plan.campaign)
    return device_models(scheme, tuple(plan.widths_s))


def train_config(plan: SweepPlan, spec: RunSpec):
    """The :class:`fetrain.train.config.TrainConfig` of one run.

    Parameters
    ----------
    plan : SweepPlan
        The plan.
    spec : RunSpec
        One of its runs.

    Returns
    -------
    TrainConfig
        The configuration.
    """
    from ..train.config import TrainConfig

    strategy = STRATEGIES[spec.strategy]
    model = models_of(plan, spec.scheme)[spec.width_s]
    setting = plan.setting(spec.width_s, spec.strategy)
    lr = plan.lr if setting is None else float(setting["lr"])
    rule = strategy.rule_with(setting)
    return TrainConfig(model=model, lr=lr, epochs=plan.epochs, seed=spec.seed,
                       reference=strategy.reference, algorithm=rule,
                       evaluations_per_epoch=plan.evaluations_per_epoch)


def width_figures(models: dict) -> pd.DataFrame:
    """What each width's device model costs and does, one row per width: set and reset
    amplitude (V); energy of a set pulse at mid-range, study and complete form (J); dw_min; up
    over down step at w = 0; the symmetry point w*; and the energy per unit weight change at w*
    (a set and a reset pulse there, complete and study form, J per unit of w) and its ratio to
    the shortest width's.

    Parameters
    ----------
    models : dict of float to DeviceModel
        Models by width (s), with energy available.

    Returns
    -------
    pandas.DataFrame
        ``pulse_width_s`` (s), ``amplitude_set_V`` and ``amplitude_reset_V`` (V),
        ``energy_per_pulse_study_J`` and ``energy_per_pulse_complete_J`` (J), ``dw_min`` and
        ``symmetry_point`` (w units), ``up_over_down_at_0`` (dimensionless),
        ``energy_per_dw_study_J`` and ``energy_per_dw_complete_J`` (J per w unit), and their
        ``_relative`` ratios (dimensionless).

    Raises
    ------
    EnergyUnavailable
        If a model's data cannot give joules.
    """
    rows = []
    for t, m in sorted(models.items()):
        ws = m.symmetry_point
        e_set, e_reset = m.pulse_energy(ws, "set"), m.pulse_energy(ws, "reset")
        dw = float(m.step_up_at(ws) + m.step_down_at(ws))
        mid = m.pulse_energy(0.0, "set")
        f = m.figures()
        rows.append({"pulse_width_s": t, "amplitude_set_V": m.amplitude_set_V,
                     "amplitude_reset_V": m.amplitude_reset_V,
                     "energy_per_pulse_study_J": float(mid.study_J),
                     "energy_per_pulse_complete_J": float(mid.complete_J),
                     "dw_min": m.dw_min, "up_over_down_at_0": f["asymmetry_up_over_down_at_0"],
                     "symmetry_point": ws,
                     "energy_per_dw_study_J": float(e_set.study_J + e_reset.study_J) / dw,
                     "energy_per_dw_complete_J": float(e_set.complete_J + e_reset.complete_J) / dw})
    out = pd.DataFrame(rows)
    for form in ("study", "complete"):
        out[f"energy_per_dw_{form}_relative"] = (out[f"energy_per_dw_{form}_J"]
                                                 / out[f"energy_per_dw_{form}_J"].iloc[0])
    return out
