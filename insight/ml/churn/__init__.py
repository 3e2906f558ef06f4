"""The churn-risk model's parts: `features` (the customer frames pulled from the engine),
`guard` (what a model may use, and whether it beats its baselines), `estimator` (the
scikit-learn pipeline) and `lists` (risk, reasons and the at-risk list). `insight.ml.churn_model`
trains with them."""
