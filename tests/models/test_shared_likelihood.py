"""One likelihood per model, two backends: numpy (MLE) and PyTensor (PyMC) agree.

Each model's log-likelihood is written once over an array namespace. Here the numpy and
PyTensor evaluations of that one function are compared on CDNOW and at the corners of the
box the BG/NBD predictions are promised on (each parameter in 1e-4..1e4, x up to 1000,
T up to 5000), and the MLE's hand-written gradients are pinned to PyTensor's automatic
derivative of the same function.
"""

import itertools

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from scipy import special

import clvmodels as clv
from clvmodels.models import beta_geo, gamma_gamma, shifted_beta_geo
from clvmodels.models.namespace import NUMPY, pytensor_namespace

PT = pytensor_namespace()
BOX = (1e-4, 1.0, 1e4)


def _compiled(loglik, names):
    """PyTensor function (params..., w) -> (per-row ll, d/dparams of sum(w * ll)).

    With random weights ``w`` the weighted gradient pins every row's gradient (a wrong row
    would have to be cancelled exactly by the others); a full Jacobian would compile a scan
    over the rows, which takes far longer.
    """
    symbols = [pt.dscalar(name) for name in names]
    weights = pt.dvector("w")
    rows = loglik(dict(zip(names, symbols, strict=True)))
    gradient = pt.grad((weights * rows).sum(), symbols)
    return pytensor.function([*symbols, weights], [rows, pt.stack(gradient)])


def _weights(n):
    return np.random.default_rng(7).normal(size=n)


@pytest.fixture(scope="module")
def bgnbd_rows(cdnow_summary):
    x, t_x, T = (cdnow_summary[c].to_numpy(np.float64) for c in ["frequency", "recency", "T"])
    # add histories from the edges of the box: many purchases, long and short lives
    x = np.concatenate([x, [0.0, 1.0, 1000.0, 1000.0, 0.0]])
    t_x = np.concatenate([t_x, [0.0, 1e-3, 5000.0, 1.0, 0.0]])
    T = np.concatenate([T, [5000.0, 5000.0, 5000.0, 5000.0, 1e-3]])
    return x, t_x, T


@pytest.fixture(scope="module")
def bgnbd_pytensor(bgnbd_rows):
    x, t_x, T = bgnbd_rows
    return _compiled(lambda p: beta_geo.log_likelihood(p, x, t_x, T, xp=PT), beta_geo.PARAM_NAMES)


BGNBD_POINTS = [dict(r=0.243, alpha=4.414, a=0.793, b=2.426)] + [
    dict(zip(beta_geo.PARAM_NAMES, corner, strict=True))
    for corner in itertools.product(BOX, repeat=4)
]


def test_bgnbd_numpy_and_pytensor_agree_on_cdnow_and_the_box(bgnbd_rows, bgnbd_pytensor):
    x, t_x, T = bgnbd_rows
    for point in BGNBD_POINTS:
        ours = beta_geo.log_likelihood(point, x, t_x, T, xp=NUMPY)
        theirs, _ = bgnbd_pytensor(*point.values(), _weights(len(x)))
        assert np.all(np.isfinite(ours)), point
        np.testing.assert_allclose(theirs, ours, rtol=1e-10, atol=1e-10, err_msg=str(point))


def test_bgnbd_sum_is_the_published_log_likelihood(cdnow_summary, bgnbd_pytensor):
    # Fader, Hardie & Lee (2005): LL = -9582.4 at the estimate, on the 2,357 customers
    x, t_x, T = (cdnow_summary[c].to_numpy(np.float64) for c in ["frequency", "recency", "T"])
    point = dict(r=0.2426, alpha=4.4137, a=0.7930, b=2.4259)
    assert beta_geo.log_likelihood(point, x, t_x, T).sum() == pytest.approx(-9582.4, abs=0.05)
    rows, _ = bgnbd_pytensor(*point.values(), _weights(len(x) + 5))
    assert rows[: len(x)].sum() == pytest.approx(-9582.4, abs=0.05)


def _check_gradient(per_row, weights, automatic, point):
    """sum(w * gradient) by hand equals PyTensor's, up to rounding of the summed terms."""
    scale = np.abs(per_row) @ np.abs(weights)
    error = np.abs(automatic - per_row @ weights)
    assert np.all(error <= 1e-9 * scale + 1e-12), (point, error, scale)


def test_bgnbd_hand_written_gradient_is_the_derivative_of_the_shared_function(
    bgnbd_rows, bgnbd_pytensor
):
    x, t_x, T = bgnbd_rows
    x_unique, x_index = np.unique(x, return_inverse=True)
    columns = {"x_unique": x_unique, "x_index": x_index, "recency": t_x, "T": T}
    w = _weights(len(x))
    for point in BGNBD_POINTS:
        ll, grad = beta_geo._loglik_grad(np.array(list(point.values())), columns)
        np.testing.assert_allclose(ll, beta_geo.log_likelihood(point, x, t_x, T), rtol=1e-12)
        _, automatic = bgnbd_pytensor(*point.values(), w)
        _check_gradient(grad, w, automatic, point)


