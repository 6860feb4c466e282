"""Transaction log -> summary: validation, units, splits and bundled datasets."""

from clvmodels.data import datasets
from clvmodels.data.engines.reduction import rfm_sufficient_statistics
from clvmodels.data.summary import calibration_holdout_split, rfm_summary
from clvmodels.data.summary_frame import RFMSummary, as_summary
from clvmodels.data.units import with_time_unit
from clvmodels.data.validation import check_summary

__all__ = [
    "RFMSummary",
    "as_summary",
    "calibration_holdout_split",
    "check_summary",
    "datasets",
    "rfm_summary",
    "rfm_sufficient_statistics",
    "with_time_unit",
]
