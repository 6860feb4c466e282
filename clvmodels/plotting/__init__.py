"""Figures: free functions that take fitted models or result frames and return Axes.

matplotlib is imported when the first figure is drawn, never when clvmodels is
imported; no plot fits anything.
"""

from clvmodels.plotting.calibration import (
    calibration_purchases_vs_holdout_table,
    calibration_vs_holdout_table,
    plot_calibration_purchases_vs_holdout_purchases,
    plot_calibration_vs_holdout,
)
from clvmodels.plotting.cumulative import (
    plot_cumulative_transactions,
    plot_incremental_transactions,
)
from clvmodels.plotting.heatmaps import frequency_recency_matrix, plot_frequency_recency_matrix
from clvmodels.plotting.heterogeneity import (
    mixing_distribution,
    plot_dropout_rate_heterogeneity,
    plot_transaction_rate_heterogeneity,
)
from clvmodels.plotting.history import plot_probability_alive_history, probability_alive_history
from clvmodels.plotting.posterior import plot_posterior, plot_trace
from clvmodels.plotting.purchases import (
    period_transactions,
    plot_expected_repeat_purchases,
    plot_period_transactions,
)
from clvmodels.plotting.retention import plot_retention
from clvmodels.plotting.spend import mean_spend_density, plot_spend_distribution
from clvmodels.plotting.tracking import plot_tracking
from clvmodels.plotting.value import (
    lorenz_curve,
    plot_clv_distribution,
    plot_lorenz_curve,
    plot_predicted_vs_actual,
    predicted_vs_actual_table,
)

__all__ = [
    "calibration_purchases_vs_holdout_table",
    "calibration_vs_holdout_table",
    "frequency_recency_matrix",
    "lorenz_curve",
    "mean_spend_density",
    "mixing_distribution",
    "period_transactions",
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_calibration_vs_holdout",
    "plot_clv_distribution",
    "plot_cumulative_transactions",
    "plot_dropout_rate_heterogeneity",
    "plot_expected_repeat_purchases",
    "plot_frequency_recency_matrix",
    "plot_incremental_transactions",
    "plot_lorenz_curve",
    "plot_period_transactions",
    "plot_posterior",
    "plot_predicted_vs_actual",
    "plot_probability_alive_history",
    "plot_retention",
    "plot_spend_distribution",
    "plot_trace",
    "plot_tracking",
    "plot_transaction_rate_heterogeneity",
    "predicted_vs_actual_table",
    "probability_alive_history",
]
