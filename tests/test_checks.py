"""One policy for numeric arguments: TypeError for a wrong type, ValueError for a wrong value."""

import math

import numpy as np
import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.checks import finite_scalar, per_customer_values, whole_number
from clvmodels.exceptions import DataValidationError
from clvmodels.value.contractual import expected_residual_value
from clvmodels.value.deterministic import (
    cohort_value_table,
    discounted_cash_flow_clv,
    markov_brand_clv,
)
from clvmodels.value.probabilistic import discount_schedule


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (-1.5, {"greater_than": -1}, "rate must be greater than -1; got -1.5"),
        (0, {"greater_than": 0}, "rate must be positive; got 0"),
        (-0.25, {"at_least": 0}, "rate must be non-negative; got -0.25"),
        (2, {"at_least": 3}, "rate must be at least 3; got 2"),
        (1.5, {"at_least": 0, "at_most": 1}, r"rate must lie in \[0, 1\]; got 1.5"),
        (0, {"greater_than": 0, "at_most": 1}, r"rate must lie in \(0, 1\]; got 0"),
        (7, {"at_most": 5}, "rate must be at most 5; got 7"),
        (math.nan, {}, r"rate must be finite \(no NaN or infinity\); got nan"),
        (-math.inf, {"greater_than": -1}, "rate must be finite .*; got -inf"),
    ],
)
def test_finite_scalar_wrong_values_are_value_errors(value, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        finite_scalar(value, "rate", **kwargs)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0.1", r"rate must be a real number; got '0.1' \(str\)"),
        (None, r"rate must be a real number; got None \(NoneType\)"),
        (True, r"rate must be a real number; got True \(bool\)"),
        (np.True_, r"rate must be a real number; got np.True_ \(bool\)"),
        ([0.1, 0.2], r"rate must be a single number; got an array of shape \(2,\)"),
        (np.array([0.1]), r"rate must be a single number; got an array of shape \(1,\)"),
        (pd.Series([0.1]), r"rate must be a single number; got an array of shape \(1,\)"),
    ],
)
def test_finite_scalar_wrong_types_are_type_errors(value, message):
    with pytest.raises(TypeError, match=f"^{message}$"):
        finite_scalar(value, "rate")


def test_finite_scalar_accepts_any_real_number():
    assert finite_scalar(np.float32(0.5), "rate") == 0.5
    assert finite_scalar(np.int64(3), "rate") == 3.0
    assert finite_scalar(np.array(0.25), "rate", at_least=0, at_most=1) == 0.25
    assert type(finite_scalar(np.float64(0.5), "rate")) is float


def test_whole_number():
    assert whole_number(3, "n") == 3
    assert whole_number(np.int64(3), "n") == 3
    assert whole_number(3.0, "n") == 3
    with pytest.raises(ValueError, match=r"^n must be a non-negative whole number; got 1.5$"):
        whole_number(1.5, "n")
    with pytest.raises(ValueError, match=r"^n must be a non-negative whole number; got -2$"):
        whole_number(-2, "n")
    with pytest.raises(ValueError, match=r"^n must be a whole number >= 1; got 0$"):
        whole_number(0, "n", at_least=1)
    with pytest.raises(ValueError, match="got inf"):
        whole_number(math.inf, "n")
    with pytest.raises(TypeError, match="n must be a real number; got '3'"):
        whole_number("3", "n")
    with pytest.raises(TypeError, match="n must be a real number; got False"):
        whole_number(False, "n")


def test_per_customer_values():
    index = pd.Index(["a", "b"])
    np.testing.assert_array_equal(per_customer_values([1, 2], index, "m"), [1.0, 2.0])
    with pytest.raises(ValueError, match="index differs"):
        per_customer_values(pd.Series([1.0, 2.0], index=["b", "a"]), index, "m")
    with pytest.raises(ValueError, match=r"one value per customer \(2\), got shape \(3,\)"):
        per_customer_values([1, 2, 3], index, "m")
    with pytest.raises(ValueError, match=r"m gave 1 non-finite value\(s\); e.g. customer 'b'"):
        per_customer_values([1.0, np.inf], index, "m")


# -- the same mistake raises the same error in every module --------------------------------
SBG = {"alpha": 0.7, "beta": 3.5}
TENURE = pd.Series({0: 10, 1: 5})

CALL_SITES = {
    "discount_schedule discount_rate": lambda v: discount_schedule(
        3, v, "W", horizon_unit="W", discount_period="W"
    ),
    "discount_schedule horizon": lambda v: discount_schedule(
        v, 0.1, "W", horizon_unit="W", discount_period="W"
    ),
    "expected_residual_value margin": lambda v: expected_residual_value(SBG, TENURE, v, 0.1),
    "expected_residual_value discount_rate": lambda v: expected_residual_value(SBG, TENURE, 1.0, v),
    "compare_contractual margin": lambda v: clv.compare_contractual(
        clv.datasets.load_retention_cohorts(), 0.1, margin=v
    ),
    "cohort_value_table discount_rate": lambda v: cohort_value_table(10, 0.5, 10.0, v, 3),
    "cohort_value_table n_customers": lambda v: cohort_value_table(v, 0.5, 10.0, 0.1, 3),
    "markov_brand_clv discount_rate": lambda v: markov_brand_clv(
        [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], 1.0, v, 2
    ),
    "discounted_cash_flow_clv first_period": lambda v: discounted_cash_flow_clv(
        [1.0], 0.1, first_period=v
    ),
}


@pytest.mark.parametrize("site", CALL_SITES)
@pytest.mark.parametrize(
    ("value", "error"),
    [("0.1", TypeError), (None, TypeError), (True, TypeError), (math.nan, ValueError)],
    ids=["text", "None", "bool", "nan"],
)
def test_every_module_follows_the_policy(site, value, error):
    with pytest.raises(error) as raised:
        CALL_SITES[site](value)
    assert type(raised.value) in (TypeError, ValueError)  # not DataValidationError
    assert not isinstance(raised.value, DataValidationError)
    assert site.split()[-1] in str(raised.value)
