"""Query objects: what a page asks of the semantic layer, compiled to SQL in one place.

A `Query` names measures and dimensions of the registry (insight/semantic/metrics.py), the time
ranges, a comparison, extra filters, a sort and a limit; never SQL. `run` compiles it into one
scan per table of its measures (on the scope: the user's rows, the global filters), computes the
ratios and the measures computed by a domain module, and returns one frame. Domain modules ask for
`revenue` here instead of writing their own `sum(amount)`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from cachetools import keys

from insight.cache import memo
from insight.db import dialect
from insight.db.workspace import quote
from insight.semantic import activity, rollups
from insight.semantic.filters import TIME_COLUMNS
from insight.semantic.metrics import DIMENSION_SOURCES, REGISTRY, Metric, available
from insight.semantic.scope import Scope

Period = tuple[dt.date, dt.date]
#: State tables whose scan computes every measure of the table, whichever were asked: the KPI
#: cards (customers, for complaints per 1,000) and the churn rate (churned customers among them)
#: then share one remembered scan per filter set.
SHARED_STATES = ("customers",)


@dataclass(frozen=True)
class Query:
    """What to compute: `measures` per value of `dimensions` (filter dimensions; crossed, or each
    alone with `sets`) and per `grain` bucket of the table's time column, for each of `periods`
    (None: the scope's period, followed by its comparison period when `compare`), under the scope's
    filters and `where` (more dimension filters). Rows sorted by `sort` ("-x": descending), the
    first `limit` kept."""

    measures: tuple[str, ...]
    dimensions: tuple[str, ...] = ()
    grain: str | None = None
    periods: tuple[Period | None, ...] | None = None
    compare: bool = False
    sets: bool = False
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sort: tuple[str, ...] = ()
    limit: int | None = None

    def periods_of(self, scope: Scope) -> list[Period | None]:
        if self.periods is not None:
            return list(self.periods)
        other = scope.compare() if self.compare else None
        return [scope.period, *([other.period if other else None] if self.compare else [])]

    def keys(self) -> list[str]:
        """The key columns of the result, before the measures."""
        dims = ["dimension", "value"] if self.sets and self.dimensions else list(self.dimensions)
        return ["period_index", *dims, *(["bucket"] if self.grain else [])]


def run(scope: Scope, q: Query) -> pd.DataFrame:
    """The query's frame: its key columns and one column per measure."""
    scope = _narrowed(scope, q.where)
    periods = q.periods_of(scope)
    wanted = _with_inputs(list(q.measures))
    by_table: dict[tuple[str, bool], list[Metric]] = {}
    for mid in wanted:
        m = REGISTRY[mid]
        if m.expr is not None and available(scope, mid):
            by_table.setdefault((m.table, m.period), []).append(m)
    for (table, timed), measures in by_table.items():
        if not timed and table in SHARED_STATES:  # one remembered scan for all (see SHARED_STATES)
            measures[:] = [
                m for m in REGISTRY.values() if m.table == table and m.expr and not m.period and available(scope, m.id)
            ]
    keys = q.keys()
    served = _active_customers(scope, q, by_table, periods)
    merged: pd.DataFrame | None = served
    for (table, timed), measures in by_table.items():
        if not timed and q.grain:  # a state has no time series
            continue
        part = scan(scope, q, table, timed, measures, periods, single=len(by_table) == 1 and served is None)
        if part is None:
            continue
        if served is not None and table == "orders":  # (the rollup's groups of uncounted orders only)
            counted = np.nan_to_num(part[[m.id for m in measures]].to_numpy(dtype="float64")).any(axis=1)
            part = part if counted.all() else part[counted]
        if not timed:  # a state (e.g. churned customers): the same in every period
            part = pd.concat([part.assign(period_index=i) for i in range(len(periods))], ignore_index=True)
        merged = part if merged is None else outer_merge(merged, part, keys)
    if merged is None:
        merged = pd.DataFrame(columns=keys)
    for mid in wanted:
        m = REGISTRY[mid]
        if m.compute:
            merged = _computed(scope, q, merged, m, periods)
        elif mid not in merged.columns:
            merged[mid] = None
        elif m.additive:
            if merged[mid].dtype.kind not in "iuf" or merged[mid].hasnans:  # (else as it is)
                merged[mid] = merged[mid].fillna(0.0)
            if served is not None and mid == activity.MEASURE and merged[mid].dtype != "int64":
                merged[mid] = merged[mid].astype("int64")  # a count, as the fact's scan gives it
    for mid in wanted:
        if ratio := REGISTRY[mid].ratio:
            a = pd.to_numeric(merged[ratio[0]], errors="coerce")
            b = pd.to_numeric(merged[ratio[1]], errors="coerce").replace(0, float("nan"))
            merged[mid] = a / b * ratio[2]
    present = set(merged["period_index"].dropna().astype(int)) if len(merged) else set()
    lacking = [i for i, p in enumerate(periods) if p is not None and i not in present and keys == ["period_index"]]
    if lacking:  # a period without rows: counts are 0, averages unknown
        blank = {mid: (0.0 if REGISTRY[mid].additive else None) for mid in wanted}
        merged = pd.concat([merged, pd.DataFrame([{"period_index": i, **blank} for i in lacking])], ignore_index=True)
    out = merged if list(merged.columns) == keys + wanted else merged[keys + wanted]
    out = out if out.index.equals(pd.RangeIndex(len(out))) else out.reset_index(drop=True)
    if q.sort and (len(by_table) != 1 or served is not None):
        out = _sorted(out, q.sort)
    return out.head(q.limit).reset_index(drop=True) if q.limit else out


def _sorted(frame: pd.DataFrame, sort: tuple[str, ...]) -> pd.DataFrame:
    """`frame.sort_values` on `sort` ("-x": descending). Where every row's keys differ and none is
    missing (a few dozen groups, the usual case), the order is the keys' own, found by plain
    Python: pandas' sort of a small frame cost a millisecond."""
    names = [s.lstrip("-") for s in sort]
    keys = list(zip(*(frame[n].tolist() for n in names), strict=True))
    try:
        plain = not any(s.startswith("-") for s in sort) and len(set(keys)) == len(keys)
        if plain and not any(v is None or v != v for key in keys for v in key):
            return frame.take(sorted(range(len(keys)), key=keys.__getitem__))
    except TypeError:  # (keys Python cannot hash, compare or order: pandas' own rules)
        pass
    return frame.sort_values(names, ascending=[not s.startswith("-") for s in sort])


def outer_merge(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """`left.merge(right, on=keys, how="outer")`. Where both have the same rows (each key once:
    the usual case, each scan's groups of the same periods and values), they are lined up in the
    merge's order (sorted keys) by plain Python, typed as the merge types them: a few dozen rows,
    where pandas' merge was a tenth of a KPI view."""
    types = {c: left[c].dtype for c in left.columns} | {c: right[c].dtype for c in right.columns if c not in keys}
    for k in keys:
        pair = {left[k].dtype, right[k].dtype}
        if len(pair) == 1 or all(pd.api.types.is_integer_dtype(t) for t in pair):
            continue  # (integers of two widths: the left one's)
        if pair != {pd.StringDtype(na_value=float("nan")), np.dtype(object)}:
            return left.merge(right, on=keys, how="outer")
        types[k] = np.dtype(object)  # text and objects: objects
    ours, theirs = (list(zip(*(f[k].tolist() for k in keys), strict=True)) for f in (left, right))
    where = {key: i for i, key in enumerate(theirs)}
    if len(ours) != len(theirs) or len(where) != len(theirs) or not all(key in where for key in ours):
        return left.merge(right, on=keys, how="outer")
    try:
        order = sorted(range(len(ours)), key=ours.__getitem__)
    except TypeError:  # keys Python cannot order (None beside text): pandas' own rules
        return left.merge(right, on=keys, how="outer")
    picks = {c: np.array(order, dtype="int64") for c in left.columns}
    picks |= dict.fromkeys([c for c in right.columns if c not in keys], np.array([where[ours[i]] for i in order]))
    columns = {}
    for c, rows in picks.items():
        values = (left if c in left.columns else right)[c].array.take(rows)
        # (objects stay objects: a frame would read text in them as text)
        columns[c] = pd.Series(values, dtype=object) if types[c] == np.dtype(object) else values
    return pd.DataFrame(columns)


def _active_customers(scope: Scope, q: Query, by_table: dict, periods: list) -> pd.DataFrame | None:
    """Active customers from the activity tables (insight/semantic/activity.py) where they serve
    the query, taken out of its scan of the orders fact (whose other measures the rollup then
    serves); None where the fact is read as before."""
    measures = by_table.get(("orders", True), [])
    if q.sets or not any(m.id == activity.MEASURE for m in measures):
        return None
    if not activity.serves(scope, q.dimensions, q.grain, periods):
        return None
    served = activity.run(scope, q.dimensions, q.grain, periods)
    if served is None:
        return None
    rest = [m for m in measures if m.id != activity.MEASURE]
    if rest:
        by_table["orders", True] = rest
    else:
        del by_table["orders", True]
    return served


def values(scope: Scope, measures: list[str], periods: list[Period | None] | None = None) -> list[dict]:
    """The measures' values for each period (default: the scope's), None where not computable."""
    frame = run(scope, Query(tuple(measures), periods=tuple(periods) if periods is not None else None))
    first = {}  # period -> its row (one per period)
    for row, i in enumerate(frame["period_index"].tolist()):
        first.setdefault(i, row)
    columns = {mid: frame[mid].tolist() for mid in measures}
    count = len(periods) if periods is not None else 1
    return [{mid: (_number(columns[mid][first[i]]) if i in first else None) for mid in measures} for i in range(count)]


def measure_sql(scope: Scope, measure: str, table: str | None = None) -> str:
    """The SQL aggregate of one measure over its table (aliased `t`), for a domain module's own
    grouping (e.g. revenue per customer and month)."""
    m = REGISTRY[measure]
    return m.expr(scope.columns[table or m.table], scope.table(table or m.table), scope)


def dimension_sql(scope: Scope, table: str, dim: str) -> tuple[str, str] | None:
    """(expression, join) giving the value of filter dimension `dim` for each row of `table`."""
    for source in DIMENSION_SOURCES[dim].get(table, ()):
        other, _, col = source.rpartition(".")
        if not other and col in scope.columns.get(table, ()):
            return f"t.{quote(col)}", ""
        if other == "customers" and scope.has("customers", col) and scope.has(table, "customer_id"):
            return f"c.{quote(col)}", f"LEFT JOIN {scope.table('customers')} c ON c.customer_id = t.customer_id"
    return None


def scan(
    scope: Scope, q: Query, table: str, timed: bool, measures: list[Metric], periods: list, single: bool = False
) -> pd.DataFrame | None:
    """One scan of `table` for `measures` (see `compile_scan`)."""
    compiled = compile_scan(scope, q, table, timed, measures, periods, single)
    try:
        if compiled is None:
            return None
        return scope.query(*compiled) if timed else state(scope, *compiled)
    except Exception as exc:  # a broken declaration names itself
        exc.add_note(f"measures of {table}: {', '.join(m.id for m in measures)}")
        raise


def state(scope: Scope, sql: str, params: list) -> pd.DataFrame:
    """A state scan's frame (no period: e.g. the customers in scope), computed once per workspace,
    statement and parameters: it reads versioned tables that never change, and every period and
    page under the same filters asks for it again (the KPI cards, the churn rate's denominator)."""
    return _remembered(scope.ws, sql, repr(params), params).copy()


@memo(256, key=lambda ws, sql, key, params: keys.hashkey(ws, sql, key))
def _remembered(ws, sql: str, key: str, params: list) -> pd.DataFrame:
    return ws.query(sql, params)


def compile_scan(
    scope: Scope, q: Query, table: str, timed: bool, measures: list[Metric], periods: list, single: bool = False
) -> tuple[str, list] | None:
    """(SQL, params) of one scan of `table`: each row labelled with its period (and bucket, and
    dimension values), then grouped. None when nothing can be computed (no dated period, or no
    dimension reaches the table). `single`: the query's only scan, so it sorts and limits."""
    if table == "segments" and not scope.snap.has("segments"):
        from insight.domain import segments  # a period's segment table (computed per period)

        scope = segments.with_segments(scope)
    tbl = scope.table(table)
    where, params = scope.where(table, period=False)
    exprs = ", ".join(f"{m.expr(scope.columns[table], tbl, scope)} AS {m.id}" for m in measures)
    if timed and (rolled := rollups.relation(scope, table, measures, q.dimensions, q.grain)):
        tbl = rolled  # (counted orders only)
        exprs = ", ".join(f"{m.rollup} AS {m.id}" for m in measures)
    elif table == "customers" and not q.dimensions and all(m.rollup for m in measures) and (s := rollups.states(scope)):
        tbl, (where, params) = s.relation, s.where(scope)
        exprs = ", ".join(f"{m.rollup} AS {m.id}" for m in measures)
    elif len(rows := {m.rows for m in measures}) == 1 and None not in rows:
        where = f"{where} AND {rows.pop()}"  # the rows every measure counts
    found = {d: f for d in q.dimensions if (f := dimension_sql(scope, table, d)) is not None}
    if q.dimensions and (not found or (not q.sets and len(found) < len(q.dimensions))):
        return None
    joins = " ".join(dict.fromkeys(join for _, join in found.values() if join))
    dim_cols = "".join(
        f", coalesce(CAST({expr} AS VARCHAR), '(none)') AS {quote('d_' + d)}" for d, (expr, _) in found.items()
    )
    dated = [(i, p) for i, p in enumerate(periods) if p is not None]
    if timed:
        if not dated:
            return None
        time_col = quote(TIME_COLUMNS[table])
        cond = f"t.{time_col} >= ? AND t.{time_col} < ?"
        # (one period: every row kept is in it, so no per-row label)
        label = str(dated[0][0])
        if len(dated) > 1:
            label = "CASE " + " ".join(f"WHEN {cond} THEN {i}" for i, _ in dated) + " END"
        restrict = " AND (" + " OR ".join(f"({cond})" for _ in dated) + ")"
        flat = [b for _, p in dated for b in (p[0], p[1] + dt.timedelta(days=1))]
    else:
        label, restrict, flat = "0", "", []
    bucket, bucket_params = "", []
    if q.grain:  # buckets start at the period start, then at each day/week/month boundary
        starts = "CASE " + " ".join(f"WHEN {cond} THEN CAST(? AS DATE)" for _ in dated) + " END"
        if len(dated) == 1:
            starts = "CAST(? AS DATE)"
        start_type = "TIMESTAMP" if q.grain == "hour" else "DATE"
        bucket = f", greatest({dialect.trunc(q.grain, f't.{time_col}')}, CAST({starts} AS {start_type})) AS bucket"
        pairs = zip(flat[::2], flat[1::2], strict=True)
        bucket_params = [x for (_, p), pair in zip(dated, pairs, strict=True) for x in (*pair, p[0])]
        bucket_params = bucket_params if len(dated) > 1 else [dated[0][1][0]]
    rowid = f", {dialect.row_id('t')} AS _rowid" if "_rowid" in exprs else ""  # lines without an order id
    inner = f"SELECT {label} AS period_index{bucket}{dim_cols}{rowid}, t.* FROM {tbl} t {joins} WHERE {where}{restrict}"
    inner_params = (flat if len(dated) > 1 and timed else []) + bucket_params + params + flat
    if q.sets and found:
        sets = ", ".join(f"(period_index, {quote('d_' + d)})" for d in found)
        picks = " ".join(f"WHEN GROUPING({quote('d_' + d)}) = 0 THEN '{d}'" for d in found)
        values_ = " ".join(f"WHEN GROUPING({quote('d_' + d)}) = 0 THEN {quote('d_' + d)}" for d in found)
        sql = (
            f"SELECT period_index, CASE {picks} END AS dimension, CASE {values_} END AS value, {exprs} "
            f"FROM ({inner}) t GROUP BY GROUPING SETS ({sets})"
        )
        return sql, inner_params
    group = ["period_index", *(quote("d_" + d) for d in found), *(["bucket"] if q.grain else [])]
    named = ["period_index", *(f"{quote('d_' + d)} AS {quote(d)}" for d in found), *(["bucket"] if q.grain else [])]
    sql = f"SELECT {', '.join(named)}, {exprs} FROM ({inner}) t GROUP BY {', '.join(group)}"
    if single and q.sort:
        sql += " ORDER BY " + ", ".join(f"{quote(s.lstrip('-'))}{' DESC' if s[0] == '-' else ''}" for s in q.sort)
        sql += f" LIMIT {int(q.limit)}" if q.limit else ""
    return sql, inner_params


def together(scope: Scope, *calls: Callable[[], object]) -> list:
    """The results of independent calls (a page's sections), the first on this thread and each
    other on a thread of its own: DuckDB runs a statement without holding Python's lock, so one
    section's SQL runs while another's Python reads its rows. (A page view at 1M orders spends about
    half its time in statements: run one after another, the cores took turns.) Another engine, or
    one call: one after another. A failure is raised after every call has ended."""
    if len(calls) < 2 or scope.ws.engine is not None:
        return [call() for call in calls]
    with ThreadPoolExecutor(len(calls) - 1, thread_name_prefix="insight-section") as pool:
        others = [pool.submit(call) for call in calls[1:]]
        first = calls[0]()
        return [first, *(other.result() for other in others)]


def _narrowed(scope: Scope, where: tuple[tuple[str, tuple[str, ...]], ...]) -> Scope:
    """The scope with the query's own dimension filters added to the global ones."""
    if not where:
        return scope
    dims = dict(scope.filters.dims)
    for key, values_ in where:
        dims[key] = tuple(v for v in values_ if key not in dims or v in dims[key])
    return replace(scope, filters=replace(scope.filters, dims=tuple(dims.items())))


def _computed(scope: Scope, q: Query, frame: pd.DataFrame, m: Metric, periods: list) -> pd.DataFrame:
    """A measure a domain module computes (`m.compute`, "module:function" taking the scope), for
    each period of a query without dimensions or buckets."""
    if q.dimensions or q.grain:
        raise ValueError(f"measure={m.id!r} is computed per scope: it has no split by dimension or time")
    module, _, name = m.compute.partition(":")
    fn = getattr(importlib.import_module(module), name)
    found = {
        i: fn(replace(scope, period=p)) if available(scope, m.id) and (i == 0 or p is not None) else None
        for i, p in enumerate(periods)
    }
    if frame.empty:  # no scan found rows: one row per period, the other measures unknown
        frame = pd.DataFrame({"period_index": list(found)}).reindex(columns=frame.columns.union(["period_index"]))
    frame = frame.copy()
    frame[m.id] = frame["period_index"].map(found)
    return frame


def _with_inputs(metric_ids: list[str]) -> list[str]:
    out: list[str] = []
    for mid in metric_ids:
        m = REGISTRY[mid]
        if m.ratio:
            out += _with_inputs([m.ratio[0], m.ratio[1]])
        out.append(mid)
    return list(dict.fromkeys(out))


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def delta(current: float | None, previous: float | None) -> tuple[float | None, float | None]:
    """(absolute change, relative change) — None where it cannot be computed."""
    if current is None or previous is None:
        return None, None
    diff = current - previous
    return diff, (diff / abs(previous) if previous else None)
