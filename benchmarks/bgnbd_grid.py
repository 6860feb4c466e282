"""Count BG/NBD parameter sets with bad predictions on issue 11's "moderate grid".

Each of r, alpha, a, b in {0.01, 0.1, 1, 10, 100} (625 sets); for each set
``expected_purchases`` at every horizon and ``conditional_expected_purchases`` for every
history below at every horizon, compared with the 50-digit mpmath evaluation of Fader,
Hardie & Lee (2005) eqs. 9-10 (``tests/models/bgnbd_reference.py``). A set is bad if any
value is NaN, +-inf, negative, or off by more than 1e-8 relative (1e-12 absolute where
the reference is tiny); a named clvmodels error is counted separately.

    PYTHONPATH=. python benchmarks/bgnbd_grid.py            # uses the cached reference
    PYTHONPATH=. python benchmarks/bgnbd_grid.py --recompute  # ~3-5 min of mpmath

The reference values are cached in ``bgnbd_grid_reference.json`` next to this script
(recomputed when the grid below changes).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

import clvmodels.exceptions
from clvmodels.models import beta_geo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "models"))
import bgnbd_reference as ref  # noqa: E402

VALUES = (0.01, 0.1, 1.0, 10.0, 100.0)
#: (x, t_x, T): new at T = 0, never returned, light, regular, heavy and extreme buyers.
HISTORIES = (
    (0, 0.0, 0.0),
    (0, 0.0, 5000.0),
    (1, 10.0, 100.0),
    (10, 900.0, 1000.0),
    (100, 4000.0, 5000.0),
    (1000, 4990.0, 5000.0),
)
HORIZONS = (0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0)
REL_TOL, ABS_TOL = 1e-8, 1e-12
CACHE = HERE / "bgnbd_grid_reference.json"
NAMED_ERRORS = tuple(
    obj
    for obj in vars(clvmodels.exceptions).values()
    if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning)
)


def parameter_sets() -> list[dict[str, float]]:
    return [
        dict(zip(("r", "alpha", "a", "b"), combo, strict=True))
        for combo in itertools.product(VALUES, repeat=4)
    ]


def grid_description() -> dict:
    return {"values": VALUES, "histories": HISTORIES, "horizons": HORIZONS}


def reference_values(recompute: bool) -> np.ndarray:
    """(625, 1 + len(HISTORIES), len(HORIZONS)): E[X(t)] then E[Y(t) | history]."""
    description = json.loads(json.dumps(grid_description()))
    if CACHE.exists() and not recompute:
        cached = json.loads(CACHE.read_text())
        if cached["grid"] == description:
            return np.array(cached["values"], dtype=np.float64)
    start = time.perf_counter()
    out = np.empty((625, 1 + len(HISTORIES), len(HORIZONS)))
    for i, params in enumerate(parameter_sets()):
        for k, t in enumerate(HORIZONS):
            out[i, 0, k] = ref.expected_purchases(params, t)
            for h, history in enumerate(HISTORIES):
                out[i, 1 + h, k] = ref.conditional_expected_purchases(params, t, *history)
        if i % 25 == 24:
            print(
                f"reference: {i + 1}/625 sets, {time.perf_counter() - start:.0f} s", file=sys.stderr
            )
    CACHE.write_text(
        json.dumps({"grid": description, "values": out.tolist()}, separators=(",", ":"))
    )
    return out


def library_values() -> tuple[np.ndarray, list[str]]:
    """The library on the same grid, one call per function; errors are recorded per set."""
    sets = parameter_sets()
    out = np.full((625, 1 + len(HISTORIES), len(HORIZONS)), np.nan)
    errors = [""] * 625
    t = np.asarray(HORIZONS)[:, None]
    for i, params in enumerate(sets):
        try:
            with np.errstate(all="ignore"):
                out[i, 0] = beta_geo.expected_purchases(params, t[:, 0])
                for h, (x, t_x, T) in enumerate(HISTORIES):
                    out[i, 1 + h] = beta_geo.conditional_expected_purchases(
                        params, t[:, 0], x, t_x, T
                    )
        except NAMED_ERRORS as error:
            errors[i] = type(error).__name__
    return out, errors


def classify(got: np.ndarray, expected: np.ndarray) -> Counter:
    kinds = Counter()
    kinds["NaN"] = int(np.isnan(got).sum())
    kinds["+inf"] = int(np.isposinf(got).sum())
    kinds["-inf"] = int(np.isneginf(got).sum())
    finite = np.isfinite(got)
    kinds["negative"] = int((finite & (got < 0)).sum())
    tolerance = np.maximum(REL_TOL * np.abs(expected), ABS_TOL)
    kinds["wrong"] = int((finite & (got >= 0) & (np.abs(got - expected) > tolerance)).sum())
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recompute", action="store_true", help="recompute the mpmath values")
    args = parser.parse_args()
    expected = reference_values(args.recompute)
    got, errors = library_values()
    sets = parameter_sets()

    rows = {
        "expected_purchases": [0],
        "conditional_expected_purchases": list(range(1, 1 + len(HISTORIES))),
    }
    print(f"BG/NBD moderate grid: {len(sets)} parameter sets (r, alpha, a, b in {VALUES}),")
    print(f"histories (x, t_x, T) {HISTORIES}, horizons {HORIZONS}; reference: mpmath eqs. 9-10")
    print()
    print(
        "| function | sets with NaN | with +-inf | with negative | finite but off > 1e-8 | "
        "sets bad (any) | values bad |"
    )
    print("|---|---|---|---|---|---|---|")
    any_bad = np.zeros(625, dtype=bool)
    nan_or_inf = np.zeros(625, dtype=bool)
    for name, columns in rows.items():
        g, e = got[:, columns], expected[:, columns]
        per_set = [classify(g[i], e[i]) for i in range(625)]
        bad = np.array([sum(c.values()) > 0 for c in per_set])
        any_bad |= bad
        nan_or_inf |= np.array([c["NaN"] + c["+inf"] + c["-inf"] > 0 for c in per_set])
        count = lambda *keys, cs=per_set: sum(any(c[k] for k in keys) for c in cs)  # noqa: E731
        values_bad = sum(sum(c.values()) for c in per_set)
        print(
            f"| {name} | {count('NaN')} | {count('+inf', '-inf')} | {count('negative')} | "
            f"{count('wrong')} | {int(bad.sum())} | {values_bad} of {g.size} |"
        )
    raised = sum(bool(e) for e in errors)
    print()
    print(f"parameter sets with NaN or inf anywhere: {int(nan_or_inf.sum())} of 625")
    print(f"parameter sets with any bad value: {int(any_bad.sum())} of 625")
    print(f"parameter sets where a named error was raised: {raised} of 625")
    finite = np.isfinite(got)
    relative = np.abs(got - expected)[finite] / np.maximum(np.abs(expected[finite]), 1e-300)
    print(f"largest relative error among finite values: {relative.max():.3g}")


if __name__ == "__main__":
    main()
