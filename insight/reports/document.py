"""A report: one page view as its recipient sees it — title, period, active filters, KPI cards with
their changes, the page's charts and its main table — as one self-contained HTML document.

The figures come from `page_view`, the function the CLI `view` and the pages call, for the same
link and the same user, so a report's numbers are `view --json`'s. Charts are the pages' Plotly
figures with plotly.js inlined, so the document needs no network; insight/reports/printer.py
prints it to PDF or PNG with Chromium. Every value from the data or a URL is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from html import escape

import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from insight import chart_style, formatting, i18n, settings
from insight.auth import access, audit
from insight.auth.users import User
from insight.charts import base as chart_base
from insight.db.workspace import Workspace
from insight.domain import annotations
from insight.errors import InsightError
from insight.i18n import msg
from insight.reports import alerts, figures, saved
from insight.semantic import metrics
from insight.semantic.filters import COMPUTED_DIMENSIONS, DIMENSIONS
from insight.semantic.scope import Scope
from insight.views.views import PageView, needs_text, page_view, parse_link, reason

#: Width of a chart in the document, in CSS pixels: an A4 page less its margins.
CHART_WIDTH = 700
FONT = "'Noto Sans CJK SC', 'Noto Sans', 'DejaVu Sans', sans-serif"


@dataclass
class Kpi:
    label: str
    value: str
    change: str | None
    good: bool | None  # whether the change is good news (None: no change, or not measured)
    note: str | None = None  # why there is no value


@dataclass
class Report:
    view: PageView
    link: str
    lang: str
    user: User
    name: str | None = None  # the saved view's name, when the report is of one
    marks: list[annotations.Mark] = field(default_factory=list)
    generated_at: dt.datetime = field(default_factory=audit.now)

    def t(self, key: str, **values) -> str:
        return i18n.t(key, self.lang, **values)

    @property
    def title(self) -> str:
        return self.t(f"page.{self.view.page}")

    @property
    def subject(self) -> str:
        head = f"{self.name} · {self.title}" if self.name else self.title
        return f"{self.t('app.title')}: {head} · {self.period()}"

    def period(self) -> str:
        period = self.view.period
        if period is None:
            return self.t("app.period.none")
        return self.t("app.period", start=_date(period.start), end=_date(period.end))

    def version(self) -> str:
        period = self.view.period
        return "" if period is None else self.t("app.version", version=period.version)

    def filters(self) -> list[str]:
        """Active filters as `Label: values` (computed dimensions' codes translated)."""
        out = []
        for dim in DIMENSIONS:
            values = self.view.filters.values(dim.key)
            if values:
                shown = [self.t(f"{dim.key}.{v}") if dim.key in COMPUTED_DIMENSIONS else v for v in values]
                out.append(f"{self.t(dim.label)}: {', '.join(shown)}")
        out += [f"{k}={v}" for k, v in self.view.filters.extra]
        return out

    def filters_line(self) -> str:
        filters = self.filters()
        return self.t("report.filters", filters="; ".join(filters)) if filters else self.t("report.filters.none")

    def kpis(self) -> list[Kpi]:
        cmp = self.t(f"app.cmp.{self.view.filters.cmp}")
        out = []
        for kpi in self.view.kpis.values():
            m = metrics.REGISTRY[kpi.id]
            why = reason(kpi)  # no figure (a missing column, nothing in the period) or no comparison: why
            note = i18n.text(why, self.lang) if why is not None else None
            if kpi.missing or kpi.value is None:
                out.append(Kpi(self.t(m.label), "—", None, None, note))
                continue
            if kpi.note is not None:
                out.append(Kpi(self.t(m.label), formatting.value(kpi.value, m.fmt, self.lang), None, None, note))
                continue
            change = formatting.change(kpi.change, kpi.change_pct, m.fmt, self.lang)
            good = None if not kpi.change else (kpi.change > 0) == m.up_is_good
            shown = self.t("report.vs", change=change, cmp=cmp) if change else None
            out.append(Kpi(self.t(m.label), formatting.value(kpi.value, m.fmt, self.lang), shown, good))
        return out

    def notes(self) -> list[str]:
        return [i18n.text(n, self.lang) for n in self.view.notes]

    def alert_lines(self) -> list[str]:
        frame = getattr(self.view, "alerts", None)  # the Overview's
        if frame is None or frame.empty:
            return []
        return [alerts.describe(a, self.lang) for a in frame.to_dict("records")]

    def text(self) -> str:
        """The report as plain text (the body of its e-mail)."""
        lines = [self.subject, self.version(), self.t("report.as", user=self.user.name, rows=self.rows()), ""]
        lines.append(self.filters_line())
        for k in self.kpis():
            lines.append(
                f"{k.label}: {k.value}" + (f" ({k.change})" if k.change else "") + (f" — {k.note}" if k.note else "")
            )
        if self.alert_lines():
            lines += ["", self.t("overview.alerts"), *(f"- {a}" for a in self.alert_lines())]
        lines += ["", self.t("report.link", link=self.url)]
        return "\n".join(lines)

    @property
    def url(self) -> str:
        """The link to the view in the app (whole, with INSIGHT_BASE_URL)."""
        base = settings.base_url()
        return f"{base}/{self.link}" if base else self.link

    def rows(self) -> str:
        return self.t("auth.rows.all") if self.user.rows.everything else self.user.rows.describe()

    def html(self) -> str:
        return _document(self)


def resolve(ws: Workspace, user: User, target: str) -> tuple[str, str | None]:
    """(link, saved view name) of a report target: a saved view `user` may open, else a link."""
    try:
        view = saved.find(ws, user, target)
        return view.link(), view.name
    except InsightError as unknown:
        try:
            parse_link(target)
        except InsightError:
            raise unknown from None
        return target, None


def build(ws: Workspace, link: str, user: User, lang: str = i18n.DEFAULT_LANG, name: str | None = None) -> Report:
    """The report of a link (a saved view's, named `name`), as `user` sees it: their role and
    their row scope."""
    page, _ = parse_link(link)
    if page not in figures.REPORT_PAGES:
        pages = ", ".join(figures.REPORT_PAGES)
        raise InsightError(msg("report.page", page=page), hint=msg("report.page.hint", pages=pages))
    if not access.may_open(user.role, page):
        raise InsightError(msg("access.page_denied", page=page, role=user.role))
    view = page_view(ws, link, user.rows)
    marks = annotations.marks(Scope.open(ws, view.filters, rows=user.rows))
    return Report(view, link, lang if lang in i18n.LANGS else i18n.DEFAULT_LANG, user, name, marks)


# --- the document -----------------------------------------------------------------------------


@functools.cache
def _plotly_js() -> str:
    return get_plotlyjs()


_CSS = f"""
@page {{ size: A4; margin: 12mm; }}
body {{ font-family: {FONT}; color: #212529; font-size: 12px; margin: 0; width: {CHART_WIDTH + 20}px; }}
header .app {{ color: #6c757d; font-size: 11px; }}
h1 {{ font-size: 22px; margin: 2px 0 4px; }}
h2 {{ font-size: 15px; margin: 18px 0 6px; }}
.meta, .filters, .notes {{ color: #495057; margin: 2px 0; }}
.notes li {{ color: #9c6500; }}
.kpis {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; margin: 12px 0; }}
.kpi {{ border: 1px solid #dee2e6; border-radius: 6px; padding: 8px 10px; break-inside: avoid; }}
.kpi .label {{ color: #495057; }}
.kpi .value {{ font-size: 20px; font-weight: 700; }}
.kpi .change {{ color: #6c757d; }}
.kpi .change.good {{ color: #2b8a3e; }}
.kpi .change.bad {{ color: #c92a2a; }}
.chart {{ break-inside: avoid; margin: 6px 0; }}
table {{ border-collapse: collapse; width: 100%; break-inside: auto; }}
th, td {{ border-bottom: 1px solid #e9ecef; padding: 3px 6px; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr {{ break-inside: avoid; }}
footer {{ color: #868e96; font-size: 10px; margin-top: 14px; word-break: break-all; }}
"""

#: Draws every chart, then marks the document ready (the printer waits for it).
_DRAW = """
const figures = JSON.parse(document.getElementById("figures").textContent);
Promise.all(figures.map((f, i) => Plotly.newPlot("chart-" + i, f.data, f.layout, {staticPlot: true})))
  .then(() => { document.body.dataset.ready = "1"; });
"""


def _document(report: Report) -> str:
    t = report.t
    figs = [
        chart_base.inert(annotations.draw(chart_style.apply(f, report.lang), report.marks))
        for f in figures.figures(report.view, t)
    ]
    for f in figs:
        chart_style.relayout(f, width=CHART_WIDTH, clickmode="none", template=chart_style.template())
    payload = "[" + ",".join(pio.to_json(f, validate=False) for f in figs) + "]"
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    generated = t("report.generated", at=f"{report.generated_at:%Y-%m-%d %H:%M}")
    meta = [report.period(), t(f"app.cmp.{report.view.filters.cmp}"), report.version()]
    parts = [
        "<header>",
        f'<div class="app">{escape(" · ".join([t("app.title"), *([report.name] if report.name else [])]))}</div>',
        f"<h1>{escape(report.title)}</h1>",
        f'<div class="meta">{escape(" · ".join(meta))}</div>',
        f'<div class="meta">{escape(t("report.as", user=report.user.name, rows=report.rows()))} · '
        f"{escape(generated)}</div>",
        f'<div class="filters">{escape(report.filters_line())}</div>',
        "</header>",
    ]
    if report.notes():
        parts.append('<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in report.notes()) + "</ul>")
    if report.view.missing:
        parts.append(f'<p class="notes">{escape(needs_text(report.view.missing, report.lang))}</p>')
    parts.append('<section class="kpis">' + "".join(_card(k) for k in report.kpis()) + "</section>")
    parts += [f'<div class="chart" id="chart-{i}"></div>' for i in range(len(figs))]
    if report.alert_lines():
        parts.append(f"<h2>{escape(t('overview.alerts'))}</h2><ul>")
        parts += [f"<li>{escape(a)}</li>" for a in report.alert_lines()]
        parts.append("</ul>")
    main = figures.main_table(report.view, t)
    if main is not None:
        parts.append(_table(main, report))
    parts.append(f"<footer>{escape(t('report.link', link=report.url))}</footer>")
    body = "\n".join(parts)
    return (
        f'<!doctype html><html lang="{"zh-CN" if report.lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{escape(report.subject)}</title><style>{_CSS}</style>"
        f"<script>{_plotly_js()}</script></head><body>{body}"
        f'<script type="application/json" id="figures">{payload}</script><script>{_DRAW}</script></body></html>'
    )


def _card(k: Kpi) -> str:
    tone = "" if k.good is None else (" good" if k.good else " bad")
    change = f'<div class="change{tone}">{escape(k.change)}</div>' if k.change else ""
    note = f'<div class="change">{escape(k.note)}</div>' if k.note else ""
    return (
        f'<div class="kpi"><div class="label">{escape(k.label)}</div>'
        f'<div class="value">{escape(k.value)}</div>{change}{note}</div>'
    )


def _table(main: figures.MainTable, report: Report) -> str:
    t, frame = report.t, main.frame
    fmts = {c: formatting.column_kind(c, frame[c]) for c in frame.columns}
    head = "".join(f"<th>{escape(i18n.column_label(c, report.lang, 'overview.col'))}</th>" for c in frame.columns)
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for c, v in record.items():
            shown = (
                formatting.value(v, fmts[c], report.lang) if fmts[c] and v is not None and not pd.isna(v) else _cell(v)
            )
            cells.append(f'<td class="num">{escape(shown)}</td>' if fmts[c] else f"<td>{escape(shown)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="meta">{escape(t("report.rows_shown", shown=len(frame), total=main.total))}</p>'
        if main.total > len(frame)
        else ""
    )
    body = "".join(rows)
    return f"<h2>{escape(main.title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _cell(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "—"
    if isinstance(v, pd.Timestamp | dt.datetime):
        return f"{v:%Y-%m-%d}"
    return str(v)


def _date(v) -> str:
    return f"{pd.Timestamp(v):%Y-%m-%d}"
