"""Figures: free functions that take fitted models or result frames and return Axes.

matplotlib is imported when the first figure is drawn, never when clvmodels is
imported; no plot fits anything.
"""

from clvmodels.plotting.calibration import calibration_vs_holdout_table, plot_calibration_vs_holdout
from clvmodels.plotting.heatmaps import frequency_recency_matrix, plot_frequency_recency_matrix
from clvmodels.plotting.history import plot_probability_alive_history, probability_alive_history
from clvmodels.plotting.posterior import plot_posterior, plot_trace
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
    "calibration_vs_holdout_table",
    "frequency_recency_matrix",
    "lorenz_curve",
    "mean_spend_density",
    "plot_calibration_vs_holdout",
    "plot_clv_distribution",
    "plot_frequency_recency_matrix",
    "plot_lorenz_curve",
    "plot_posterior",
    "plot_predicted_vs_actual",
    "plot_probability_alive_history",
    "plot_retention",
    "plot_spend_distribution",
    "plot_trace",
    "plot_tracking",
    "predicted_vs_actual_table",
    "probability_alive_history",
]
