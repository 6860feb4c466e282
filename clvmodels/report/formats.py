"""Tables as a manager reads them: headers in words, shares in %, money in the currency.

:func:`readable_frame` turns a result table (snake_case columns, raw floats) into text
cells for the page and the terminal alike; the CSV copies keep the raw numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

__all__ = [
    "MONEY_COLUMNS",
    "SHARE_COLUMNS",
    "column_words",
    "percent",
    "readable_frame",
    "readable_number",
]

#: Column -> header in words (other columns: underscores become spaces).
_WORDS = {
    "mae": "mean abs. error",
    "rmse": "RMS error",
    "bias": "mean error",
    "spearman": "rank correlation",
    "top10_capture": "top 10 % capture",
    "top20_capture": "top 20 % capture",
    "lift_top10": "lift of top 10 %",
    "gini": "Gini",
    "total_error": "error on total",
    "total_relative_error": "error on total, %",
    "purchases_error": "error in purchases",
    "purchases_relative_error": "error in purchases, %",
    "revenue_error": "error in revenue",
    "revenue_relative_error": "error in revenue, %",
    "n_customers": "customers",
    "p_alive": "P(alive)",
    "T": "T (age)",
    "frequency": "repeat purchases",
    "clv": "CLV",
    "clv_lower": "CLV 90 % low",
    "clv_upper": "CLV 90 % high",
    "monetary_value": "mean spend",
    "equity_minus_probabilistic": "difference to probabilistic",
    "std_error": "std. error",
    "lower_95%": "95 % low",
    "upper_95%": "95 % high",
    "sbg_clv": "sBG value",
    "deterministic_clv": "retention-formula value",
    "hdi_3%": "94 % HDI low",
    "hdi_97%": "94 % HDI high",
    "r_hat": "R-hat",
    "ess_bulk": "ESS bulk",
    "ess_tail": "ESS tail",
    "sd": "sd",
}
#: Fractions shown as percentages.
SHARE_COLUMNS = frozenset(
    {
        "total_relative_error",
        "purchases_relative_error",
        "revenue_relative_error",
        "top10_capture",
        "top20_capture",
        "retention_rate",
        "p_alive",
    }
)
#: Amounts of money (the currency goes into their header).
MONEY_COLUMNS = frozenset(
    {
        "monetary_value",
        "expected_spend",
        "clv",
        "clv_lower",
        "clv_upper",
        "customer_equity",
        "mean",
        "median",
        "equity_minus_probabilistic",
        "predicted_revenue",
        "actual_revenue",
        "revenue_error",
    }
)
#: Columns of a table of revenue errors (the value metrics) that are money too.
_MONEY_METRICS = frozenset(
    {"mae", "rmse", "bias", "actual_total", "predicted_total", "total_error"}
)


def readable_number(value: float, decimals: int | None = None) -> str:
    """Thousands in full with separators, else four significant digits; never 1.687e+04.

    With ``decimals``, that many decimals (money). Tiny values keep an exponent
    (``1.5e-05``), as they would otherwise read as 0.

    Examples
    --------
    >>> [readable_number(v) for v in (19684.0, 0.78546, -2810.3, 1.5e-5, 3.0)]
    ['19,684', '0.7855', '-2,810', '1.5e-05', '3']
    >>> readable_number(1234.5, 2)
    '1,234.50'
    """
    if not math.isfinite(value):
        return "" if math.isnan(value) else str(value)
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    if abs(value) >= 1e15:  # a parameter run to infinity: digits would mean nothing
        return f"{value:.3g}"
    if value.is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def percent(share: float, digits: int = 1) -> str:
    """A fraction as a percentage with a space before the sign: ``-14.3 %``.

    Examples
    --------
    >>> percent(-0.14283), percent(0.5)
    ('-14.3 %', '50.0 %')
    """
    if not math.isfinite(share):
        return ""
    return f"{share * 100:,.{digits}f} %"


def column_words(column: object, currency: str | None = None, money: bool = False) -> str:
    """A column's header in words, with ``(currency)`` for money."""
    text = _WORDS.get(str(column), str(column).replace("_", " "))
    return f"{text} ({currency})" if money and currency else text


def readable_frame(
    frame: pd.DataFrame,
    currency: str | None = None,
    decimals: int | None = None,
    money: Iterable[str] = (),
    money_table: bool = False,
) -> pd.DataFrame:
    """``frame`` as text cells with headers in words, for the page and the terminal.

    Parameters
    ----------
    frame
        A result table; its index is kept (its name put in words).
    currency
        Named in the headers of money columns, e.g. ``"EUR"``.
    decimals
        Decimals for every non-share float (default: money with cents below 10,000
        and without from there, other numbers four significant digits, thousands in
        full).
    money
        More columns that hold money.
    money_table
        The table's errors and totals are revenue (the value metrics).

    Returns
    -------
    pandas.DataFrame
        Text cells; an empty cell where the value is missing.
    """
    money_columns = set(MONEY_COLUMNS) | set(money)
    if money_table:
        money_columns |= _MONEY_METRICS
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        is_money = column in money_columns
        if column in SHARE_COLUMNS and pd.api.types.is_numeric_dtype(values):
            cells = [percent(float(v)) for v in values]
        elif pd.api.types.is_integer_dtype(values):
            cells = [readable_number(float(v)) for v in values]
        elif pd.api.types.is_float_dtype(values):
            if is_money and decimals is None:  # cents, but not on amounts of 10,000 or more
                cells = [readable_number(float(v), 2 if abs(v) < 1e4 else 0) for v in values]
            else:
                cells = [readable_number(float(v), decimals) for v in values]
        else:
            cells = ["" if v is None or v != v else str(v) for v in values]
        out[column_words(column, currency, is_money)] = cells
    names = [column_words(n) if n is not None else None for n in frame.index.names]
    out.index = out.index.set_names(names)
    return out
