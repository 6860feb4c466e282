"""Posterior and trace plots through arviz 1.x, on draws made here (no sampling)."""

import numpy as np
import pytest

from clvmodels import plotting


@pytest.fixture(scope="module")
def draws():
    rng = np.random.default_rng(20051105)
    return {
        "r": rng.normal(0.2426, 0.0125, (2, 200)),
        "alpha": rng.normal(4.4136, 0.3785, (2, 200)),
    }


def test_posterior_densities_are_drawn_where_the_draws_are(draws):
    pytest.importorskip("arviz_plots")
    axes = plotting.plot_posterior(draws)
    assert set(axes) == {"r", "alpha"}
    for name, ax in axes.items():
        (density, *_) = ax.get_lines()
        x, y = density.get_xdata(), density.get_ydata()
        mode = x[np.argmax(y)]
        assert abs(mode - draws[name].mean()) < 0.5 * draws[name].std()
        assert x.min() >= draws[name].min() - 1e-9 and x.max() <= draws[name].max() + 1e-9
    axes["r"].figure.clf()


def test_trace_plot_has_one_line_per_chain(draws):
    pytest.importorskip("arviz_plots")
    collection = plotting.plot_trace(draws, var_names=["r"])
    figure = collection.viz["figure"].item()
    traces = [
        np.asarray(line.get_ydata())
        for ax in figure.axes
        for line in ax.get_lines()
        if len(line.get_ydata()) == 200
    ]
    assert len(traces) == 2
    for chain, trace in zip(draws["r"], traces, strict=True):
        np.testing.assert_allclose(trace, chain)  # chain order, draw order
    figure.clf()
