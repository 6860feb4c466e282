"""High-precision reference values of the BG/NBD predictions (mpmath), for tests and benchmarks.

Fader, Hardie & Lee (2005), "Counting your customers" the easy way, *Marketing Science*
24(2), 275-284, evaluated in arbitrary-precision arithmetic at the exact binary values of
the double-precision inputs:

- eq. 8, P(X(t) = n);
- eq. 9, E[X(t)];
- eq. 10, E[Y(t) | x, t_x, T];
- eq. 13, P(alive | x, t_x, T).

Every function returns the double nearest to the exact value (up to mpmath's working
accuracy, which is kept at >= 35 correct significant digits).

Precision is raised where the formula cancels: the bracket
``1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)`` of eqs. 9-10 is ~t for
short horizons and ~(a-1) near a = 1. It is evaluated at 50 digits, the digits lost to
cancellation are measured from the result, and the evaluation is repeated with that many
more digits. The bracket of eq. 8, ``1 - sum_{j<n}``, is the negative-binomial tail and
is evaluated as the regularised incomplete beta function, which does not cancel.

The removable singularities are evaluated as limits: at a = 1 exactly ((a+b+x-1)/(a-1)
times a bracket that vanishes) and at a + b + x - 1 = 0 exactly (a pole of the 2F1
times a vanishing factor), the value is the mean of the two evaluations at
a = 1 -+ 1e-30 (respectively b -+ 1e-30). The quantity is analytic in a and b, so the
symmetric mean is off by O(1e-60).

Independent cross-checks (used by the tests of this module, not by the library tests):

- :func:`expected_purchases_by_series`: E[X(t)] as the positive-term sum over the number
  of purchases, sum_{j>=1} P(NB count = j) * sum_{k<j} (b)_k/(a+b)_k, with the same
  posterior substitution for the conditional expectation. No 2F1, no cancellation, no
  singularity at a = 1; it needs about r t / alpha terms.
- :func:`probability_of_purchases_by_sum`: eq. 8 with its bracket as printed,
  ``1 - sum_{j<n}``, at raised precision (the reference itself writes the bracket as the
  regularised incomplete beta function I_z(n, r), which does not cancel).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import mpmath

__all__ = [
    "BASE_DPS",
    "conditional_expected_purchases",
    "conditional_expected_purchases_by_series",
    "expected_purchases",
    "expected_purchases_by_series",
    "fixed_dropout_limit",
    "nbd_limit",
    "probability_alive",
    "probability_of_purchases",
    "negative_binomial_tail",
    "probability_of_purchases_by_sum",
]

#: Working precision (decimal digits) before any increase for cancellation.
BASE_DPS = 50
#: Correct digits the result must keep after cancellation; below this precision is raised.
_KEEP_DIGITS = 35
_LIMIT_STEP_DIGITS = 30
_MAX_DPS = 2000

_mpf = mpmath.mpf


def _params(params: Mapping[str, float]) -> tuple[float, float, float, float]:
    return tuple(float(params[k]) for k in ("r", "alpha", "a", "b"))  # type: ignore[return-value]


def _digits_lost(value: mpmath.mpf) -> int:
    """Decimal digits lost when ``value`` is the difference of two O(1) numbers."""
    if value == 0:
        return 10**9
    return max(0, int(-mpmath.log10(abs(value))) + 1)


def _with_cancellation(evaluate: Callable[[], tuple[mpmath.mpf, mpmath.mpf]]) -> mpmath.mpf:
    """Run ``evaluate`` (-> value, cancelling difference) with enough working digits."""
    dps = BASE_DPS
    while True:
        with mpmath.workdps(dps):
            value, difference = evaluate()
        lost = _digits_lost(difference)
        if dps - lost >= _KEEP_DIGITS:
            return value
        if dps >= _MAX_DPS:
            raise ArithmeticError(
                f"cancellation of more than {_MAX_DPS - _KEEP_DIGITS} digits; the value is 0 "
                "to working precision"
            )
        dps = min(_MAX_DPS, lost + _KEEP_DIGITS + 15)


#: Terms a direct hypergeometric series may take before the next representation is tried.
_SERIES_TERMS = 20_000


def _hyp2f1(A, B, C, z) -> mpmath.mpf:
    """2F1(A, B; C; z) for 0 <= z < 1 to working precision, by the cheapest exact route.

    mpmath's ``hyp2f1`` switches to the 1 - z transformation above z = 0.8, whose two
    series cancel catastrophically when the parameters are in the thousands (seconds per
    value, or no convergence). Its summation of the plain power series is exact and
    self-checking (it raises its precision on cancellation), so that series is tried
    first, on Euler's form (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) (bounded parameters here)
    and then on the original, each up to ``_SERIES_TERMS`` terms; ``hyp2f1`` decides
    only when both would be longer (z very close to 1), and then only if its value does
    not change with more working digits.
    """
    for first, second, factor in ((C - A, C - B, (1 - z) ** (C - A - B)), (A, B, 1)):
        try:
            series = mpmath.mp.hypsum(
                2, 1, ("R", "R", "R"), [first, second, C], z, maxterms=_SERIES_TERMS
            )
        except (mpmath.libmp.NoConvergence, ZeroDivisionError):
            continue
        return factor * series
    return _hyp2f1_checked(A, B, C, z)


def _hyp2f1_checked(A, B, C, z) -> mpmath.mpf:
    """``mpmath.hyp2f1``, accepted only when 40 more working digits do not change it.

    Needed: at 50 digits mpmath.hyp2f1(387.2, 795.1; 804.8; 0.8086) returns 2.19e335
    where the value is 2.65e273 (its 1 - z transformation loses every digit without
    noticing when the parameters are in the hundreds).
    """
    target = mpmath.mp.dps
    extra = 10
    while True:
        with mpmath.workdps(target + extra):
            low = mpmath.hyp2f1(A, B, C, z)
        with mpmath.workdps(target + extra + 40):
            high = mpmath.hyp2f1(A, B, C, z)
            if high != 0 and abs(low / high - 1) < mpmath.mpf(10) ** -(target + 5):
                return +high
        if extra > _MAX_DPS:
            raise ArithmeticError(f"2F1({A}, {B}; {C}; {z}) did not settle")
        extra *= 4


def _bracket_exact(r, alpha, a, b, x, T, t) -> mpmath.mpf:
    """(a+b+x-1)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(α+T+t))].

    Arguments are exact binary values (floats or mpf); a != 1 and a + b + x != 1.
    """

    def evaluate():
        rr, al, aa, bb, xx, TT, tt = (_mpf(v) for v in (r, alpha, a, b, x, T, t))
        c = aa + bb + xx - 1
        z = tt / (al + TT + tt)
        power = ((al + TT) / (al + TT + tt)) ** (rr + xx)
        inner = 1 - power * _hyp2f1(rr + xx, bb + xx, c, z)
        return c / (aa - 1) * inner, inner

    return _with_cancellation(evaluate)


def _bracket(r, alpha, a, b, x, T, t) -> mpmath.mpf:
    """The bracket of eq. 10 (eq. 9 with x = T = 0), at any valid input incl. its limits."""
    if t == 0:
        return _mpf(0)
    step = _mpf(10) ** -_LIMIT_STEP_DIGITS
    with mpmath.workdps(BASE_DPS + 2 * _LIMIT_STEP_DIGITS):
        if a == 1:
            # (a+b+x-1)/(a-1) [..] is 0/0 at a = 1; the function is analytic in a.
            lo = _bracket_exact(r, alpha, 1 - step, b, x, T, t)
            hi = _bracket_exact(r, alpha, 1 + step, b, x, T, t)
            return (lo + hi) / 2
        if _mpf(a) + _mpf(b) + x - 1 == 0:
            # c = 0: a pole of the 2F1 times c; analytic in b.
            lo = _bracket_exact(r, alpha, a, _mpf(b) - step, x, T, t)
            hi = _bracket_exact(r, alpha, a, _mpf(b) + step, x, T, t)
            return (lo + hi) / 2
    return _bracket_exact(r, alpha, a, b, x, T, t)


def _alive(r, alpha, a, b, x, t_x, T) -> mpmath.mpf:
    """Eq. 13 at BASE_DPS digits (a sum of positive terms: no cancellation)."""
    if x == 0:
        return _mpf(1)
    with mpmath.workdps(BASE_DPS):
        rr, al, aa, bb, tx, TT = (_mpf(v) for v in (r, alpha, a, b, t_x, T))
        odds = aa / (bb + x - 1) * ((al + TT) / (al + tx)) ** (rr + x)
        return 1 / (1 + odds)


def _check_history(x: int, t_x: float, T: float) -> None:
    if x != int(x) or x < 0:
        raise ValueError(f"x must be a whole number >= 0, got {x}")
    if not 0 <= t_x <= T or (x == 0) != (t_x == 0):
        raise ValueError(f"need 0 <= t_x <= T and t_x = 0 iff x = 0, got {x=}, {t_x=}, {T=}")


@functools.lru_cache(maxsize=200_000)
def _conditional_cached(r, alpha, a, b, t, x, t_x, T) -> float:
    _check_history(x, t_x, T)
    with mpmath.workdps(BASE_DPS):
        value = _bracket(r, alpha, a, b, x, T, t) * _alive(r, alpha, a, b, x, t_x, T)
        return float(value)


def expected_purchases(params: Mapping[str, float], t: float) -> float:
    """E[X(t)] of a new customer (eq. 9), the double nearest to the exact value."""
    return _conditional_cached(*_params(params), float(t), 0, 0.0, 0.0)


def conditional_expected_purchases(
    params: Mapping[str, float], t: float, x: int, t_x: float, T: float
) -> float:
    """E[Y(t) | x, t_x, T] (eq. 10), the double nearest to the exact value."""
    return _conditional_cached(*_params(params), float(t), int(x), float(t_x), float(T))


@functools.lru_cache(maxsize=200_000)
def _alive_cached(r, alpha, a, b, x, t_x, T) -> float:
    _check_history(x, t_x, T)
    with mpmath.workdps(BASE_DPS):
        return float(_alive(r, alpha, a, b, x, t_x, T))


def probability_alive(params: Mapping[str, float], x: int, t_x: float, T: float) -> float:
    """P(alive | x, t_x, T) (eq. 13), the double nearest to the exact value."""
    return _alive_cached(*_params(params), int(x), float(t_x), float(T))


def _pmf_first_term(r, alpha, a, b, t, n) -> mpmath.mpf:
    """B(a,b+n)/B(a,b) * Γ(r+n)/(Γ(r) n!) (α/(α+t))^r (t/(α+t))^n."""
    rr, al, aa, bb, tt = (_mpf(v) for v in (r, alpha, a, b, t))
    log_beta = mpmath.log(mpmath.beta(aa, bb + n)) - mpmath.log(mpmath.beta(aa, bb))
    log_nb = (
        mpmath.loggamma(rr + n)
        - mpmath.loggamma(rr)
        - mpmath.loggamma(n + 1)
        + rr * mpmath.log(al / (al + tt))
        + (n * mpmath.log(tt / (al + tt)) if n else 0)
    )
    return mpmath.exp(log_beta + log_nb)


def _nb_tail(r, alpha, t, n) -> mpmath.mpf:
    """P(N(t) >= n) for the Poisson-gamma count: the regularised I_z(n, r), z = t/(α+t).

    Equal to eq. 8's ``1 - (α/(α+t))^r sum_{j<n} ...`` without its cancellation, as
    z^n (1-z)^r / (n B(n, r)) 2F1(n + r, 1; n + 1; z) (a series of positive terms; not
    ``mpmath.betainc``, whose 2F1(n, 1 - r; n + 1; z) has the unchecked 1 - z route).
    """
    if n == 0:
        return _mpf(1)
    rr, al, tt = _mpf(r), _mpf(alpha), _mpf(t)
    z = tt / (al + tt)
    log_front = (
        n * mpmath.log(z) + rr * mpmath.log(al / (al + tt)) - mpmath.log(n) - _log_beta(n, rr)
    )
    return mpmath.exp(log_front) * _hyp2f1(n + rr, _mpf(1), _mpf(n + 1), z)


def _log_beta(p, q) -> mpmath.mpf:
    return mpmath.loggamma(p) + mpmath.loggamma(q) - mpmath.loggamma(p + q)


@functools.lru_cache(maxsize=200_000)
def _pmf_cached(r, alpha, a, b, t, n) -> float:
    if n != int(n) or n < 0:
        raise ValueError(f"n must be a whole number >= 0, got {n}")
    if t == 0:
        return 1.0 if n == 0 else 0.0
    with mpmath.workdps(BASE_DPS):
        first = _pmf_first_term(r, alpha, a, b, t, n)
        if n == 0:
            return float(first)
        weight = mpmath.beta(_mpf(a) + 1, _mpf(b) + n - 1) / mpmath.beta(a, b)
        return float(first + weight * _nb_tail(r, alpha, t, n))


def probability_of_purchases(params: Mapping[str, float], t: float, n: int) -> float:
    """P(X(t) = n) for a new customer (eq. 8), the double nearest to the exact value.

    The bracket of eq. 8 (a negative-binomial tail) is the regularised incomplete beta
    function; :func:`probability_of_purchases_by_sum` evaluates it as printed.
    """
    return _pmf_cached(*_params(params), float(t), int(n))


def negative_binomial_tail(params: Mapping[str, float], t: float, n: int) -> float:
    """P(N(t) >= n) of the Poisson-gamma count, an upper bound on P(X(t) >= n)."""
    r, alpha, _, _ = _params(params)
    if t == 0:
        return 1.0 if n == 0 else 0.0
    with mpmath.workdps(BASE_DPS):
        return float(_nb_tail(r, alpha, t, n))


# -- independent cross-checks -------------------------------------------------------------


def probability_of_purchases_by_sum(params: Mapping[str, float], t: float, n: int) -> float:
    """Eq. 8 as printed: the bracket ``1 - (α/(α+t))^r sum_{j<n} ...``.

    Precision is raised by the digits the bracket loses, which costs time where the tail
    is astronomically small (n far above r t / alpha).
    """
    r, alpha, a, b = _params(params)
    if t == 0:
        return 1.0 if n == 0 else 0.0

    def evaluate():
        rr, al, aa, bb, tt = (_mpf(v) for v in (r, alpha, a, b, t))
        first = _pmf_first_term(r, alpha, a, b, t, n)
        if n == 0:
            return first, _mpf(1)
        z = tt / (al + tt)
        term = (al / (al + tt)) ** rr
        partial = term
        for j in range(1, n):
            term = term * (rr + j - 1) / j * z
            partial += term
        tail = 1 - partial
        weight = mpmath.beta(aa + 1, bb + n - 1) / mpmath.beta(aa, bb)
        return first + weight * tail, tail

    return float(_with_cancellation(evaluate))


def _series(r, alpha, a, b, t, max_terms: int) -> mpmath.mpf:
    """sum_{j>=1} NB(j; r, α/(α+t)) * sum_{k<j} (b)_k/(a+b)_k (all terms positive)."""
    rr, al, aa, bb, tt = (_mpf(v) for v in (r, alpha, a, b, t))
    z = tt / (al + tt)
    pmf = (al / (al + tt)) ** rr  # j = 0
    survive = _mpf(1)  # (b)_k/(a+b)_k for k = j - 1
    weight = _mpf(0)  # sum_{k<j} (b)_k/(a+b)_k
    total = _mpf(0)
    mean = rr * tt / al
    for j in range(1, max_terms + 1):
        pmf = pmf * (rr + j - 1) / j * z
        weight += survive
        survive = survive * (bb + j - 1) / (aa + bb + j - 1)
        total += pmf * weight
        if j > mean:
            # Beyond the mean the pmf falls at least geometrically with ratio rho, and the
            # weight grows by at most one per term: the tail is below
            # pmf weight rho/(1-rho) (1 + 1/(1-rho)).
            rho = z * (rr + j) / (j + 1)
            if rr < 1:
                rho = max(rho, z)
            if rho < 1:
                tail = pmf * weight * rho / (1 - rho) * (1 + 1 / (1 - rho))
                if tail < total * _mpf(10) ** -40:
                    return total
    raise ArithmeticError(f"series did not converge in {max_terms} terms (r t / alpha = {mean})")


def expected_purchases_by_series(
    params: Mapping[str, float], t: float, max_terms: int = 100_000
) -> float:
    """E[X(t)] as sum over purchases j of P(j-th Poisson-gamma event by t) P(alive before j).

    Needs roughly r t / alpha + a few hundred terms; raises ArithmeticError beyond
    ``max_terms``.
    """
    r, alpha, a, b = _params(params)
    if t == 0:
        return 0.0
    with mpmath.workdps(BASE_DPS):
        return float(_series(r, alpha, a, b, t, max_terms))


def conditional_expected_purchases_by_series(
    params: Mapping[str, float], t: float, x: int, t_x: float, T: float, max_terms: int = 100_000
) -> float:
    """E[Y(t) | x, t_x, T] = P(alive) * the series with r+x, α+T, b+x (posterior of λ, p)."""
    r, alpha, a, b = _params(params)
    _check_history(x, t_x, T)
    if t == 0:
        return 0.0
    with mpmath.workdps(BASE_DPS):
        alive = _alive(r, alpha, a, b, x, t_x, T)
        rest = _series(_mpf(r) + x, _mpf(alpha) + _mpf(T), a, _mpf(b) + x, t, max_terms)
        return float(alive * rest)


# -- limits of the model ------------------------------------------------------------------


def nbd_limit(
    params: Mapping[str, float], t: float, x: int = 0, t_x: float = 0.0, T: float = 0.0
) -> float:
    """No dropout (b -> inf, so p -> 0): E[Y(t) | x, t_x, T] = (r + x) t / (alpha + T)."""
    del t_x  # every customer is alive in the limit
    r, alpha, _, _ = _params(params)
    return (r + x) * t / (alpha + T)


def fixed_dropout_limit(
    r: float, alpha: float, p: float, t: float, x: int = 0, t_x: float = 0.0, T: float = 0.0
) -> float:
    """a, b -> inf with a / (a + b) -> p: every customer drops out with the same p.

    E[Y(t) | x, t_x, T] = P(alive) (1 - ((alpha+T)/(alpha+T+p t))^(r+x)) / p with
    P(alive) = 1 / (1 + 1_{x>0} p/(1-p) ((alpha+T)/(alpha+t_x))^(r+x)).
    """
    _check_history(x, t_x, T)
    with mpmath.workdps(BASE_DPS):
        rr, al, pp, tt, tx, TT = (_mpf(v) for v in (r, alpha, p, t, t_x, T))
        odds = pp / (1 - pp) * ((al + TT) / (al + tx)) ** (rr + x) if x else 0
        bracket = -mpmath.expm1(-(rr + x) * mpmath.log1p(pp * tt / (al + TT))) / pp
        return float(bracket / (1 + odds))
