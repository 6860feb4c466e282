"""Count BG/NBD parameter sets with bad expectations on the issue's moderate grid.

Usage::

    python benchmarks/bgnbd_grid.py                 # this checkout
    PYTHONPATH=/path/to/old/checkout python benchmarks/bgnbd_grid.py   # another version

Each of r, alpha, a, b in {0.01, 0.1, 1, 10, 100} (625 sets); customers with
x in {0, 1, 10, 100, 1000}, t_x = T / 2 (0 when x = 0), T in {1, 50, 5000}; horizons
0..10000. A set is bad when ``expected_purchases`` or ``conditional_expected_purchases``
gives NaN, inf or a negative value anywhere, or raises. (Accuracy against mpmath is tested
in tests/models/test_beta_geo_precision.py.)
"""

import itertools
import time
import warnings

import numpy as np

from clvmodels.models import beta_geo

VALUES = (0.01, 0.1, 1.0, 10.0, 100.0)
HORIZONS = np.array([0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0])
xs, Ts = np.meshgrid([0, 1, 10, 100, 1000], [1.0, 50.0, 5000.0])
X, T = xs.ravel().astype(float), Ts.ravel()
T_X = np.where(X > 0, T / 2, 0.0)


def bad(params) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            new = beta_geo.expected_purchases(params, HORIZONS)
            cond = beta_geo.conditional_expected_purchases(params, HORIZONS[:, None], X, T_X, T)
    except Exception as error:  # noqa: BLE001 - counted, named below
        return type(error).__name__
    values = np.concatenate([np.ravel(new), np.ravel(cond)])
    if np.any(np.isnan(values)):
        return "NaN"
    if np.any(np.isinf(values)):
        return "inf"
    if np.any(values < 0):
        return "negative"
    return None


def main() -> None:
    start = time.perf_counter()
    kinds: dict[str, int] = {}
    for r, alpha, a, b in itertools.product(VALUES, repeat=4):
        kind = bad({"r": r, "alpha": alpha, "a": a, "b": b})
        if kind:
            kinds[kind] = kinds.get(kind, 0) + 1
    total = sum(kinds.values())
    print("| bad parameter sets | of | by kind | seconds |")
    print("|---|---|---|---|")
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())) or "-"
    print(f"| {total} | 625 | {detail} | {time.perf_counter() - start:.1f} |")


if __name__ == "__main__":
    main()
