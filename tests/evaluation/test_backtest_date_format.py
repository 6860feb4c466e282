"""``clv.backtest(..., datetime_format=...)`` parses the dates once for every step.

The CDNOW sample purchases on days 1-12 (every date also reads month first): the
reference is the backtest of the same log with datetime values.
"""

import pandas as pd
import pytest

import clvmodels as clv
from clvmodels.exceptions import DataValidationError


@pytest.fixture(scope="module")
def early_days():
    log = clv.datasets.load_cdnow_sample_transactions()
    return log[log["date"].dt.day <= 12][["customer_id", "date", "spend"]]


def _backtest(log, **options):
    return clv.backtest(
        log,
        "customer_id",
        "date",
        "1997-09-30",
        monetary_value_col="spend",
        time_unit="W",
        **options,
    )


def test_text_dates_with_a_format_backtest_as_datetimes(early_days):
    expected = _backtest(early_days)
    text = early_days.assign(date=early_days["date"].dt.strftime("%d/%m/%Y"))
    result = _backtest(text, datetime_format="%d/%m/%Y")
    pd.testing.assert_frame_equal(result.metrics, expected.metrics)
    pd.testing.assert_frame_equal(result.tracking, expected.tracking)
    # Without the format the same text is refused, not read month first.
    with pytest.raises(DataValidationError, match="give datetime_format='%d/%m/%Y'"):
        _backtest(text)
