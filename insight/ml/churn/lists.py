"""What the churn-risk model says about customers: each one's risk and reasons (the drivers of
their own risk), the at-risk list ranked by risk × value, and the retention list exported from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from insight.db import dialect
from insight.db.workspace import quote
from insight.ml.churn import estimator
from insight.ml.churn.features import Feature
from insight.semantic.scope import Scope

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from insight.ml.churn_model import Model

REASONS = 3  # reasons shown per customer
REASON_FEATURES = 8  # features (most important first) tried as reasons


def score(model: Pipeline, frame: pd.DataFrame, importance: pd.DataFrame, features: list[Feature]) -> pd.DataFrame:
    """Risk per customer and their top reasons: the features whose typical value (the median,
    or the most common category) would lower the customer's risk the most."""
    x, names = estimator.encoded(model, frame)  # encoded once: the swaps below reuse it
    trees = model[-1]
    risk = trees.predict_proba(x)[:, 1]
    index = {name: i for i, name in enumerate(names)}
    cats = {f.name for f in features if f.kind == "cat"}
    top = [f for f in importance["feature"] if f in index][:REASON_FEATURES]
    lifts = {}
    for name in top:
        column = x[:, index[name]]
        known = column[~np.isnan(column)]
        if name in cats:
            typical = np.bincount(known.astype(int)).argmax() if len(known) else np.nan
        else:
            typical = np.median(known) if len(known) else np.nan
        swapped = x.copy()
        swapped[:, index[name]] = typical
        lifts[name] = risk - trees.predict_proba(swapped)[:, 1]
    reasons: list[list] = [[] for _ in range(len(x))]
    if top:
        lift = np.column_stack([lifts[name] for name in top])
        order = np.argsort(-lift, axis=1)[:, :REASONS]
        values = {name: frame[name].to_numpy(object) for name in top}
        for i, row in enumerate(order):
            reasons[i] = [(top[j], _shown(values[top[j]][i])) for j in row if lift[i, j] > 0.01]
    return pd.DataFrame({"customer_id": frame["customer_id"].to_numpy(), "risk": risk, "reasons": reasons})


def _shown(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2f}"
    return str(value)


def at_risk(scope: Scope, model: Model) -> tuple[pd.DataFrame, str]:
    """Customers still here, ranked by risk × value: customer_id, name, risk, value,
    expected_loss, tier, last_contact and reasons. The value is CLV where orders exist, else a
    year of monthly charges, else none (ranked by risk alone). Returns (frame, value basis)."""
    frame = model.scores[["customer_id", "risk", "reasons"]].copy()
    basis = "none"
    if scope.has("orders", "customer_id", "order_date") and scope.period:
        from insight.domain import customer_value, segments

        seg_scope = segments.with_segments(scope)
        if seg_scope.snap.has(segments.SEGMENTS):
            clv = customer_value.clv_inputs(seg_scope)
            values = scope.query(
                f"SELECT s.customer_id, {clv.sql('s')} AS value, s.tier FROM {seg_scope.table(segments.SEGMENTS)} s "
                "WHERE s.active",
                cap=10_000_000,
            )
            frame = frame.merge(values, on="customer_id", how="left")
            basis = "clv"
    if basis == "none" and scope.has("customers", "monthly_charges"):
        values = scope.query(
            f"SELECT customer_id, 12 * {dialect.as_number('monthly_charges')} AS value FROM {scope.table('customers')}",
            cap=10_000_000,
        )
        frame = frame.merge(values, on="customer_id", how="left")
        basis = "annual_charges"
    if "tier" not in frame and scope.has("customers", "tier"):
        tiers = scope.query(f"SELECT customer_id, tier FROM {scope.table('customers')}", cap=10_000_000)
        frame = frame.merge(tiers, on="customer_id", how="left")
    if scope.has("customers", "name"):
        names = scope.query(f"SELECT customer_id, name FROM {scope.table('customers')}", cap=10_000_000)
        frame = frame.merge(names, on="customer_id", how="left")
    touches = []
    if scope.has("tickets", "customer_id", "created_at"):
        touches.append(f"SELECT customer_id, max(created_at) AS touched FROM {scope.table('tickets')} GROUP BY 1")
    if scope.has("contacts", "customer_id", "contacted_at"):
        touches.append(f"SELECT customer_id, max(contacted_at) AS touched FROM {scope.table('contacts')} GROUP BY 1")
    if touches:
        last = scope.query(
            f"SELECT customer_id, max(touched) AS last_contact FROM ({' UNION ALL '.join(touches)}) GROUP BY 1",
            cap=10_000_000,
        )
        frame = frame.merge(last, on="customer_id", how="left")
    if "value" not in frame:
        frame["value"] = np.nan
    frame["expected_loss"] = frame["risk"] * frame["value"]
    frame = frame.sort_values(
        ["expected_loss", "risk", "customer_id"], ascending=[False, False, True], na_position="last"
    )
    cols = ["customer_id", "name", "risk", "value", "expected_loss", "tier", "last_contact", "reasons"]
    return frame[[c for c in cols if c in frame]].reset_index(drop=True), basis


def reason_text(reasons, label) -> str:
    """`reasons` as one line, with feature names through `label` (the catalog)."""
    return "; ".join(f"{label(name)} = {value}" for name, value in reasons)


def customer_risk(model: Model, customer_id: str) -> dict | None:
    row = model.scores[model.scores["customer_id"] == customer_id]
    if row.empty:
        return None
    return {"risk": float(row["risk"].iloc[0]), "reasons": row["reasons"].iloc[0]}


def retention_list(
    scope: Scope, model: Model, label, attributes: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole at-risk list for a retention campaign (维系挽留), reasons as text, with the chosen
    customer attributes, and where it came from (data version, period, filters, definition,
    model) for the side sheet."""
    listed, basis = at_risk(scope, model)
    listed = listed.assign(reasons=[reason_text(r, label) for r in listed["reasons"]])
    wanted = [c for c in dict.fromkeys(attributes) if c in scope.columns.get("customers", ()) and c not in listed]
    if wanted:
        extra = scope.query(
            f"SELECT customer_id, {', '.join(quote(c) for c in wanted)} FROM {scope.table('customers')}",
            cap=10_000_000,
        )
        listed = listed.merge(extra, on="customer_id", how="left")
    d = model.definition
    trace = [
        {"filter": "ds", "values": str(scope.snap.version)},
        {"filter": "period", "values": f"{scope.period[0]} – {scope.period[1]}" if scope.period else ""},
        *[r for r in scope.filters.describe() if r["filter"] not in ("(none)", "tab")],
        {"filter": "churn", "values": f"{d.kind}, {d.days} days"},
        {"filter": "model", "values": f"{model.mode}, scored on {model.as_of}, ROC AUC {model.metrics['roc_auc']:.3f}"},
        {"filter": "value", "values": basis},
        {"filter": "customers", "values": str(len(listed))},
    ]
    return listed, pd.DataFrame(trace)
