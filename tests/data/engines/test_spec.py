"""The SQL period ordinals count periods as pandas ``Period`` ordinals do, for every alias."""

import numpy as np
import pandas as pd
import pytest

from clvmodels.data.engines.spec import period_expression

ALIASES = ["D", "W", *(f"W-{d}" for d in ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"))]
ALIASES += ["M", "Q", "Y"]


@pytest.mark.parametrize("alias", ALIASES)
def test_period_ordinals_match_pandas(alias):
    duckdb = pytest.importorskip("duckdb")
    # Every day from 1968 (before day 0) to 2026, leap years included.
    days = pd.date_range("1968-01-01", "2026-12-31", freq="D")
    frame = pd.DataFrame(
        {
            "day": (days - pd.Timestamp("1970-01-01")).days.to_numpy(np.int64),
            "yr": days.year.to_numpy(np.int64),
            "mon": days.month.to_numpy(np.int64),
        }
    )
    expression = period_expression(alias, "day", "yr", "mon")
    ours = (
        duckdb.connect()
        .from_df(frame)
        .query("days", f"SELECT {expression} AS period FROM days ORDER BY day")
        .df()["period"]
        .to_numpy()
    )
    theirs = days.to_period(alias).asi8
    # Only differences of ordinals are used: they must agree everywhere.
    np.testing.assert_array_equal(ours - ours[0], theirs - theirs[0])


def test_unknown_alias_is_refused():
    with pytest.raises(ValueError, match="period alias 'H'"):
        period_expression("H", "day", "yr", "mon")
