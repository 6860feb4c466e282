"""Draw the README's figures from the CDNOW backtest: ``python notebooks/make_figures.py``.

Writes ``notebooks/figures/tracking.png``, ``calibration_vs_holdout.png`` and
``predicted_vs_actual.png`` (about two seconds; no network).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import clvmodels as clv  # noqa: E402
from clvmodels import plotting  # noqa: E402

FIGURES = Path(__file__).resolve().parent / "figures"


def main() -> None:
    """Run the backtest of the README and save three figures."""
    log = clv.datasets.load_cdnow_sample_transactions()
    result = clv.backtest(
        log, "customer_id", "date", "1997-09-30", "1998-06-30", monetary_value_col="spend", time_unit="W"
    )
    FIGURES.mkdir(exist_ok=True)
    drawings = {
        "tracking.png": lambda ax: plotting.plot_tracking(result, cumulative=False, ax=ax),
        "calibration_vs_holdout.png": lambda ax: plotting.plot_calibration_vs_holdout(
            result, ax=ax
        ),
        "predicted_vs_actual.png": lambda ax: plotting.plot_predicted_vs_actual(result, ax=ax),
    }
    for name, draw in drawings.items():
        figure, ax = plt.subplots(figsize=(7.5, 4.5))
        draw(ax)
        figure.tight_layout()
        figure.savefig(FIGURES / name, dpi=90, metadata={"Software": None})
        plt.close(figure)
        print(f"wrote {FIGURES / name}")


if __name__ == "__main__":
    main()
