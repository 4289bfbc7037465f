"""The parameters of each chapter: one frozen dataclass per chapter, whose defaults are the book's.

A chapter's parameter cell builds its class (``PlainSGDParameters()`` for the book's setting,
``PlainSGDParameters(width_s=200e-9)`` to change one); every run, table, label, number and claim
of the page follows from it (see :mod:`fetrain.book.kit`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..device.aging import StepDrift
from ..device.campaign import Variability
from ..device.hzo import DEFAULT_DEVICE, HZODevice
from ..device.stack import DEFAULT_PULSE_WIDTH_S
from ..device.twobasin import TwoBasinTrace
from ..device.wear import WEAR_MODELS
from ..study.pilot import DEFAULT_LR
from ..study.plan import STRATEGIES
from ..train.hardware import DigitalCosts
from ..train.rules import AGAD, ChoppedTTv2, MixedPrecision, TTv2
from .kit import Parameters, parameter


@dataclass(frozen=True)
class DevicePhysicsParameters(Parameters):
    """Chapter 1: the synthetic HZO device and the voltage window of its Schottky fit.

    Attributes
    ----------
    device : HZODevice
        The device: its stack (area, thickness, voltage cap ``max_voltage_V``), conduction,
        switching kinetics and programming scheme.
    fit_min_V : float
        The Schottky fit uses the I–V points with \\|V\\| ≥ this (V).
    """

    device: HZODevice = parameter(DEFAULT_DEVICE, "the synthetic HZO device (stack, conduction, "
                                  "kinetics, programming scheme)")
    fit_min_V: float = parameter(0.5, "the Schottky fit uses the I–V points with |V| at least "
                                 "this", "V")


@dataclass(frozen=True)
class DeviceModelParameters(Parameters):
    """Chapter 2: the pulse width examined in detail and the campaign's noise.

    Attributes
    ----------
    width_s : float
        The pulse width examined in detail (s), one of the campaign's five.
    variability : Variability
        The campaign's noise and device-to-device spreads (the embedded data set's by default).
    """

    width_s: float = parameter(DEFAULT_PULSE_WIDTH_S, "the pulse width examined in detail", "s")
    variability: Variability = parameter(Variability(), "the campaign's noise and spreads")


@dataclass(frozen=True)
class BringYourOwnDeviceParameters(Parameters):
    """Appendix B: the two example devices fitted as a reader's own.

    Attributes
    ----------
    imprint_field_V_m : float
        The imprint field of the example device of B.3 (V/m), written to a folder as a reader's
        measurement (the book's device has 1.06e7 V/m).
    trace : TwoBasinTrace
        The normalized device of B.4, with two stable symmetry points: its roots, steps, noise
        and seed.
    """

    imprint_field_V_m: float = parameter(1.3e7, "the imprint field of B.3's example device",
                                         "V/m")
    trace: TwoBasinTrace = parameter(TwoBasinTrace(), "the normalized two-basin device of B.4")


@dataclass(frozen=True)
class TrainingParameters(Parameters):
    """What every training chapter trains with: the device (by its pulse width) and the learning
    rate. Chapters 4 and 5 add their own parameters to these.

    Attributes
    ----------
    width_s : float
        The device's pulse width (s), one of the campaign's five.
    lr : float
        The learning rate (w units per unit of d⊗x).
    """

    width_s: float = parameter(DEFAULT_PULSE_WIDTH_S, "the device's programming pulse width", "s")
    lr: float = parameter(DEFAULT_LR, "the learning rate (Chapter 3's, fixed on validation)")


@dataclass(frozen=True)
class PlainSGDParameters(TrainingParameters):
    """Chapter 3: the device trained on (by its pulse width) and the learning rate.

    Attributes
    ----------
    width_s : float
        The device's pulse width (s), one of the campaign's five.
    lr : float
        The learning rate (w units per unit of d⊗x).
    """


@dataclass(frozen=True)
class ShiftingParameters(TrainingParameters):
    """Chapter 4: the device, the learning rate, device-to-device variation, and the reference
    offsets of the robustness sweep.

    Attributes
    ----------
    width_s : float
        The device's pulse width (s).
    lr : float
        The learning rate.
    device_variation : bool
        Draw device-to-device variation (False: every device alike).
    offsets : tuple of float or None
        Reference offsets δ of Section 4.5's sweep (w units; must include 0); None: the scale's.
    sweep_seeds : tuple of int
        Seeds of each setting of that sweep.
    """

    device_variation: bool = parameter(True, "draw device-to-device variation")
    offsets: tuple | None = parameter(None, "reference offsets δ of the robustness sweep, w "
                                      "(must include 0)", none="the scale's")
    sweep_seeds: tuple = parameter((0,), "seeds of each setting of the robustness sweep")

    def __post_init__(self) -> None:
        if self.offsets is not None and 0.0 not in [float(d) for d in self.offsets]:
            raise ValueError(f"offsets must include 0.0, the well-set reference the sweep is read "
                             f"against; got {self.offsets}")


@dataclass(frozen=True)
class MixedPrecisionParameters(TrainingParameters):
    """Chapter 5: the device, the learning rate, the mixed-precision rule and the digital costs.

    Attributes
    ----------
    width_s : float
        The device's pulse width (s).
    lr : float
        The learning rate.
    mixed_precision : MixedPrecision
        The rule: threshold ε (units of dw_min), transfer interval, pulse cap.
    costs : DigitalCosts
        J per digital operation (Horowitz, 45 nm; FP32 χ by default).
    """

    mixed_precision: MixedPrecision = parameter(MixedPrecision(), "the rule: threshold ε, "
                                                "transfer interval, pulse cap")
    costs: DigitalCosts = parameter(DigitalCosts(), "J per digital operation (Horowitz, 45 nm)")


@dataclass(frozen=True)
class TradeoffParameters(Parameters):
    """Chapter 6: the hardware model of mixed precision's digital work in the total energy (the
    sweep's runs follow the scale: :meth:`fetrain.study.plan.SweepPlan.for_scale`).

    Attributes
    ----------
    digital : str
        The digital hardware model of the totals, the map and the Pareto front: a name of
        :data:`fetrain.train.hardware.DIGITAL_MODELS` (``fp32-dense``, the costliest reasonable
        model, by default; ``int16-sparse-fused``, the cheapest).
    """

    digital: str = parameter("fp32-dense", "the hardware model of mixed precision's digital "
                             "work in the totals (a name of DIGITAL_MODELS)")

    def __post_init__(self) -> None:
        from ..train.hardware import DIGITAL_MODELS

        if self.digital not in DIGITAL_MODELS:
            raise ValueError(f"digital must be one of {tuple(DIGITAL_MODELS)}; "
                             f"got {self.digital!r}")


@dataclass(frozen=True)
class HowSureParameters(Parameters):
    """Chapter 7: the two widths whose energy ratio is followed through every reading, and the
    hardware model of mixed precision's digital work in the totals.

    Attributes
    ----------
    numerator_s, denominator_s : float
        The widths compared (s): the ratio is E(numerator) / E(denominator).
    digital : str
        The digital hardware model of the totals, a name of
        :data:`fetrain.train.hardware.DIGITAL_MODELS`.
    """

    numerator_s: float = parameter(20e-9, "the short width of the ratio followed", "s")
    denominator_s: float = parameter(200e-9, "the width it is compared with", "s")
    digital: str = parameter("fp32-dense", "the hardware model of mixed precision's digital "
                             "work in the totals (a name of DIGITAL_MODELS)")

    def __post_init__(self) -> None:
        from ..device.stack import PULSE_WIDTHS_S
        from ..train.hardware import DIGITAL_MODELS

        for name in ("numerator_s", "denominator_s"):
            value = getattr(self, name)
            if not any(abs(value - t) <= 1e-9 * t for t in PULSE_WIDTHS_S):
                raise ValueError(f"{name} must be one of the campaign's widths {PULSE_WIDTHS_S} s; "
                                 f"got {value!r}")
        if self.digital not in DIGITAL_MODELS:
            raise ValueError(f"digital must be one of {tuple(DIGITAL_MODELS)}; "
                             f"got {self.digital!r}")


@dataclass(frozen=True)
class TransferParameters(TrainingParameters):
    """Chapter 8: the device, the learning rate and the three transfer algorithms (their fixed
    settings are the sweep's, :data:`fetrain.study.plan.STRATEGIES`).

    Attributes
    ----------
    width_s : float
        The device's pulse width (s).
    lr : float
        The learning rate (the digital biases'; the transfer's is ``transfer_lr`` × lr).
    ttv2 : TTv2
        Tiki-Taka v2.
    chopped : ChoppedTTv2
        Chopped Tiki-Taka v2.
    agad : AGAD
        AGAD.
    trace_epochs : int
        Epochs of the runs whose arrays Section 8.2 traces (counts).
    """

    ttv2: TTv2 = parameter(STRATEGIES["ttv2"].rule, "Tiki-Taka v2 (the sweep's setting)")
    chopped: ChoppedTTv2 = parameter(STRATEGIES["c-ttv2"].rule,
                                     "chopped Tiki-Taka v2 (the sweep's setting)")
    agad: AGAD = parameter(STRATEGIES["agad"].rule, "AGAD (the sweep's setting)")
    trace_epochs: int = parameter(2, "epochs of the runs whose arrays are traced")

    def rules(self) -> dict:
        """The three rules by their labels."""
        return {r.label: r for r in (self.ttv2, self.chopped, self.agad)}


@dataclass(frozen=True)
class WearParameters(TrainingParameters):
    """Chapter 9: the device of the pulse distribution and the recalibration study, the learning
    rate, the wear laws, and the aging assumption.

    Attributes
    ----------
    width_s : float
        The device's pulse width (s) of Sections 9.2 and 9.5.
    lr : float
        The learning rate.
    laws : tuple of str
        Wear laws, names of :data:`fetrain.device.wear.WEAR_MODELS`.
    drift : StepDrift
        The assumed drift of the up/down step ratio with cycles.
    ages : tuple of float
        Chip ages of the recalibration study (trainings; ascending, the first 0).
    aging_epochs : int
        Epochs of each run of the recalibration study (counts; at most the scale's).
    tolerance : float
        Validation accuracy a stale reference may cost before recalibrating (fraction).
    """

    laws: tuple = parameter(tuple(WEAR_MODELS), "wear laws (names of WEAR_MODELS)")
    drift: StepDrift = parameter(StepDrift(rate_per_decade=-0.05, onset_cycles=1e3),
                                 "assumed drift of the up/down step ratio")
    ages: tuple = parameter((0.0, 1e3, 1e4, 1e5), "chip ages of the recalibration study",
                            "trainings")
    aging_epochs: int = parameter(5, "epochs of each run of the recalibration study")
    tolerance: float = parameter(0.02, "accuracy a stale reference may cost",
                                 "fraction")

    def __post_init__(self) -> None:
        for name in self.laws:
            if name not in WEAR_MODELS:
                raise ValueError(f"laws must be names of {tuple(WEAR_MODELS)}; got {name!r}")

    def wear_laws(self) -> dict:
        """The chosen wear laws by name."""
        return {name: WEAR_MODELS[name] for name in self.laws}
