"""The frameworks below the models: how any model is estimated, stored and described.

- :mod:`.mle`: the maximum-likelihood sequence every model plugs into;
- :mod:`.bayes`: the Bayesian template (priors on log-parameters, sampling, diagnostics),
  with :mod:`.inference`, :mod:`.density`, :mod:`.compiled`, :mod:`.posterior`,
  :mod:`.intervals` and :mod:`.purchase_predictions` beneath it;
- :mod:`.rows`: the one compressed-rows type (distinct data rows with counts);
- :mod:`.persistence` and :mod:`.posterior_files`: model files (JSON; NetCDF folders);
- :mod:`.protocols`: what a purchase, spend or retention model offers, and the
  capabilities it declares;
- :mod:`.params`: ``get_params`` / ``set_params`` / ``clone``;
- :mod:`.rfm_predictions`: the prediction methods shared by the purchase models.

Nothing here knows a particular model; the models (``clvmodels.models``) build on it.
"""
