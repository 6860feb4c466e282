import pandas as pd

import clvmodels as clv


def test_cdnow_transactions_is_the_full_master_log(cdnow_transactions):
    # CDNOW master: 23,570 customers acquired in 1997Q1, observed to 1998-06-30.
    tx = cdnow_transactions
    assert list(tx.columns) == ["customer_id", "date", "quantity", "spend"]
    assert len(tx) == 69_659
    assert tx["customer_id"].nunique() == 23_570
    assert tx["date"].min() == pd.Timestamp("1997-01-01")
    assert tx["date"].max() == pd.Timestamp("1998-06-30")
    assert pd.api.types.is_datetime64_any_dtype(tx["date"])
    assert (tx["spend"] >= 0).all()


def test_cdnow_summary_matches_the_published_cohort(cdnow_summary):
    # Fader, Hardie & Lee (2005): 2,357 customers, 946 of them repeat buyers; customer 1
    # has x = 2, t_x = 30.43, T = 38.86.
    s = cdnow_summary
    assert len(s) == 2357
    assert int((s["frequency"] > 0).sum()) == 946
    assert s.loc[1, ["frequency", "recency", "T"]].tolist() == [2, 30.43, 38.86]
    assert s.attrs["time_unit"] == "W"
    assert s.index.name == "customer_id"


def test_retention_cohorts_are_the_printed_counts():
    # Fader & Hardie (2007), "How to project customer retention".
    cohorts = clv.datasets.load_retention_cohorts()
    assert cohorts["regular"].tolist() == [1000, 631, 468, 382, 326, 289, 262, 241]
    assert cohorts["high_end"].tolist() == [1000, 869, 743, 653, 593, 551, 517, 491]
    assert list(cohorts.index) == list(range(8))
