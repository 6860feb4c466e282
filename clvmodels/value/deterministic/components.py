"""Components of customer value and customer equity.

:func:`customer_purchase_value` and :func:`word_of_mouth_value` value two sources
of a customer's worth, :func:`total_customer_value` adds the components up, and
:func:`customer_equity` sums lifetime values over the customer base.  The
conventions shared by all deterministic formulas are described in
:mod:`clvmodels.value.deterministic`.
"""

from __future__ import annotations

from clvmodels.value.deterministic._checks import (
    _NON_NEGATIVE,
    _PROBABILITY,
    ArrayLike,
    Result,
    _combine,
    _finish,
    _to_array,
)

__all__ = [
    "customer_equity",
    "customer_purchase_value",
    "total_customer_value",
    "word_of_mouth_value",
]


def customer_purchase_value(
    spending_capacity: ArrayLike,
    share_of_wallet: ArrayLike,
    unit_margin: ArrayLike,
) -> Result:
    r"""Value of a customer's own purchases: capacity x share of wallet x margin.

    .. math:: V_{purchase} = W \times s \times m

    Parameters
    ----------
    spending_capacity : float or array-like
        Total category spend of the customer, :math:`W` (non-negative).
    share_of_wallet : float or array-like
        Share of that spend captured by the firm, :math:`s`, in ``[0, 1]``.
    unit_margin : float or array-like
        Margin per unit of spend, :math:`m` (e.g. 0.3).

    Returns
    -------
    float, ndarray or Series
        The purchase value per customer.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, negative capacity, share outside ``[0, 1]``
        or shape mismatch.

    References
    ----------
    .. [1] Kumar, V. (2008). Customer lifetime value: The path to
       profitability. *Foundations and Trends in Marketing*, 2(1), 1-96.

    Examples
    --------
    >>> customer_purchase_value(1000.0, 0.5, 0.2)
    100.0
    """
    (capacity, share, margin), labels, all_scalar = _combine(
        spending_capacity=_to_array(spending_capacity, "spending_capacity", _NON_NEGATIVE),
        share_of_wallet=_to_array(share_of_wallet, "share_of_wallet", _PROBABILITY),
        unit_margin=_to_array(unit_margin, "unit_margin"),
    )
    return _finish(capacity * share * margin, labels, all_scalar, "customer_purchase_value")


def word_of_mouth_value(
    influence: ArrayLike,
    reach: ArrayLike,
    average_purchase_value: ArrayLike,
) -> Result:
    r"""Value a customer creates through word of mouth.

    .. math:: V_{wom} = q \times n \times \bar{v}

    Parameters
    ----------
    influence : float or array-like
        Purchases induced per person reached, :math:`q` (non-negative;
        typically a conversion probability).
    reach : float or array-like
        Number of people the customer reaches, :math:`n` (non-negative).
    average_purchase_value : float or array-like
        Value of one induced purchase, :math:`\bar{v}`.

    Returns
    -------
    float, ndarray or Series
        The word-of-mouth value per customer.

    Raises
    ------
    DataValidationError
        On NaN/infinite input, negative influence or reach, or shape
        mismatch.

    References
    ----------
    .. [1] Kumar, V. (2008). Customer lifetime value: The path to
       profitability. *Foundations and Trends in Marketing*, 2(1), 1-96.
    .. [2] Kumar, V., Petersen, J. A., & Leone, R. P. (2007). How valuable
       is word of mouth? *Harvard Business Review*, 85(10), 139-146.

    Examples
    --------
    >>> word_of_mouth_value(0.1, 50, 40.0)
    200.0
    """
    (q, n, v), labels, all_scalar = _combine(
        influence=_to_array(influence, "influence", _NON_NEGATIVE),
        reach=_to_array(reach, "reach", _NON_NEGATIVE),
        average_purchase_value=_to_array(average_purchase_value, "average_purchase_value"),
    )
    return _finish(q * n * v, labels, all_scalar, "word_of_mouth_value")


def total_customer_value(
    purchase_value: ArrayLike,
    word_of_mouth_value: ArrayLike = 0.0,
    information_value: ArrayLike = 0.0,
    knowledge_value: ArrayLike = 0.0,
    transaction_value: ArrayLike = 0.0,
) -> Result:
    r"""Total value of a customer as the sum of its components.

    .. math::

       V = V_{purchase} + V_{wom} + V_{information} + V_{knowledge}
           + V_{transaction}

    Parameters
    ----------
    purchase_value : float or array-like
        Value of the customer's own purchases (e.g. from
        :func:`customer_purchase_value` or a CLV function).
    word_of_mouth_value : float or array-like, default 0.0
        Referral / word-of-mouth value (e.g. from :func:`word_of_mouth_value`).
    information_value : float or array-like, default 0.0
        Value of the information the customer provides.
    knowledge_value : float or array-like, default 0.0
        Value of the customer's feedback and ideas.
    transaction_value : float or array-like, default 0.0
        Other value from transactions (e.g. scale or network effects).

    Returns
    -------
    float, ndarray or Series
        The total value per customer.

    Raises
    ------
    DataValidationError
        On NaN/infinite input or shape mismatch.

    References
    ----------
    .. [1] Kumar, V. (2008). Customer lifetime value: The path to
       profitability. *Foundations and Trends in Marketing*, 2(1), 1-96.
    .. [2] Kumar, V., Aksoy, L., Donkers, B., Venkatesan, R., Wiesel, T., &
       Tillmanns, S. (2010). Undervalued or overvalued customers: Capturing
       total customer engagement value. *Journal of Service Research*,
       13(3), 297-310.

    Examples
    --------
    >>> total_customer_value(100.0, word_of_mouth_value=20.0, knowledge_value=5.0)
    125.0
    """
    parts, labels, all_scalar = _combine(
        purchase_value=_to_array(purchase_value, "purchase_value"),
        word_of_mouth_value=_to_array(word_of_mouth_value, "word_of_mouth_value"),
        information_value=_to_array(information_value, "information_value"),
        knowledge_value=_to_array(knowledge_value, "knowledge_value"),
        transaction_value=_to_array(transaction_value, "transaction_value"),
    )
    return _finish(sum(parts), labels, all_scalar, "total_customer_value")


def customer_equity(clv: ArrayLike) -> float:
    r"""Sum lifetime values over the customer base (customer equity).

    .. math:: CE = \sum_{i=1}^{N} \mathrm{CLV}_i

    Parameters
    ----------
    clv : float or array-like
        Lifetime value of each customer (any shape; all values are summed).

    Returns
    -------
    float
        The customer equity (0.0 for an empty base).

    Raises
    ------
    DataValidationError
        On NaN/infinite or non-numeric input.

    References
    ----------
    .. [1] Blattberg, R. C., & Deighton, J. (1996). Manage marketing by the
       customer equity test. *Harvard Business Review*, 74(4), 136-144.
    .. [2] Rust, R. T., Lemon, K. N., & Zeithaml, V. A. (2004). Return on
       marketing: Using customer equity to focus marketing strategy.
       *Journal of Marketing*, 68(1), 109-127.

    Examples
    --------
    >>> customer_equity([100.0, 250.0, -20.0])
    330.0
    """
    values, _ = _to_array(clv, "clv")
    return float(values.sum())
