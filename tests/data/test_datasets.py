import subprocess
import sys
from pathlib import Path

import lifetimes
import numpy as np
import pandas as pd

import clvmodels as clv

LIFETIMES_DATA = Path(lifetimes.__file__).parent / "datasets"


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


def test_cdnow_sample_is_the_published_2357_customer_log():
    # Fader & Hardie's CDNOW_sample.txt: 6,919 transactions of 2,357 customers whose first
    # purchase falls in the first 12 weeks of 1997 (1997-01-01..1997-03-25), to 1998-06-30.
    tx = clv.datasets.load_cdnow_sample_transactions()
    assert list(tx.columns) == ["customer_id", "master_id", "date", "quantity", "spend"]
    assert len(tx) == 6_919
    assert tx["customer_id"].nunique() == 2_357
    assert tx["master_id"].nunique() == 2_357
    first = tx.groupby("customer_id")["date"].min()
    assert first.min() == pd.Timestamp("1997-01-01")
    assert first.max() == pd.Timestamp("1997-03-25")
    assert tx["date"].max() == pd.Timestamp("1998-06-30")
    # customer 1 is master customer 4: four purchases of 2, 2, 1 and 2 CDs
    one = tx[tx["customer_id"] == 1]
    assert one["master_id"].unique().tolist() == [4]
    assert one["quantity"].tolist() == [2, 2, 1, 2]
    assert one["spend"].tolist() == [29.33, 29.73, 14.96, 26.48]


def test_cdnow_sample_rows_are_master_log_rows(cdnow_transactions):
    sample = clv.datasets.load_cdnow_sample_transactions()
    master = cdnow_transactions[cdnow_transactions["customer_id"].isin(sample["master_id"])]
    key = ["date", "quantity", "spend"]
    ours = sample.rename(columns={"customer_id": "cohort_id", "master_id": "customer_id"})
    ours = ours.sort_values(["customer_id", *key]).reset_index(drop=True)
    master = master.sort_values(["customer_id", *key]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours[["customer_id", *key]], master[["customer_id", *key]])


def _whitespace_log(path: Path, names: list[str], skiprows: int) -> pd.DataFrame:
    return pd.read_csv(path, sep=r"\s+", header=None, names=names, skiprows=skiprows)


def test_bundled_files_hold_the_values_lifetimes_ships(cdnow_transactions, cdnow_summary):
    # The bundled .csv.gz files are re-encodings of lifetimes' files: compare every value.
    names = ["customer_id", "date", "quantity", "spend"]
    master = _whitespace_log(LIFETIMES_DATA / "CDNOW_master.txt", names, 1)
    np.testing.assert_array_equal(cdnow_transactions["customer_id"], master["customer_id"])
    np.testing.assert_array_equal(
        cdnow_transactions["date"].dt.strftime("%Y%m%d").astype(int), master["date"]
    )
    np.testing.assert_array_equal(cdnow_transactions["quantity"], master["quantity"])
    np.testing.assert_array_equal(cdnow_transactions["spend"], master["spend"])

    sample = _whitespace_log(LIFETIMES_DATA / "CDNOW_sample.txt", ["master_id", *names], 0)
    ours = clv.datasets.load_cdnow_sample_transactions()
    for column in ["customer_id", "master_id", "quantity", "spend"]:
        np.testing.assert_array_equal(ours[column], sample[column])
    np.testing.assert_array_equal(ours["date"].dt.strftime("%Y%m%d").astype(int), sample["date"])

    published = pd.read_csv(LIFETIMES_DATA / "cdnow_customers_summary_with_transactions.csv")
    np.testing.assert_array_equal(cdnow_summary.index, published["ID"])
    np.testing.assert_array_equal(
        cdnow_summary.to_numpy(), published[["x", "t_x", "T", "zbar"]].to_numpy()
    )


def test_datasets_load_without_lifetimes_installed():
    # Nothing is read from another package at run time: block `lifetimes` and load.
    code = (
        "import sys; sys.modules['lifetimes'] = None\n"
        "import clvmodels as clv\n"
        "d = clv.datasets\n"
        "print(len(d.load_cdnow_transactions()), len(d.load_cdnow_sample_transactions()),"
        " len(d.load_cdnow_summary()))\n"
    )
    root = Path(clv.__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert out.stdout.split() == ["69659", "6919", "2357"]


def test_retention_cohorts_are_the_printed_counts():
    # Fader & Hardie (2007), "How to project customer retention".
    cohorts = clv.datasets.load_retention_cohorts()
    assert cohorts["regular"].tolist() == [1000, 631, 468, 382, 326, 289, 262, 241]
    assert cohorts["high_end"].tolist() == [1000, 869, 743, 653, 593, 551, 517, 491]
    assert list(cohorts.index) == list(range(8))
