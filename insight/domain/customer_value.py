"""Customer lifetime value (SPEC §6): CLV = margin × (revenue to date + revenue of the last 12
months × r / (1 + d − r)), r the measured yearly retention on the segment table
(insight/domain/segments.py), d the discount rate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from insight import settings
from insight.cache import memo
from insight.db.workspace import Workspace
from insight.domain.segments import SEGMENTS, Options, segment_as_of
from insight.semantic.scope import Scope


def retention(scope: Scope) -> float | None:
    """Yearly retention: customers of the year before the last 12 months who bought again in
    them. None when the data does not reach back two years."""
    return _retention(scope.ws, scope.table(SEGMENTS), segment_as_of(scope))


@memo(64, key=lambda ws, table, as_of: (str(ws.path), table, as_of))
def _retention(ws: Workspace, table: str, as_of: dt.date) -> float | None:
    """Retention from the segment table `table` (its name is its key: the same table gives the
    same figure to every card, view and model that asks, on every script run)."""
    row = ws.query(
        f"SELECT count(*) FILTER (WHERE active_y2) AS base, count(*) FILTER (WHERE active_y2 AND active_y1) AS kept, "
        f"min(first_at) AS first FROM {table}"
    ).iloc[0]
    if not row["base"] or pd.Timestamp(row["first"]).date() > as_of - dt.timedelta(days=730):
        return None
    return float(row["kept"]) / float(row["base"])


@dataclass(frozen=True)
class Clv:
    margin: float
    retention: float | None
    discount: float
    years: float  # expected further years of the last 12 months' revenue: r / (1 + d − r)

    def sql(self, alias: str = "s") -> str:
        return f"{self.margin!r} * ({alias}.history + {alias}.annual * {self.years!r})"

    def to_dict(self) -> dict:
        return {"margin": self.margin, "retention": self.retention, "discount": self.discount, "years": self.years}


def clv_inputs(scope: Scope) -> Clv:
    options, _ = Options.from_extra(dict(scope.filters.extra))
    r = retention(scope)
    d = settings.CLV_DISCOUNT
    years = r / (1 + d - r) if r is not None else 0.0
    return Clv(options.margin, r, d, years)
