"""DuckDB SQL as Spark SQL: sqlglot transpiles, and this module gives the exact Spark twin of each
DuckDB construct sqlglot 30.30 gets wrong or has no twin for.

- Parameters (`?`, `$name`) are bound as literals before parsing: sqlglot reads each one as a
  literal token and writes it back in Spark's own escaping, so a value can never become SQL.
- `bit_count(bitstring_agg(k, …))` (a bitmap distinct count) is `count(DISTINCT k)`;
  `bitstring_agg(k, …)` kept for probing is `collect_set(k)` and `get_bit(bitmap, k - 1) = 1` is
  `array_contains(set, k)`.
- `quantile_cont(x, p)` is Spark's exact `percentile(x, p)` (the same linear interpolation);
  sqlglot writes `PERCENTILE_CONT(x, p)`, which Spark rejects.
- `list(x ORDER BY y)` keeps its order: `transform(array_sort(collect_list(struct(y, x))), …)`;
  sqlglot drops the `ORDER BY`.
- `t.* EXCLUDE (a)` is expanded to the table's other columns (Spark has no `* EXCEPT`).
- `a / b` and `avg(x)` are computed in DOUBLE, as DuckDB does (Spark would keep decimals, to
  6 or scale + 4 places).
- `date_diff(unit, a, b)` counts boundaries, as DuckDB's does (Spark's counts elapsed units).
- `CAST(<arithmetic> AS BIGINT)` rounds, as DuckDB does (Spark truncates).
- `dialect.most_frequent` (a sorted `histogram`) is Spark's `mode(x, true)`, ties to the smallest.
- `ts + to_microseconds(n)` is `timestampadd(MICROSECOND, n, ts)`.
- `rowid`: DuckDB's row number of a table is a real column of every lake table and Spark-built
  table, so `SELECT rowid AS rowid, *` keeps one of it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

ROWID = "rowid"

#: Columns of a table the SQL names (for `EXCLUDE`); raises KeyError for a table it does not know.
Columns = Callable[[str], list[str]]


def literal(value) -> str:
    """A bound parameter as a DuckDB literal of the type DuckDB would bind it with."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "NULL"
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"CAST({float(value)!r} AS DOUBLE)" if math.isfinite(value) else f"CAST('{value}' AS DOUBLE)"
    if isinstance(value, decimal.Decimal):
        return f"CAST('{value}' AS DOUBLE)"
    if isinstance(value, pd.Timestamp | dt.datetime):
        return f"TIMESTAMP '{pd.Timestamp(value).isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"cannot bind {type(value).__name__} as a Spark literal")


def bind(sql: str, params: list | tuple | dict | None) -> str:
    """`sql` with its `?` and `$name` parameters replaced by literals (found as tokens, so a `?`
    inside a string or a quoted name is left alone)."""
    if not params:
        return sql
    tokens = sqlglot.Dialect.get_or_raise("duckdb").tokenize(sql)
    out, at, position = [], 0, 0
    for i, token in enumerate(tokens):
        if _is_placeholder(token):
            value = params[position]
            position += 1
        elif token.token_type == TokenType.PARAMETER and i + 1 < len(tokens):
            name = tokens[i + 1]
            value = params[name.text]
            out.append(sql[at : token.start] + literal(value))
            at = name.end + 1
            continue
        else:
            continue
        cast = "::" if token.token_type == TokenType.QDCOLON else ""  # `?::DATE` is one token
        out.append(sql[at : token.start] + literal(value) + cast)
        at = token.end + 1
    return "".join(out) + sql[at:]


def _is_placeholder(token) -> bool:
    return (token.token_type == TokenType.PLACEHOLDER and token.text == "?") or token.token_type == TokenType.QDCOLON


def to_spark(sql: str, params=None, columns: Columns | None = None, rename: Callable[[str], str] | None = None) -> str:
    """One DuckDB query (parameters bound) as Spark SQL; `rename` maps each table read to the
    name Spark knows it by."""
    tree = sqlglot.parse_one(bind(sql, params), read="duckdb")
    tree = tree.transform(_fix)
    if columns is not None:
        _expand_excludes(tree, columns)
    if rename is not None:
        ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            if table.name and table.name not in ctes:
                alias = table.alias_or_name
                table.set("this", exp.to_identifier(rename(table.name), quoted=True))
                table.set("db", None)  # (a DuckDB catalog qualifier: Spark's views are unqualified)
                table.set("catalog", None)
                if not table.alias:
                    table.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
    _one_rowid(tree)
    return tree.sql("spark")


