"""What every Bayesian model shares: priors on log-parameters, inference, diagnostics.

A model states only what is its own: its parameter names, default priors, compressed data
(``_statistics(data, weights)``: distinct rows and their counts) and
``_row_log_likelihood(params, stats)``, the per-row log-likelihood built from the same
function the maximum-likelihood estimator uses (``models/``), in PyTensor. This module turns
that into a PyMC model (log-parameters, the count-weighted sum as a ``pm.Potential``),
samples it (:mod:`clvmodels.estimation.inference`: nutpie when installed, else PyMC's NUTS; MAP
and ADVI for quick fits; numpyro or blackjax when asked, e.g. on a GPU), checks the draws
and keeps them as an arviz 1.x ``DataTree``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from clvmodels._version import __version__
from clvmodels.estimation.compiled import NUTPIE_OPTIONS, sample_nutpie
from clvmodels.estimation.density import LogLikelihood, chain_threads, nutpie_model
from clvmodels.estimation.inference import Method, Sampling, default_nuts_sampler, infer
from clvmodels.estimation.intervals import check_probability
from clvmodels.estimation.params import Settings
from clvmodels.estimation.spec import ModelSpec, SpecifiedModel
from clvmodels.exceptions import ConvergenceWarning

__all__ = ["BayesianModel", "LogNormalPrior", "Method", "Sampling", "default_nuts_sampler"]

#: Thresholds of the post-sampling checks (Vehtari et al. 2021).
MAX_R_HAT = 1.01
MIN_BULK_ESS = 400


class LogNormalPrior:
    """A Normal prior on a parameter's logarithm: ``log(theta) ~ Normal(mu, sigma)``.

    Parameters
    ----------
    mu, sigma
        Mean and standard deviation of ``log(theta)``; ``sigma > 0``.

    Examples
    --------
    >>> LogNormalPrior(0.0, 2.0)
    LogNormalPrior(mu=0.0, sigma=2.0)
    """

    def __init__(self, mu: float, sigma: float) -> None:
        mu, sigma = float(mu), float(sigma)
        if not np.isfinite(mu) or not (np.isfinite(sigma) and sigma > 0):
            raise ValueError(
                f"a LogNormalPrior needs a finite mu and a finite sigma > 0, e.g. "
                f"LogNormalPrior(0.0, 2.0); got mu={mu}, sigma={sigma}"
            )
        self.mu, self.sigma = mu, sigma

    def __repr__(self) -> str:
        return f"LogNormalPrior(mu={self.mu}, sigma={self.sigma})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LogNormalPrior) and (self.mu, self.sigma) == (
            other.mu,
            other.sigma,
        )

    def __hash__(self) -> int:
        return hash((self.mu, self.sigma))


class BayesianModel(Settings, SpecifiedModel):
    """Base class: settings in ``__init__``, the posterior in ``idata_`` after ``fit``.

    Parameters
    ----------
    priors
        Parameter name -> :class:`LogNormalPrior` (or a ``(mu, sigma)`` pair), replacing
        the model's defaults for those parameters.
    """

    param_names: ClassVar[tuple[str, ...]] = ()
    #: The model's specification, where it has one: its default priors are then the
    #: default of :meth:`_default_priors`.
    spec: ClassVar[ModelSpec | None] = None

    def __init__(
        self, priors: Mapping[str, LogNormalPrior | tuple[float, float]] | None = None
    ) -> None:
        self.priors = dict(priors or {})
        unknown = set(self.priors) - set(self._prior_names())
        if unknown:
            raise ValueError(
                f"priors: unknown parameter(s) {sorted(unknown)} for {type(self).__name__}; "
                f"it has {list(self._prior_names())}"
            )

    # -- hooks ----------------------------------------------------------------------------
    def _prior_names(self) -> tuple[str, ...]:
        return self.param_names

    def _default_priors(self, stats: Any) -> dict[str, LogNormalPrior]:
        if self.spec is None:
            raise NotImplementedError
        return {
            name: LogNormalPrior(*prior) for name, prior in self.spec.default_priors(stats).items()
        }

    def _statistics(self, data: Any, weights: ArrayLike | None = None) -> Any:
        """The checked, compressed data (e.g. :class:`~clvmodels.estimation.rows.CompressedRows`).

        It has ``weights`` (customers per distinct row), ``time_unit`` and ``fingerprint()``.
        """
        raise NotImplementedError

    def _row_log_likelihood(self, params: Mapping[str, Any], stats: Any) -> Any:
        """Per-row log-likelihood of ``stats`` in PyTensor: the ``models/`` function."""
        raise NotImplementedError

    def _log_likelihood_function(self, stats: Any) -> LogLikelihood | None:
        """The ``models/`` weighted likelihood of ``stats`` and its gradient, or None.

        One compiled function of the parameters (``param_names`` order). Where there is
        one, nutpie samples it (:mod:`clvmodels.estimation.density`) instead of compiling the
        PyMC graph; it must be the density of :meth:`_build`'s model (a test pins the two
        together).
        """
        return None

    # -- priors ---------------------------------------------------------------------------
    def _prior_objects(self) -> dict[str, LogNormalPrior]:
        """The user's prior overrides as :class:`LogNormalPrior` objects."""
        return {
            name: p if isinstance(p, LogNormalPrior) else LogNormalPrior(*p)
            for name, p in self.priors.items()
        }

    def priors_for(self, stats: Any) -> dict[str, LogNormalPrior]:
        """The priors used for ``stats``: the model's defaults, overridden by ``priors``."""
        chosen = self._default_priors(stats)
        for name, prior in self.priors.items():
            chosen[name] = prior if isinstance(prior, LogNormalPrior) else LogNormalPrior(*prior)
        return chosen

    @staticmethod
    def log_normal_parameters(priors: Mapping[str, LogNormalPrior]) -> dict[str, Any]:
        """Inside a ``pm.Model``: ``log_<name> ~ Normal`` and ``<name> = exp(log_<name>)``."""
        import pymc as pm
        import pytensor.tensor as pt

        params = {}
        for name, prior in priors.items():
            log_value = pm.Normal(f"log_{name}", mu=prior.mu, sigma=prior.sigma)
            params[name] = pm.Deterministic(name, pt.exp(log_value))
        return params

    # -- model and inference --------------------------------------------------------------
    def _build(self, stats: Any) -> Any:
        """``log_<name> ~ Normal`` priors and the count-weighted log-likelihood as a Potential."""
        import pymc as pm

        with pm.Model() as model:
            params = self.log_normal_parameters(self.priors_for(stats))
            rows = self._row_log_likelihood(params, stats)
            pm.Potential("log_likelihood", (stats.weights * rows).sum())
        return model

    def build_model(self, data: Any, weights: ArrayLike | None = None) -> Any:
        """The PyMC model :meth:`fit` samples (for prior predictive checks or custom sampling)."""
        return self._build(self._statistics(data, weights))

    def fit(
        self,
        data: Any,
        weights: ArrayLike | None = None,
        *,
        method: Method = "nuts",
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 4,
        random_seed: int | None = None,
        progressbar: bool = False,
        nuts_sampler: str | None = None,
        **sample_kwargs: Any,
    ) -> Self:
        """Compute the posterior of the parameters given ``data``; returns ``self``.

        Parameters
        ----------
        data
            The model's data (an RFM summary, or an (x, t_x, n) table for the BG/BB).
        weights
            Optional customers per row (for data already aggregated).
        method
            ``"nuts"`` (MCMC), ``"map"`` (posterior mode: one draw) or ``"advi"``
            (mean-field variational approximation, ``draws`` draws from it).
        draws, tune, chains
            Draws kept and tuning steps per chain, and the number of chains.
        random_seed
            Makes the draws reproducible.
        progressbar
            Show the sampler's progress.
        nuts_sampler
            ``"nutpie"``, ``"pymc"``, ``"numpyro"`` or ``"blackjax"``; default nutpie
            when installed, else PyMC's. Where ``models/`` has the likelihood and its
            gradient compiled (BG/NBD, Gamma-Gamma, Pareto/NBD), nutpie samples that function and
            compiles nothing (:mod:`clvmodels.estimation.density`); otherwise it compiles the
            PyMC model once and keeps it for later fits of the same model to the same
            data.
        **sample_kwargs
            Passed to ``pymc.sample`` (e.g. ``target_accept``, ``cores``, ``init``); with
            ``method="advi"``, ``n`` is the number of ADVI iterations (default 10,000,
            started at the posterior mode).

        Warns
        -----
        ConvergenceWarning
            After NUTS, on divergences, r_hat > 1.01 or bulk ESS < 400, saying what to try.
        """
        sampling = Sampling(
            method, draws, tune, chains, random_seed, progressbar, nuts_sampler, sample_kwargs
        )
        stats = self._statistics(data, weights)
        return self._sample(stats, lambda: self._build(stats), sampling)

    def _sample(self, stats: Any, build: Callable[[], Any], sampling: Sampling) -> Self:
        """Run ``sampling`` on the model ``build()`` returns and store the posterior.

        NUTS with nutpie (and no option but ``cores`` or ``target_accept``) keeps the
        compiled sampler for later fits of the same model to the same data
        (:mod:`clvmodels.estimation.compiled`): a refit skips the compilation.
        """
        sampler = sampling.nuts_sampler or default_nuts_sampler()
        options = dict(sampling.sample_kwargs)
        if sampling.method == "nuts" and sampler == "nutpie" and set(options) <= NUTPIE_OPTIONS:
            log_likelihood = self._log_likelihood_function(stats)
            if log_likelihood is not None and "cores" not in options:
                options.update(chain_threads(len(stats.weights)))
            idata = sample_nutpie(
                self._compiled_key(stats, build),
                self._nutpie_compiler(stats, build, log_likelihood),
                draws=sampling.draws,
                tune=sampling.tune,
                chains=sampling.chains,
                random_seed=sampling.random_seed,
                progressbar=sampling.progressbar,
                options={"adaptation": "low_rank", **options},
            )
            self.sampler_ = "nutpie"
        else:
            idata, self.sampler_ = infer(build(), sampling)
        self._store(idata, stats, sampling.method)
        return self

    def _nutpie_compiler(
        self, stats: Any, build: Callable[[], Any], log_likelihood: LogLikelihood | None
    ) -> Callable[[], Any]:
        """How nutpie gets the model.

        The compiled ``models/`` likelihood where the model has one (nothing to compile),
        else the PyMC graph compiled by nutpie.
        """
        if log_likelihood is None:

            def compile_graph() -> Any:
                import nutpie

                return nutpie.compile_pymc_model(build())

            return compile_graph
        priors = [self.priors_for(stats)[name] for name in self.param_names]
        return lambda: nutpie_model(
            log_likelihood,
            self.param_names,
            [prior.mu for prior in priors],
            [prior.sigma for prior in priors],
        )

    def _compiled_key(self, stats: Any, build: Callable[[], Any]) -> tuple:
        """What the compiled model depends on: class, settings, priors, data and builder.

        Settings are the attributes set in ``__init__`` (no trailing underscore), so e.g.
        the sBG's ``hierarchical`` gives another model; an attribute too many only makes
        the key stricter.
        """
        settings = sorted(
            (name, repr(value)) for name, value in vars(self).items() if not name.endswith("_")
        )
        return (
            type(self).__qualname__,
            getattr(build, "__qualname__", repr(build)),
            tuple(settings),
            repr(self.priors_for(stats)),
            stats.fingerprint(),
        )

    def _store(self, idata: Any, stats: Any, method: str) -> None:
        self.idata_ = idata
        self.method_ = method
        self.n_customers_ = int(round(float(np.sum(stats.weights))))
        self.n_unique_rows_ = len(stats.weights)
        self.time_unit_ = stats.time_unit
        self.data_fingerprint_ = stats.fingerprint()
        if method == "nuts":
            for message in self.diagnostics_messages():
                warnings.warn(f"{type(self).__name__}: {message}", ConvergenceWarning, stacklevel=3)

    # -- fitted state ---------------------------------------------------------------------
    @property
    def idata(self) -> Any:
        """The posterior (arviz 1.x DataTree with ``posterior`` and ``sample_stats``)."""
        self._check_fitted()
        return self.idata_

    def _check_fitted(self) -> None:
        if not hasattr(self, "idata_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet; call fit() first")

    def posterior_params(self) -> dict[str, np.ndarray]:
        """Parameter name -> draws of shape ``(chain, draw)``."""
        self._check_fitted()
        posterior = self.idata_["posterior"]
        return {name: np.asarray(posterior[name].values) for name in self.param_names}

    def thinned(self, n_draws: int) -> Self:
        """A copy whose posterior keeps ``n_draws`` evenly spaced draws of each chain.

        Predictions from it are faster and noisier; the fitted model is unchanged.
        """
        import copy

        import arviz as az

        self._check_fitted()
        posterior = self.idata_["posterior"]
        total = posterior.sizes["draw"]
        if not 1 <= int(n_draws):
            raise ValueError(f"n_draws must be >= 1, got {n_draws}")
        keep = np.unique(np.linspace(0, total - 1, min(int(n_draws), total)).round().astype(int))
        clone = copy.copy(self)
        names = [name for name in posterior.data_vars if "draw" in posterior[name].dims]
        clone.idata_ = az.from_dict(
            {"posterior": {name: np.asarray(posterior[name].values)[:, keep] for name in names}}
        )
        return clone

    def _reported_names(self) -> tuple[str, ...]:
        """The variables :meth:`summary` and the checks after sampling report (a hook)."""
        return tuple(self.param_names)

    def posterior_mean_params(self) -> dict[str, float]:
        """Posterior mean of each parameter."""
        return {name: float(v.mean()) for name, v in self.posterior_params().items()}

    def summary(self, hdi: float = 0.94) -> pd.DataFrame:
        """Mean, sd, HDI, r_hat and bulk/tail ESS per parameter (``arviz.summary``)."""
        import arviz as az

        self._check_fitted()
        check_probability(hdi)
        table = az.summary(
            self.idata_,
            var_names=list(self._reported_names()),
            ci_prob=hdi,
            ci_kind="hdi",
            round_to="none",
        )
        table.index.name = "parameter"
        table.attrs.update(
            n_customers=self.n_customers_, time_unit=self.time_unit_, method=self.method_
        )
        return table

    def diagnostics_messages(self) -> list[str]:
        """What the checks after sampling found (divergences, r_hat, bulk ESS), in words."""
        import arviz as az

        self._check_fitted()
        messages = []
        stats = self.idata_.get("sample_stats") if hasattr(self.idata_, "get") else None
        if stats is not None and "diverging" in stats:
            divergent = int(np.asarray(stats["diverging"].values).sum())
            if divergent:
                messages.append(
                    f"{divergent} divergent transitions after tuning: the posterior has "
                    "regions the sampler cannot explore. Try more tuning (tune=2000), "
                    "target_accept=0.95, or tighter priors."
                )
        n_chains = self.idata_["posterior"].sizes["chain"]
        table = az.summary(
            self.idata_,
            var_names=list(self._reported_names()),
            kind="diagnostics",
            round_to="none",
        )
        if n_chains > 1:
            bad = table.index[table["r_hat"] > MAX_R_HAT].tolist()
            if bad:
                messages.append(
                    f"r_hat > {MAX_R_HAT} for {bad} ({table.loc[bad, 'r_hat'].round(3).tolist()}):"
                    " the chains disagree. Run longer (draws, tune) or check the priors."
                )
        low = table.index[table["ess_bulk"] < MIN_BULK_ESS].tolist()
        if low:
            messages.append(
                f"bulk ESS < {MIN_BULK_ESS} for {low} "
                f"({table.loc[low, 'ess_bulk'].round(0).tolist()}): too few effective draws "
                "for reliable means and intervals. Increase draws or chains."
            )
        return messages

    # -- persistence (NetCDF + JSON, never pickle) ----------------------------------------
    def _extra_state(self) -> dict[str, Any]:
        """Model-specific fitted state saved with the posterior (a hook)."""
        return {}

    def _restore_extra(self, extra: dict[str, Any]) -> None:
        """Set the model-specific fitted state read back by :meth:`load` (a hook)."""

    def _settings(self) -> dict[str, Any]:
        return {}

    def _fingerprint_of(self, data: Any) -> str:
        """The fingerprint of ``data`` as :meth:`fit` computes it."""
        return self._statistics(data).fingerprint()

    def save(self, path: str | Path) -> None:
        """Write the fitted model to the folder ``path``, atomically.

        The posterior goes to NetCDF (one file per arviz group), the settings, fitted state,
        data fingerprint and package versions to ``model.json`` (see
        :mod:`clvmodels.estimation.posterior_files`).
        """
        from clvmodels.estimation.posterior_files import save_posterior_model

        save_posterior_model(self, path, {"settings": self._settings(), **self._extra_state()})

    @classmethod
    def load(cls, path: str | Path, data: Any = None, weights: ArrayLike | None = None) -> Self:
        """Read a model written by :meth:`save`; with ``data``, check it is the fitted data.

        ``weights`` are the customers per row of ``data`` when the fit was given some (an
        aggregated table such as the donations).

        Raises
        ------
        ModelFileError
            If the folder or a file in it is missing or invalid (naming file and field).
        ValueError
            If ``data`` is not the data the model was fitted on.
        """
        from clvmodels.estimation.posterior_files import load_posterior_model

        document, idata = load_posterior_model(cls, path)
        if document["clvmodels_version"] != __version__:
            warnings.warn(
                f"{path}: model saved by clvmodels {document['clvmodels_version']}, loaded by "
                f"{__version__}",
                UserWarning,
                stacklevel=2,
            )
        priors = {name: tuple(value) for name, value in document["settings"]["priors"].items()}
        extra = dict(document["extra"])
        model = cls(priors=priors, **extra.pop("settings", {}))
        model.idata_ = idata
        for name, value in document["state"].items():
            setattr(model, f"{name}_", value)
        model._restore_extra(extra)
        if data is not None:
            fingerprint = (
                model._fingerprint_of(data)
                if weights is None
                else model._statistics(data, weights).fingerprint()
            )
            if fingerprint != model.data_fingerprint_:
                raise ValueError(
                    f"the data given do not match the data the model was fitted on "
                    f"(fingerprint {fingerprint} != {model.data_fingerprint_})"
                )
        return model

    def _check_unit(self, data: Any) -> None:
        from clvmodels.data.units import check_same_unit, time_unit_of

        check_same_unit(self.time_unit_, time_unit_of(data), "the summary")

    def __repr__(self) -> str:
        if not hasattr(self, "idata_"):
            return f"{type(self).__name__}(priors={self.priors})"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.posterior_mean_params().items())
        return (
            f"<{type(self).__name__} ({self.method_}) fitted on {self.n_customers_} customers: "
            f"posterior means {shown}>"
        )
