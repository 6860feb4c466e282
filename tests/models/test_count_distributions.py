"""Purchase-count distributions of every purchase model (issue 25).

P(X(t) = k) of a new customer and P(Y(t) = k | x, t_x, T) of a customer with a history,
with the tails P(. >= k), for the BG/NBD, MBG/NBD, Pareto/NBD and BG/BB: against 30-digit
mpmath references that mix the models' stories numerically (``count_references``), as
distributions (non-negative, the pmf below K plus the tail at K is 1, the mean is the
model's expectation), and at the two Pareto/NBD points of the issue that used to raise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest

from clvmodels.models import beta_geo, modified_beta_geo, pareto_nbd
from clvmodels.models.beta_geo import counts as bg_counts
from clvmodels.models.beta_geo_beta_binom import counts as bb_counts
from clvmodels.models.beta_geo_beta_binom import math as bb_math
from clvmodels.models.modified_beta_geo import counts as mbg_counts
from clvmodels.models.pareto_nbd import counts as pnbd_counts

sys.path.insert(0, str(Path(__file__).parent))
import count_references as ref  # noqa: E402

BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # CDNOW, FHL 2005
PNBD = {"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6562}
BB = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}  # donations, FHS 2010


def close(got: float, want, rel: float = 1e-8, absolute: float = 1e-13) -> bool:
    return abs(got - float(want)) <= rel * abs(float(want)) + absolute


# -- the issue's two points -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "t", "n", "issue_value"),
    [
        ({"r": 0.154, "alpha": 0.00255, "s": 1.24, "beta": 0.00885}, 126.8, 2, 0.0325),
        ({"r": 5.74, "alpha": 42.7, "s": 479.0, "beta": 0.00177}, 151.0, 0, 0.9999995),
    ],
)
def test_pareto_points_that_used_to_raise_are_computed(params, t, n, issue_value):
    got = float(pareto_nbd.probability_of_purchases(params, t, n))
    want = ref.pareto_pmf(*params.values(), t, n)
    assert close(got, want, rel=1e-9)
    # the issue's values, to the digits it gives
    assert got == pytest.approx(issue_value, abs=5e-5 if n else 5e-7)
