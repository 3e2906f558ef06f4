"""Page figures, cached (insight/cache.py) per workspace, data version, view state and row scope,
so one user's cached figures never serve another who may see other rows, and sessions asking for
the same view at once compute it once."""

from __future__ import annotations

from dataclasses import replace

from insight.cache import page_view
from insight.semantic.filters import Filters
from insight.ui.shell import Context
from insight.views.views import PageView


def view(ctx: Context, page: str, options: dict[str, str] | None = None) -> PageView:
    """The figures of `page` for the current filters and the page's own URL state `options`
    (the same function the CLI `view` calls, with the same link)."""
    link = f"{page}?{with_options(ctx, options).to_query()}"
    return page_view(str(ctx.ws.path), ctx.ws.version(), link, ctx.user.rows)


def with_options(ctx: Context, options: dict[str, str] | None) -> Filters:
    """The filters with the page's own state; an option set to "" is back at its default."""
    merged = {**dict(ctx.filters.extra), **(options or {})}
    return replace(ctx.filters, extra=tuple(sorted((k, v) for k, v in merged.items() if v)))