def test_gamma_gamma_numpy_and_pytensor_agree_with_gradient(cdnow_summary):
    repeat = cdnow_summary[cdnow_summary["frequency"] > 0]
    x = np.concatenate([repeat["frequency"].to_numpy(np.float64), [1.0, 1000.0]])
    m = np.concatenate([repeat["monetary_value"].to_numpy(np.float64), [1e-3, 1e5]])
    x_unique, x_index = np.unique(x, return_inverse=True)
    evaluate = _compiled(
        lambda p: gamma_gamma.grouped_log_likelihood(p, x_unique, x_index, m, xp=PT),
        gamma_gamma.PARAM_NAMES,
    )
    w = _weights(len(x))
    columns = {
        "x_unique": x_unique,
        "x_index": x_index.astype(np.float64),
        "frequency": x,
        "monetary_value": m,
        "log_m": np.log(m),
        "log_x": np.log(x),
    }
    # Fader & Hardie (note 025): p = 6.25, q = 3.74, gamma = 15.44 on CDNOW; then the box
    points = [dict(p=6.25, q=3.74, v=15.44)] + [
        dict(zip(gamma_gamma.PARAM_NAMES, c, strict=True)) for c in itertools.product(BOX, repeat=3)
    ]
    for point in points:
        ours = gamma_gamma.log_likelihood(point, x, m)
        theirs, automatic = evaluate(*point.values(), w)
        assert np.all(np.isfinite(ours)), point
        # PyTensor's betaln(px, q) is a difference of gammaln terms, exact to a few ulp of
        # gammaln(px + q) (1e-8 absolute at px = 1e7, the corner p = 1e4, x = 1000);
        # scipy's is exact. Within that, the two agree to 1e-10.
        ulp = 8 * np.finfo(float).eps * np.abs(special.gammaln(point["p"] * x + point["q"]))
        assert np.all(np.abs(theirs - ours) <= 1e-10 * np.maximum(1, np.abs(ours)) + ulp), point
        ll, grad = gamma_gamma._loglik_grad(np.array(list(point.values())), columns)
        np.testing.assert_allclose(ll, ours, rtol=1e-12, atol=1e-12)
        _check_gradient(grad, w, automatic, point)


def test_sbg_numpy_and_pytensor_agree_with_gradient():
    cohorts = clv.datasets.load_retention_cohorts()
    t, survived, _ = shifted_beta_geo.likelihood_cells(shifted_beta_geo.cohort_counts(cohorts))
    t = np.concatenate([t, [1.0, 1000.0, 1000.0]])
    survived = np.concatenate([survived, [1.0, 0.0, 1.0]])
    evaluate = _compiled(
        lambda p: shifted_beta_geo.cell_log_likelihood(p, t, survived, xp=PT),
        shifted_beta_geo.PARAM_NAMES,
    )
    w = _weights(len(t))
    # Fader & Hardie (2007): alpha 0.704, beta 1.182 (regular cohort); then the box
    points = [dict(alpha=0.704, beta=1.182)] + [
        dict(zip(shifted_beta_geo.PARAM_NAMES, c, strict=True))
        for c in itertools.product(BOX, repeat=2)
    ]
    for point in points:
        ours = shifted_beta_geo.cell_log_likelihood(point, t, survived)
        theirs, automatic = evaluate(*point.values(), w)
        assert np.all(np.isfinite(ours)), point
        np.testing.assert_allclose(theirs, ours, rtol=1e-10, atol=1e-10, err_msg=str(point))
        ll, grad = shifted_beta_geo._loglik_grad(
            np.array(list(point.values())), {"t": t, "survived": survived}
        )
        np.testing.assert_allclose(ll, ours, rtol=1e-12, atol=1e-12)
        _check_gradient(grad, w, automatic, point)


def test_the_compiled_digamma_is_scipys_from_1e_minus_8_to_1e8():
    """The compiled likelihoods' per-x tables (BG/NBD, Gamma-Gamma) use this digamma."""
    from clvmodels.models import _numba_special

    x = np.exp(np.random.default_rng(3).uniform(np.log(1e-8), np.log(1e8), 20_000))
    x = np.concatenate([x, [1.0, 1.4616321449683622, 9.999999, 10.0, 10.000001]])
    ours = np.array([_numba_special.digamma(v) for v in x])
    np.testing.assert_allclose(ours, special.digamma(x), rtol=1e-13, atol=1e-13)
