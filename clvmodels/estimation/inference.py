"""Sampling settings and inference: NUTS (nutpie or PyMC's), MAP or ADVI on a PyMC model.

:class:`Sampling` holds what a ``fit`` was asked for, checked once; :func:`infer` turns a
PyMC model into posterior draws (an arviz 1.x ``DataTree``). Every Bayesian model of
:mod:`clvmodels.bayes` goes through these two.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np

__all__ = ["Method", "Sampling", "default_nuts_sampler", "infer"]

Method = Literal["nuts", "map", "advi"]


def default_nuts_sampler() -> str:
    """``"nutpie"`` when it is installed (compiled, fast on CPU), else ``"pymc"``."""
    return "nutpie" if importlib.util.find_spec("nutpie") is not None else "pymc"


@dataclass(frozen=True)
class Sampling:
    """How to compute a posterior (the keyword arguments of every ``fit``).

    Parameters
    ----------
    method
        ``"nuts"`` (MCMC), ``"map"`` (posterior mode: one draw) or ``"advi"`` (mean-field
        variational approximation, ``draws`` draws from it).
    draws, tune, chains
        Draws kept and tuning steps per chain (whole numbers, ``draws >= 1``,
        ``tune >= 0``), and the number of chains (>= 1).
    random_seed
        Makes the draws reproducible.
    progressbar
        Show the sampler's progress.
    nuts_sampler
        ``"nutpie"``, ``"pymc"``, ``"numpyro"`` or ``"blackjax"``; default nutpie when
        installed, else PyMC's.
    sample_kwargs
        Passed to ``pymc.sample`` (e.g. ``target_accept``, ``cores``, ``init``); with
        ``method="advi"``, ``n`` is the number of ADVI iterations (default 10,000).
    """

    method: Method = "nuts"
    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    random_seed: int | None = None
    progressbar: bool = False
    nuts_sampler: str | None = None
    sample_kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.method not in ("nuts", "map", "advi"):
            raise ValueError(
                f"method must be 'nuts' (MCMC), 'map' (posterior mode) or 'advi' "
                f"(variational), e.g. method='map'; got {self.method!r}"
            )
        for name, least in (("draws", 1), ("tune", 0), ("chains", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
                raise ValueError(
                    f"{name} must be a whole number >= {least}, e.g. {name}=500; got {value!r}"
                )

    @classmethod
    def from_keywords(cls, **keywords: Any) -> Sampling:
        """Settings from ``fit``'s keywords: the named fields, the rest to ``sample_kwargs``."""
        names = {f.name for f in fields(cls)} - {"sample_kwargs"}
        own = {name: keywords.pop(name) for name in list(keywords) if name in names}
        return cls(**own, sample_kwargs=keywords)

    def with_defaults(self, **sample_kwargs: Any) -> Sampling:
        """A copy whose ``sample_kwargs`` get these defaults where the user set none."""
        merged = {**sample_kwargs, **self.sample_kwargs}
        return Sampling(**{**self.__dict__, "sample_kwargs": merged})


def infer(model: Any, sampling: Sampling) -> tuple[Any, str]:
    """Posterior draws of the PyMC ``model`` as an arviz DataTree, and the sampler used."""
    import pymc as pm

    with model:
        if sampling.method == "nuts":
            sampler = sampling.nuts_sampler or default_nuts_sampler()
            options = dict(sampling.sample_kwargs)
            # a dense mass matrix: the log-parameters are strongly correlated
            # (Gamma-Gamma's p and v: ESS 100 -> 850 per 1000 draws)
            if sampler == "pymc":
                options.setdefault("init", "jitter+adapt_full")
            elif sampler == "nutpie":
                options.setdefault("nuts_sampler_kwargs", {"low_rank_modified_mass_matrix": True})
            idata = pm.sample(
                draws=sampling.draws,
                tune=sampling.tune,
                chains=sampling.chains,
                random_seed=sampling.random_seed,
                progressbar=sampling.progressbar,
                nuts_sampler=sampler,
                compute_convergence_checks=False,
                **options,
            )
            return idata, sampler
        # the mode, from the priors' centres (find_MAP does not jitter its start)
        # pymc >= 6: random_seed (seed is deprecated), no jitter (the start is the
        # priors' centre), the mode as InferenceData (the dict return is deprecated)
        mode = pm.find_MAP(
            progressbar=sampling.progressbar and sampling.method == "map",
            random_seed=sampling.random_seed,
            jitter=False,
            return_inferencedata=True,
        )["posterior"]
        start = {name: mode[name].values[0, 0] for name in mode.data_vars}
        if sampling.method == "advi":
            # start the mean-field fit at the posterior mode: from the prior's centre
            # 10,000 iterations are not always enough to reach the bulk
            approximation = pm.fit(
                n=int(sampling.sample_kwargs.get("n", 10_000)),
                method="advi",
                start={v.name: start[v.name] for v in model.free_RVs},
                random_seed=sampling.random_seed,
                progressbar=sampling.progressbar,
            )
            return approximation.sample(sampling.draws, random_seed=sampling.random_seed), "advi"
        names = [v.name for v in model.free_RVs + model.deterministics]
        dims = {name: list(model.named_vars_to_dims.get(name, ())) for name in names}
        coords = {name: list(values) for name, values in model.coords.items()}
        return _point_posterior({name: start[name] for name in names}, dims, coords), "map"


def _point_posterior(
    point: Mapping[str, Any], dims: Mapping[str, list[str]], coords: Mapping[str, list[Any]]
) -> Any:
    """A posterior of one chain and one draw holding ``point`` (the MAP estimate)."""
    import arviz as az

    return az.from_dict(
        {"posterior": {name: np.asarray(value)[None, None] for name, value in point.items()}},
        dims={name: d for name, d in dims.items() if d},
        coords=dict(coords),
    )
