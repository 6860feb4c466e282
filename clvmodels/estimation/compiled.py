"""nutpie samplers compiled once and kept for later fits of the same model to the same data.

Compiling a PyMC model to nutpie's numba sampler takes 5-20 s on a laptop-class CPU,
while sampling 4 x 2,000 iterations of the BG/NBD on CDNOW takes 2-5 s. A refit with
other draws, chains or seeds (a notebook cell run again, a convergence check with more
draws) reuses the compiled sampler when the model and the data are the same: the key is
the model class, its priors and the fingerprint of the compressed data, everything the
compiled graph depends on. The last few compiled samplers are kept in memory
(:data:`CACHE_SIZE`), never on disk.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import numpy as np

__all__ = ["CACHE_SIZE", "NUTPIE_OPTIONS", "clear_cache", "sample_nutpie"]

#: The sampling options a cached sampler accepts (others go through ``pymc.sample``).
NUTPIE_OPTIONS = frozenset({"cores", "target_accept"})

#: Compiled samplers kept (each holds its data: a few MB for a million customers).
CACHE_SIZE = 4

_CACHE: OrderedDict[Hashable, Any] = OrderedDict()


def clear_cache() -> None:
    """Forget every compiled sampler."""
    _CACHE.clear()


def compiled_sampler(key: Hashable, compile_model: Callable[[], Any]) -> tuple[Any, float]:
    """The nutpie model ``compile_model()`` returns for ``key``, compiled on first use.

    Returns the compiled model and the seconds spent compiling it now (0 when cached).
    """
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key], 0.0
    start = time.perf_counter()
    compiled = compile_model()
    seconds = time.perf_counter() - start
    _CACHE[key] = compiled
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled, seconds


def sample_nutpie(
    key: Hashable,
    compile_model: Callable[[], Any],
    *,
    draws: int,
    tune: int,
    chains: int,
    random_seed: int | None,
    progressbar: bool,
    options: Mapping[str, Any],
) -> Any:
    """NUTS draws from nutpie with a cached compiled sampler, as an arviz DataTree.

    Parameters
    ----------
    key
        What the compiled sampler depends on (see the module docstring).
    compile_model
        Returns the nutpie model, e.g. ``nutpie.compile_pymc_model(pymc_model)``
        (called only when ``key`` is not cached).
    draws, tune, chains
        Draws kept and tuning steps per chain, number of chains.
    random_seed
        Seeds nutpie (the same seed gives the same draws, cached or not).
    progressbar
        Show nutpie's progress bar.
    options
        Passed to ``nutpie.sample`` (e.g. ``cores``, ``target_accept``,
        ``low_rank_modified_mass_matrix``).

    Returns
    -------
    DataTree
        ``posterior`` (with ``attrs["sampling_time"]`` and ``attrs["compile_time"]``, in
        seconds) and ``sample_stats``.
    """
    import nutpie

    compiled, compile_time = compiled_sampler(key, compile_model)
    seed = int(np.random.SeedSequence(random_seed).generate_state(1)[0])
    start = time.perf_counter()
    idata = nutpie.sample(
        compiled,
        draws=draws,
        tune=max(1, tune),
        chains=chains,
        seed=seed,
        save_warmup=False,
        progress_bar=progressbar,
        **dict(options),
    )
    idata["posterior"].attrs["sampling_time"] = time.perf_counter() - start
    idata["posterior"].attrs["compile_time"] = compile_time
    return idata
