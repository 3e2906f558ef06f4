"""Chart notes: campaign periods, and dated notes people add ("price rise", "system outage"),
drawn on every time chart whose period they fall in — in the app, at a share link and in reports.

Notes are the team's: everyone sees them (analysts and up add them). Campaign periods come from
the campaigns table of the reader's scope, so a reader sees the campaigns their rows allow.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.auth import access, audit
from insight.auth.users import User
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.i18n import msg
from insight.semantic.scope import Scope

MAX_TEXT = 200
#: Campaign periods drawn on one chart at most (the latest ones in its range).
MAX_CAMPAIGNS = 12
#: Characters of a note shown on the chart (the whole text is its hover text).
LABEL_CHARS = 40
COLORS = {"campaign": "#f59f00", "note": "#c92a2a"}
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Mark:
    start: dt.date
    end: dt.date  # the last day (= start for a one-day note)
    label: str
    kind: str  # campaign | note
    ref: str  # campaign id or note id, in the shape's name


def add(ws: Workspace, user: User, day: dt.date, text: str, end: dt.date | None = None) -> int:
    """A dated note (a period when `end` is given); returns its id."""
    if not access.can(user.role, "save_views"):
        raise InsightError(msg("notes.denied", role=user.role))
    text = " ".join((text or "").split())
    if not text or len(text) > MAX_TEXT:
        raise InsightError(msg("notes.bad_text", n=MAX_TEXT))
    if end is not None and end < day:
        raise InsightError(msg("notes.bad_end", day=day.isoformat(), end=end.isoformat()))
    with ws.writer() as cur:
        return cur.execute(
            "INSERT INTO _annotations (day, end_day, text, author, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
            [day, end if end != day else None, text, user.name, audit.now()],
        ).fetchone()[0]


def remove(ws: Workspace, user: User, note_id: int) -> None:
    """Delete a note: its author may, and an administrator."""
    author = ws.scalar("SELECT author FROM _annotations WHERE id = ?", [note_id])
    if author is None:
        raise InsightError(msg("notes.unknown", id=note_id))
    if author != user.name and not access.can(user.role, "settings"):
        raise InsightError(msg("notes.not_yours", id=note_id))
    with ws.writer() as cur:
        cur.execute("DELETE FROM _annotations WHERE id = ?", [note_id])


def notes(ws: Workspace) -> pd.DataFrame:
    return ws.query("SELECT id, day, end_day, text, author, created_at FROM _annotations ORDER BY day, id")


def marks(scope: Scope) -> list[Mark]:
    """The notes, and the periods of the campaigns in the scope (those of the `campaign` filter
    when it is set)."""
    out = [
        Mark(
            _day(r["day"]), _day(r["end_day"] if pd.notna(r["end_day"]) else r["day"]), r["text"], "note", str(r["id"])
        )
        for r in notes(scope.ws).to_dict("records")
    ]
    if scope.has("campaigns", "campaign_id", "start_date"):
        end = "t.end_date" if scope.has("campaigns", "end_date") else "NULL"
        name = (
            "coalesce(CAST(t.name AS VARCHAR), CAST(t.campaign_id AS VARCHAR))"
            if scope.has("campaigns", "name")
            else ("CAST(t.campaign_id AS VARCHAR)")
        )
        chosen = scope.filters.values("campaign")
        where = f"CAST(t.campaign_id AS VARCHAR) IN ({', '.join('?' for _ in chosen)})" if chosen else "true"
        found = scope.query(
            f"SELECT CAST(t.campaign_id AS VARCHAR) AS id, {name} AS name, CAST(t.start_date AS DATE) AS start_day, "
            f"CAST(coalesce({end}, t.start_date) AS DATE) AS end_day FROM {scope.table('campaigns')} t "
            f"WHERE t.start_date IS NOT NULL AND {where} ORDER BY start_day",
            list(chosen),
        )
        for r in found.to_dict("records"):
            start, last = _day(r["start_day"]), _day(r["end_day"])
            out.append(Mark(start, max(start, last), r["name"], "campaign", r["id"]))
    return out


def draw(fig: dict, found: list[Mark]) -> dict:
    """`fig` (a figure dict) with the marks that fall in its time range (`overlay`)."""
    shapes, labels = overlay(fig, found)
    if shapes:
        layout = fig["layout"]
        layout["shapes"] = [*layout.get("shapes", ()), *shapes]
        layout["annotations"] = [*layout.get("annotations", ()), *labels]
    return fig


def overlay(fig: dict, found: list[Mark]) -> tuple[list[dict], list[dict]]:
    """The shapes and labels of the marks that fall in `fig`'s time range, as the layout dicts a
    figure's `to_dict` holds for them: campaign periods as shaded bands, notes as dotted lines
    (or bands, for a period), each labelled; none for charts without a time axis. Labels are
    user text: escaped, so Plotly draws them as text."""
    axis = time_axis(fig) if found else None
    if axis is None:
        return [], []
    kind, lo, hi, months = axis
    shown = [m for m in found if m.start <= hi and m.end >= lo]
    campaigns = [m for m in shown if m.kind == "campaign"][-MAX_CAMPAIGNS:]
    shapes: list[dict] = []
    labels: list[dict] = []
    for i, m in enumerate([*campaigns, *(m for m in shown if m.kind == "note")]):
        if kind == "month":  # category positions: a band covers its months' whole slots
            inside = [j for j, month in enumerate(months) if f"{m.start:%Y-%m}" <= month <= f"{m.end:%Y-%m}"]
            if not inside:
                continue
            x0, x1 = inside[0] - 0.5, inside[-1] + 0.5
        else:
            x0, x1 = max(m.start, lo), min(m.end, hi) + dt.timedelta(days=1)
        color = COLORS[m.kind]
        name = f"{m.kind}:{m.ref}"
        if m.kind == "note" and m.start == m.end and kind == "date":
            line = {"color": color, "dash": "dot", "width": 1.5}
            shapes.append(
                {"type": "line", "x0": x0, "x1": x0, "y0": 0, "y1": 1, "yref": "paper", "name": name, "line": line}
            )
        else:
            opacity = 0.12 if m.kind == "campaign" else 0.18
            shapes.append(
                {"type": "rect", "x0": x0, "x1": x1, "y0": 0, "y1": 1, "yref": "paper", "name": name,
                 "fillcolor": color, "opacity": opacity, "line": {"width": 0}, "layer": "below"}
            )  # fmt: skip
        label = m.label if len(m.label) <= LABEL_CHARS else m.label[: LABEL_CHARS - 1] + "…"
        labels.append(
            {"x": x0, "y": 1 - 0.07 * (i % 4), "xref": "x", "yref": "paper", "text": html.escape(label),
             "showarrow": False, "xanchor": "left", "yanchor": "top", "font": {"size": 10, "color": color},
             "hovertext": html.escape(m.label), "name": name}
        )  # fmt: skip
    return shapes, labels


def time_axis(fig: dict) -> tuple[str, dt.date, dt.date, list[str]] | None:
    """("date", first day, last day, []) for a chart over dates; ("month", first, last, months)
    for a chart over "YYYY-MM" categories; None for any other chart."""
    values = []
    for trace in fig["data"]:
        x = trace.get("x")
        if x is not None:
            values += [v for v in list(x) if v is not None and not (isinstance(v, float) and np.isnan(v))]
    if not values:
        return None
    if all(isinstance(v, str) and _MONTH.match(v) for v in values):
        months = list(dict.fromkeys(values))
        first, last = min(months), max(months)
        end = (pd.Timestamp(f"{last}-01") + pd.offsets.MonthEnd(0)).date()
        return "month", pd.Timestamp(f"{first}-01").date(), end, months
    if not all(_is_date(v) for v in values):
        return None
    days = pd.to_datetime(pd.Series(values)).dt.normalize().drop_duplicates().sort_values()
    step = days.diff().median() if len(days) > 1 else pd.Timedelta(days=1)
    last = days.iloc[-1] + (step if pd.notna(step) else pd.Timedelta(days=1)) - pd.Timedelta(days=1)
    return "date", days.iloc[0].date(), last.date(), []


def _is_date(v) -> bool:
    if isinstance(v, dt.date | np.datetime64 | pd.Timestamp):
        return True
    return isinstance(v, str) and bool(_DAY.match(v))


def _day(v) -> dt.date:
    return pd.Timestamp(v).date()
