"""One customer's 360° view: profile, orders timeline, tickets and summary figures."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from insight.db.workspace import quote
from insight.domain import customer_value, segment_tables, segments
from insight.ml import clusters
from insight.semantic.scope import Scope
from insight.views.rows import visible_columns


@dataclass
class CustomerView:
    id: str
    found: bool
    profile: dict = field(default_factory=dict)
    orders: pd.DataFrame = field(default_factory=pd.DataFrame)
    tickets: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: dict = field(default_factory=dict)
    segment: dict | None = None  # RFM scores, segment, tier, CLV and cluster in the period


def customer_view(scope: Scope, customer_id: str) -> CustomerView:
    """Everything about one customer, over all their history (the period does not cut it)."""
    view = CustomerView(customer_id, False)
    if scope.snap.has("customers"):
        cols = ", ".join(quote(c) for c in visible_columns(scope, "customers"))
        found = scope.query(
            f"SELECT {cols} FROM {scope.table('customers')} WHERE customer_id = ? LIMIT 1", [customer_id]
        )
        if len(found):
            view.found = True
            view.profile = {k: v for k, v in found.iloc[0].to_dict().items() if pd.notna(v)}
    if scope.has("orders", "customer_id"):
        cols = ", ".join(f"t.{quote(c)}" for c in visible_columns(scope, "orders"))
        view.orders = scope.query(
            f"SELECT {cols}, t._valid AS counted FROM {scope.table('orders')} t WHERE t.customer_id = ? "
            f"ORDER BY t.order_date",
            [customer_id],
        )
        view.found = view.found or len(view.orders) > 0
    if scope.has("tickets", "customer_id"):
        cols = ", ".join(f"t.{quote(c)}" for c in visible_columns(scope, "tickets"))
        view.tickets = scope.query(
            f"SELECT {cols} FROM {scope.table('tickets')} t WHERE t.customer_id = ? ORDER BY t.created_at DESC",
            [customer_id],
        )
        view.found = view.found or len(view.tickets) > 0
    if view.found and scope.has("orders", "customer_id") and scope.period:
        with_seg = segments.with_segments(scope)
        view.segment = segment_tables.customer(with_seg, customer_value.clv_inputs(with_seg), customer_id)
        if view.segment is not None:
            view.segment["cluster"] = clusters.lookup(with_seg, customer_id)
    counted = view.orders[view.orders["counted"]] if len(view.orders) else view.orders
    view.summary = {
        "revenue": float(counted["amount"].sum()) if len(counted) else 0.0,
        "orders": int(counted["order_id"].nunique()) if "order_id" in counted else len(counted),
        "first_order": counted["order_date"].min() if len(counted) else None,
        "last_order": counted["order_date"].max() if len(counted) else None,
        "tickets": len(view.tickets),
        "csat": float(view.tickets["satisfaction"].mean())
        if "satisfaction" in view.tickets and view.tickets["satisfaction"].notna().any()
        else None,
    }
    return view