def tables(sql: str) -> set[str]:
    """The names of the tables (not CTEs) one query reads."""
    tree = sqlglot.parse_one(bind(sql, _dummy(sql)), read="duckdb")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes}


def _dummy(sql: str):
    """Placeholder values for parsing a query whose parameters are not known."""
    tokens = sqlglot.Dialect.get_or_raise("duckdb").tokenize(sql)
    names = [tokens[i + 1].text for i, t in enumerate(tokens[:-1]) if t.token_type == TokenType.PARAMETER]
    if names:
        return dict.fromkeys(names, 0)
    return [0] * sum(1 for t in tokens if _is_placeholder(t))


def _fixed(node: exp.Expression) -> exp.Expression:
    """A copy of `node` with every fix applied inside it (a node `_fix` builds anew is not
    visited again by the transform, so its operands are fixed here)."""
    return node.copy().transform(_fix)


def _name(node: exp.Expression) -> str:
    return node.name.lower() if isinstance(node, exp.Anonymous) else ""


def _fix(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.CTE) and node.args.get("materialized"):  # Spark plans it itself
        node.set("materialized", None)
        return node
    if isinstance(node, exp.Dot) and (mode := _most_frequent(node)) is not None:
        return mode
    if isinstance(node, exp.Div) and not node.args.get("typed"):  # DuckDB divides in DOUBLE
        node.set("this", exp.cast(node.this, "DOUBLE"))  # in place: its operands are fixed next
        node.set("typed", True)
        return node
    if isinstance(node, exp.Avg) and not isinstance(node.this, exp.Cast | exp.Distinct):  # DuckDB: DOUBLE too
        node.set("this", exp.cast(node.this, "DOUBLE"))
        return node
    if isinstance(node, exp.DateDiff) and node.text("unit").upper() in _BOUNDARY_UNITS:
        return _boundaries(node)
    if isinstance(node, exp.Cast) and node.to.is_type(*exp.DataType.INTEGER_TYPES):
        inner = node.this.unnest()
        if isinstance(inner, exp.Mul | exp.Div | exp.Add | exp.Sub):  # DuckDB rounds; Spark truncates
            node.set("this", exp.Anonymous(this="round", expressions=[node.this]))
            return node
    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        return exp.Anonymous(this="percentile", expressions=[_fixed(node.this), node.expression.copy()])
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        return _ordered_list(node.this)
    if _name(node) == "bit_count":
        inner = node.expressions[0]
        agg = inner.this if isinstance(inner, exp.Filter) else inner
        if _name(agg) == "bitstring_agg":
            count = exp.Count(this=exp.Distinct(expressions=[_fixed(agg.expressions[0])]))
            if isinstance(inner, exp.Filter):
                return exp.Filter(this=count, expression=_fixed(inner.expression))
            return count
    if isinstance(node, exp.Add) and _name(node.expression) == "to_microseconds":
        micros = _fixed(node.expression.expressions[0])
        return exp.Anonymous(this="timestampadd", expressions=[exp.var("MICROSECOND"), micros, _fixed(node.this)])
    if _name(node) == "bitstring_agg":
        return exp.Anonymous(this="collect_set", expressions=[_fixed(node.expressions[0])])
    if isinstance(node, exp.EQ) and isinstance(node.this, exp.Getbit) and node.expression.name == "1":
        bitmap, bit = node.this.this, node.this.expression
        key = bit.this if isinstance(bit, exp.Cast) else bit
        key = key.unnest()
        if isinstance(key, exp.Sub) and key.expression.name == "1":
            return exp.ArrayContains(this=_fixed(bitmap), expression=_fixed(key.this))
    return node


