"""The Schottky fit: recovery, honest uncertainties over many seeds, bad input."""

import numpy as np
import pytest
from scipy import stats

from fetrain.device import fitting
from fetrain.device.campaign import default_campaign
from fetrain.device.loading import load_embedded
from fetrain.study.coverage import schottky_z_scores


def test_fit_recovers_the_generating_values():
    campaign = default_campaign()
    dev = campaign.iv_device()
    fit = fitting.fit_schottky(load_embedded().iv, dev.stack, states=("P000", "P100"))
    z = fit.z_scores(np.log(dev.conduction.prefactor), dev.stack.eps_optical,
                     [dev.conduction.barrier_off_eV, dev.conduction.barrier_on_eV])
    assert np.all(np.abs(z) < 3)
    assert fit.residual_std == pytest.approx(campaign.variability.iv_noise_rel, rel=0.1)


def test_intervals_cover_the_truth_at_the_nominal_rate():
    n = 300
    z = schottky_z_scores(range(n)).drop(columns="seed")
    for col in z.columns:
        for level, nominal in ((1.0, 0.6827), (1.96, 0.95)):
            rate = float((z[col].abs() < level).mean())
            # binomial tolerance: 4 standard deviations of a rate over n seeds
            tol = 4 * np.sqrt(nominal * (1 - nominal) / n)
            assert abs(rate - nominal) < tol, (col, level, rate)
        # and the z-scores look standard normal
        assert stats.kstest(z[col], "norm").pvalue > 1e-3, col


def test_fit_rejects_bad_input():
    iv = load_embedded().iv
    stack = default_campaign().iv_device().stack
    with pytest.raises(ValueError, match="missing column 'current_A'"):
        fitting.fit_schottky(iv.drop(columns="current_A"), stack)
    with pytest.raises(ValueError, match="two or more temperatures"):
        fitting.fit_schottky(iv[iv.temperature_K == 300.0], stack, states=("P000",))
    with pytest.raises(ValueError, match="not in the I–V table"):
        fitting.fit_schottky(iv, stack, states=("P999",))
    with pytest.raises(ValueError, match="min_voltage_V"):
        fitting.fit_schottky(iv, stack, min_voltage_V=-1.0)
