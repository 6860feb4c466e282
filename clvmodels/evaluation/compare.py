r"""Compare fitted models on the same customers: log-likelihood, AIC, BIC, likelihood ratios.

.. math::

    \mathrm{AIC} = 2k - 2\,\mathrm{LL}, \qquad \mathrm{BIC} = k \ln N - 2\,\mathrm{LL},
    \qquad \mathrm{LR} = 2(\mathrm{LL}_{\text{general}} - \mathrm{LL}_{\text{restricted}})
    \sim \chi^2_{k_g - k_r}

with k the number of parameters and N the number of customers. The likelihood-ratio test
is only meaningful for nested models (the restricted model is the general one with some
parameters fixed), which the caller declares: among the built-in models, the nestings are
limits (the NBD is the BG/NBD as b -> inf, the Pareto/NBD as beta -> inf), where the
restriction lies on the boundary of the parameter space and the chi-square p-value is
conservative (Self & Liang 1987: the null distribution is a 50:50 mixture of chi-square
with k_g - k_r and k_g - k_r - 1 degrees of freedom for one such parameter).

A model with static covariates nests the same model without them (all coefficients 0, an
interior point: the chi-square test is exact asymptotically), e.g.
``compare_models(summary, {"plain": clv.ParetoNBDModel(), "covariates":
clv.ParetoNBDModel(purchase_covariates=["gender"])}, nested=[("plain", "covariates")])``;
:func:`covariate_likelihood_ratio` runs that test for one fitted model.

References
----------
Self, S. G. & Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood estimators
and likelihood ratio tests under nonstandard conditions. *Journal of the American
Statistical Association*, 82(398), 605-610.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["ModelComparison", "compare_models", "covariate_likelihood_ratio"]


@dataclass(frozen=True)
class ModelComparison:
    """The result of :func:`compare_models`.

    Attributes
    ----------
    models
        One row per model (in the order given): ``model`` (class name), ``n_params`` (k),
        ``log_likelihood``, ``aic``, ``bic``, ``delta_aic`` and ``delta_bic`` (from the
        best model), ``aic_weight`` (Akaike weight, exp(-delta_aic / 2) normalised).
    likelihood_ratio_tests
        One row per declared nested pair, indexed by (restricted, general): ``statistic``
        (2 * LL difference), ``df`` (difference in k) and ``p_value`` (chi-square).
    """

    models: pd.DataFrame
    likelihood_ratio_tests: pd.DataFrame

    def __repr__(self) -> str:
        text = f"models:\n{self.models.to_string()}"
        if len(self.likelihood_ratio_tests):
            text += f"\n\nlikelihood-ratio tests:\n{self.likelihood_ratio_tests.to_string()}"
        return text


def _n_customers(summary: pd.DataFrame, weights: Any) -> int:
    if weights is None:
        return len(summary)
    return int(round(float(np.sum(np.asarray(weights, dtype=np.float64)))))


def _fitted(name: str, model: Any, summary: pd.DataFrame, weights: Any) -> Any:
    """``model`` fitted on ``summary``: fit it if it is not, else check it was fitted on it."""
    for attribute in ("fit", "to_dict", "from_dict", "param_names"):
        if not hasattr(model, attribute):
            raise TypeError(
                f"models[{name!r}] must be a maximum-likelihood model such as "
                f"clv.BetaGeoModel(); got {type(model).__name__} (no {attribute})"
            )
    if not hasattr(model, "params_"):
        return model.fit(summary, weights=weights)
    if getattr(model, "has_covariates", False):
        # the fingerprint of the rows the model reads from the summary (a Gamma-Gamma's
        # repeat buyers, not every customer): a customer count would not match
        if not model.fitted_on(summary, weights):
            raise ValueError(
                f"models[{name!r}]: the data given do not match the data the model was "
                "fitted on (fingerprint differs)"
            )
        return model
    expected = _n_customers(summary, weights)
    if model.n_customers_ != expected:
        raise ValueError(
            f"models[{name!r}] was fitted on {model.n_customers_} customers, the summary has "
            f"{expected}: compare models fitted on the same data, or pass them unfitted"
        )
    if weights is None:
        try:
            type(model).from_dict(model.to_dict(), data=summary)
        except ValueError as error:
            raise ValueError(f"models[{name!r}]: {error}") from error
    return model


def compare_models(
    summary: pd.DataFrame,
    models: Mapping[str, Any] | Sequence[Any],
    *,
    nested: Iterable[tuple[str, str]] = (),
    weights: Any = None,
) -> ModelComparison:
    """Log-likelihood, number of parameters, AIC and BIC of models of the same customers.

    Parameters
    ----------
    summary
        The data every model is (or is to be) fitted on.
    models
        Name -> model, or a sequence of models (named by class). An unfitted model is
        fitted on ``summary`` here; a fitted one must have been fitted on ``summary``
        (checked by its data fingerprint, or by the number of customers when ``weights``
        are given).
    nested
        (restricted, general) pairs of names for which to run a likelihood-ratio test;
        the restricted model must have fewer parameters (see the module docstring for
        boundary restrictions).
    weights
        Customers per row of ``summary`` (for aggregated tables such as the donations).

    Returns
    -------
    ModelComparison
        ``models`` (one row per model) and ``likelihood_ratio_tests``.

    Raises
    ------
    ValueError
        If two names coincide, a model was fitted on other data, a pair names an unknown
        model, or its restricted model does not have fewer parameters.
    TypeError
        If a model is not a maximum-likelihood model.

    Examples
    --------
    >>> import clvmodels as clv
    >>> summary = clv.datasets.load_cdnow_summary()
    >>> table = compare_models(summary, {"BG/NBD": clv.BetaGeoModel(),
    ...                                  "Pareto/NBD": clv.ParetoNBDModel()}).models
    >>> table["log_likelihood"].round(1).tolist()
    [-9582.4, -9595.0]
    """
    if isinstance(models, Mapping):
        named = dict(models)
    else:
        named = {}
        for model in models:
            name = type(model).__name__
            if name in named:
                raise ValueError(
                    f"two models are both named {name!r}: pass a dict name -> model, e.g. "
                    f"{{'{name} 1': m1, '{name} 2': m2}}"
                )
            named[name] = model
    if not named:
        raise ValueError("models must name at least one model, e.g. [clv.BetaGeoModel()]")
    fitted = {name: _fitted(name, model, summary, weights) for name, model in named.items()}
    n = _n_customers(summary, weights)
    rows = {}
    for name, model in fitted.items():
        k = len(model.param_names)
        ll = float(model.log_likelihood_)
        rows[name] = {
            "model": type(model).__name__,
            "n_params": k,
            "log_likelihood": ll,
            "aic": 2 * k - 2 * ll,
            "bic": k * math.log(n) - 2 * ll,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "name"
    table["delta_aic"] = table["aic"] - table["aic"].min()
    table["delta_bic"] = table["bic"] - table["bic"].min()
    relative = np.exp(-0.5 * table["delta_aic"])
    table["aic_weight"] = relative / relative.sum()
    table.attrs["n_customers"] = n

    tests = {}
    for pair in nested:
        restricted, general = pair
        for name in pair:
            if name not in table.index:
                raise ValueError(
                    f"nested pair {pair!r}: no model named {name!r} (models: {list(table.index)})"
                )
        df = int(table.at[general, "n_params"] - table.at[restricted, "n_params"])
        if df <= 0:
            raise ValueError(
                f"nested pair {pair!r}: the restricted model {restricted!r} must have fewer "
                f"parameters than {general!r} (has {table.at[restricted, 'n_params']} vs "
                f"{table.at[general, 'n_params']}); give pairs as (restricted, general)"
            )
        statistic = max(
            2.0 * (table.at[general, "log_likelihood"] - table.at[restricted, "log_likelihood"]),
            0.0,
        )
        tests[(restricted, general)] = {
            "statistic": statistic,
            "df": df,
            "p_value": float(stats.chi2.sf(statistic, df)),
        }
    lr = pd.DataFrame.from_dict(tests, orient="index", columns=["statistic", "df", "p_value"])
    lr.index = pd.MultiIndex.from_tuples(list(tests), names=["restricted", "general"])
    return ModelComparison(table, lr)


def covariate_likelihood_ratio(model: Any, summary: pd.DataFrame) -> pd.Series:
    """Likelihood-ratio test of a model with static covariates against the model without.

    Fits the same class without covariates (and without penalties) on ``summary`` and
    compares the log-likelihoods (``log_likelihood_`` excludes the covariate penalty; with
    a penalty the statistic is conservative). A model fitted with time-varying covariates
    (fitted, on ``summary``) is compared the same way: at zero effects its likelihood is
    the plain model's.

    Parameters
    ----------
    model
        A model with covariates, fitted or not (fitted here on ``summary`` if not).
    summary
        The data, with the model's covariate columns.

    Returns
    -------
    pandas.Series
        ``statistic`` (2 * LL difference), ``df`` (the number of coefficients), ``p_value``
        (chi-square) and both log-likelihoods.

    Raises
    ------
    ValueError
        If ``model`` has no covariates.
    """
    if not getattr(model, "has_covariates", False):
        raise ValueError(
            f"{type(model).__name__} has no covariates: pass a model such as "
            "clv.ParetoNBDModel(purchase_covariates=['gender'])"
        )
    restricted = type(model)()
    if getattr(model, "has_dynamic_covariates", False):  # fitted on summary with its frame
        restricted.fit(summary)
        with_ll, without_ll = float(model.log_likelihood_), float(restricted.log_likelihood_)
        statistic = max(2.0 * (with_ll - without_ll), 0.0)
        df = len(model.coefficient_names_)
        return pd.Series(
            {
                "statistic": statistic,
                "df": df,
                "p_value": float(stats.chi2.sf(statistic, df)),
                "log_likelihood_without": without_ll,
                "log_likelihood_with": with_ll,
            },
            name="likelihood_ratio",
        )
    comparison = compare_models(
        summary, {"without": restricted, "with": model}, nested=[("without", "with")]
    )
    test = comparison.likelihood_ratio_tests.iloc[0]
    return pd.Series(
        {
            "statistic": float(test["statistic"]),
            "df": int(test["df"]),
            "p_value": float(test["p_value"]),
            "log_likelihood_without": float(comparison.models.at["without", "log_likelihood"]),
            "log_likelihood_with": float(comparison.models.at["with", "log_likelihood"]),
        },
        name="likelihood_ratio",
    )