def _most_frequent(node: exp.Dot) -> exp.Expression | None:
    """`list_sort(list_transform(map_entries(histogram(x) FILTER (…)), e -> {n: -e.value, k: e.key}))[1].k`
    (dialect.most_frequent: the most frequent value, ties to the smallest) is Spark's
    deterministic `mode(x, true)`, which breaks ties the same way."""
    sort = node.this.this if isinstance(node.this, exp.Bracket) else None
    transform = sort.this if isinstance(sort, exp.ArraySort) else None
    entries = transform.this if isinstance(transform, exp.Transform) else None
    if not (isinstance(entries, exp.Anonymous) and _name(entries) == "map_entries"):
        return None
    inner = entries.expressions[0]
    histogram = inner.this if isinstance(inner, exp.Filter) else inner
    key = transform.expression.this.expressions[0] if isinstance(transform.expression, exp.Lambda) else None
    if _name(histogram) != "histogram" or not isinstance(getattr(key, "expression", None), exp.Neg):
        return None
    mode = exp.Anonymous(this="mode", expressions=[_fixed(histogram.expressions[0]), exp.true()])
    return exp.Filter(this=mode, expression=_fixed(inner.expression)) if isinstance(inner, exp.Filter) else mode


#: DuckDB's date_diff counts the unit's boundaries crossed; Spark's the whole units elapsed.
_BOUNDARY_UNITS = {"SECOND", "MINUTE", "HOUR", "DAY", "MONTH", "QUARTER", "YEAR"}


def _boundaries(node: exp.DateDiff) -> exp.Expression:
    """`date_diff(unit, a, b)` as whole units between `a` and `b` truncated to the unit."""
    unit = node.text("unit").upper()

    def trunc(value):
        return exp.Anonymous(this="date_trunc", expressions=[exp.Literal.string(unit), _fixed(value)])

    return exp.Anonymous(this="timestampdiff", expressions=[exp.var(unit), trunc(node.expression), trunc(node.this)])


def _ordered_list(order: exp.Order) -> exp.Expression:
    """`list(x ORDER BY k1, k2)` as an array sorted by (k1, k2) and mapped back to x. Descending
    keys and NULLs-first are not used by our queries and are refused rather than mistranslated."""
    keys = []
    for i, key in enumerate(order.expressions):
        if key.args.get("desc") or key.args.get("nulls_first"):
            raise ValueError("list(... ORDER BY ... DESC/NULLS FIRST) has no Spark twin here")
        keys.append(exp.alias_(_fixed(key.this), f"k{i}"))
    packed = exp.Anonymous(this="struct", expressions=[*keys, exp.alias_(_fixed(order.this), "v")])
    sort = exp.Anonymous(this="array_sort", expressions=[exp.Anonymous(this="collect_list", expressions=[packed])])
    lam = exp.Lambda(this=exp.column("v", table="s"), expressions=[exp.to_identifier("s")])
    return exp.Anonymous(this="transform", expressions=[sort, lam])


def _expand_excludes(tree: exp.Expression, columns: Columns) -> None:
    """`alias.* EXCLUDE (a, b)` as the alias's table's other columns."""
    for select in list(tree.find_all(exp.Select)):
        sources = {}
        for table in select.find_all(exp.Table):
            if table.parent_select is select:
                sources[table.alias_or_name] = table.name
        for projection in list(select.expressions):
            star = projection.this if isinstance(projection, exp.Column) else projection
            if not isinstance(star, exp.Star) or not star.args.get("except_"):
                continue
            alias = projection.table if isinstance(projection, exp.Column) else ""
            table = sources.get(alias) if alias else next(iter(sources.values()), None)
            dropped = {e.name.lower() for e in star.args["except_"]}
            kept = [c for c in columns(table) if c.lower() not in dropped]
            new = [exp.column(c, table=alias or None, quoted=True) for c in kept]
            index = select.expressions.index(projection)
            select.set("expressions", select.expressions[:index] + new + select.expressions[index + 1 :])


def _one_rowid(tree: exp.Expression) -> None:
    """`SELECT rowid AS rowid, *`: the lake's own rowid column comes with the star."""
    for select in tree.find_all(exp.Select):
        has_star = any(isinstance(p, exp.Star) or isinstance(p.this, exp.Star) for p in select.expressions)
        if not has_star:
            continue
        keep = [
            p
            for p in select.expressions
            if not (isinstance(p, exp.Alias) and p.alias == ROWID and p.this.name == ROWID and not p.this.table)
        ]
        select.set("expressions", keep)
