"""The URL state in the app: one store, parsed once, written back by the widgets.

One mechanism keeps every value in the URL:
- a value shown as it is (a filter's data values, the period, the cohorts compared, a customer
  id) is its widget's own value, bound to the URL (`bind="query-params"`);
- a code shown translated (`tab=clusters`, `cmp=yoy`, `lang=zh`) or typed (`k=5`, `share=true`)
  lives in a hidden text input bound to the URL (its *store*; Streamlit would put the translated
  label in the URL, not the code). The visible widget is not bound: it shows the parsed value
  and its callback writes the canonical code into the store.

The stores are read once per run and parsed by `insight.views.options` (the schema the CLI
parses links with): global options in the entrypoint (they follow page switches), the page's
own in `page_options`. Every store of a run is drawn in one hidden container of the sidebar
(`stores`), the page's too: each element costs the server and the browser on every run, a
container per group of stores showed nothing more. The share link is derived from the parsed
`Filters`, never from `st.query_params`.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from insight import i18n
from insight.escape import md
from insight.semantic.filters import CMP_CHOICES, DEFAULT_CMP
from insight.views import options as schema

#: Hides the stores, which show nothing, with the layout wrappers around them (else each still
#: takes a gap between the elements of its block).
_HIDDEN = "[class*='st-key-urlstate_']"
HIDE_STORES = f"{_HIDDEN},[data-testid=stLayoutWrapper]:has(> {_HIDDEN}){{display:none}}"


def lang() -> str:
    value = st.session_state.get("lang") or i18n.DEFAULT_LANG
    return value if value in i18n.LANGS else i18n.DEFAULT_LANG


def tr(key: str, **values) -> str:
    return i18n.t(key, lang(), **values)


def stores() -> DeltaGenerator:
    """The hidden container of every store of this run (drawn first in the sidebar)."""
    return st.sidebar.container(key="urlstate_stores")


def store(box: DeltaGenerator, key: str) -> str:
    """The hidden text input in `box` bound to the URL parameter `key`: its raw value."""
    return box.text_input(md(key), key=key, bind="query-params", label_visibility="collapsed")


def read_stores(box: DeltaGenerator, names) -> dict[str, list[str]]:
    """The raw values of the stores `names`, drawn in `box`, for `insight.views.options`."""
    values = {name: store(box, name) for name in names}
    return {name: [value] for name, value in values.items() if value}


def current(key: str):
    """The parsed, typed value of option `key` in this run (page options after `page_options`)."""
    return st.session_state.get("_options", {}).get(key)


#: The entrypoint's own coded parameters: the comparison (part of `Filters`) and the language.
SHELL = {
    "cmp": schema.Option("cmp", "choice", DEFAULT_CMP, CMP_CHOICES),
    "lang": schema.Option("lang", "choice", i18n.DEFAULT_LANG, tuple(i18n.LANGS)),
}


def _option(key: str) -> schema.Option:
    return SHELL.get(key) or schema.declared(st.session_state.get("_options_page", ""))[key]


def _write(key: str, source: str) -> None:
    """Callback: the visible widget's value, canonical, into the store (empty for the default)."""
    st.session_state[key] = _option(key).encode(st.session_state[source])


def choice(
    key: str,
    label: str,
    format_func,
    widget: str = "selectbox",
    options: tuple | None = None,
    value=None,
    fallback: str | None = None,
):
    """A choice of a declared option (`cmp`, `tab`, `k`...), shown with translated labels;
    `options` narrows the declared choices to those the data offers (the first is then the
    fallback, unless `fallback` names another); `value` gives the value in force where no page
    options are parsed yet (the entrypoint's `cmp` and `lang`). Returns the typed value in force.

    The visible widget is keyed per language: its labels change with the language, and a widget
    whose labels change reports the old label as a new value."""
    opt = _option(key)
    if options is None:
        options = opt.choices or tuple(str(n) for n in range(opt.low, opt.high + 1))
        options = options if opt.default in options else ("", *options)
    options = tuple(options)
    value = opt.encode(current(key) if value is None else value) or opt.default
    if value not in options:
        value = fallback if fallback is not None else options[0] if options else value
    ui_key = f"_{key}_ui_{lang()}"
    common = {"key": ui_key, "format_func": format_func, "on_change": _write, "args": (key, ui_key)}
    if st.session_state.get(ui_key) != value:  # follow the URL (a chart click, a saved view, a link)
        st.session_state[ui_key] = value
    if widget == "segmented":
        st.segmented_control(label, options=list(options), **common)
    else:
        st.selectbox(label, options=list(options), **common)
    return opt.value(value)


def flag(key: str, label: str) -> bool:
    """An on/off option (`share=true`)."""
    ui_key = f"_{key}_ui"
    value = bool(current(key))
    if st.session_state.get(ui_key) != value:  # follow the URL
        st.session_state[ui_key] = value
    return st.toggle(label, key=ui_key, on_change=_write, args=(key, ui_key))


def section(key: str, label: str, icon: str | None = None):
    """An expander whose open state is the flag option `key` (`more=true`), so a link reopens it.
    Opening it reruns the page, whose view then computes what the section shows."""
    ui_key = f"_{key}_ui"
    value = bool(current(key))
    if st.session_state.get(ui_key) != value:  # follow the URL
        st.session_state[ui_key] = value
    return st.expander(label, icon=icon, key=ui_key, on_change=_write, args=(key, ui_key))


def number(key: str, label: str) -> int:
    """A whole-number option within its declared range (`days=60`)."""
    opt = _option(key)
    ui_key = f"_{key}_ui"
    value = current(key)
    if st.session_state.get(ui_key) != value:  # follow the URL
        st.session_state[ui_key] = value
    st.number_input(label, opt.low, opt.high, step=1, key=ui_key, on_change=_write, args=(key, ui_key))
    return value


def set_option(key: str, value) -> None:
    """Write option `key` (in a callback, or before `st.rerun()`): canonical, empty for the default."""
    st.session_state[key] = _option(key).encode(value)


def option_note(key: str, values: list[str], choices) -> None:
    """A visible note that URL values of a data-dependent option were ignored, with the choices."""
    shown = ", ".join(str(o) for o in list(choices)[:12] if o != "") + (" …" if len(choices) > 12 else "")
    note = i18n.msg("ignored.option", param=key, value=", ".join(values), choices=shown)
    st.warning(i18n.text(note, lang(), markdown=True), icon=":material/warning:")


def page_options(page: str):
    """The page's own options, read from their stores and the page's bound widgets and parsed
    once: `(filters, options, notes)` where the filters carry the global and the page's options
    (the whole view state, for the share link and the page's figures)."""
    ctx = st.session_state["_ctx"]
    raw: dict[str, list[str]] = {}
    for option in (o for o in schema.PAGES.get(page, ()) if o.own):
        # its visible widget holds it, bound to the URL (cohorts, a customer id)
        given = st.session_state.get(option.name) if option.name in st.session_state else None
        given = st.query_params.get_all(option.name) if given is None else given
        raw[option.name] = [given] if isinstance(given, str) else list(given)
    raw.update(read_stores(ctx.stores, [o.name for o in schema.PAGES.get(page, ()) if not o.own]))
    extra, notes = schema.validate(page, raw)
    filters = replace(ctx.filters, extra=(*ctx.filters.extra, *extra))  # the global options first
    typed = schema.read(page, filters)
    st.session_state["_options"], st.session_state["_options_page"] = typed, page
    return filters, typed, notes


def link_params(filters, version: int) -> dict[str, list[str]]:
    """The URL parameters of a view: its filters and options, pinned to the data version, and
    the language when it is not the default."""
    params = filters.to_params()
    params["ds"] = [str(version)]
    if lang() != i18n.DEFAULT_LANG:
        params["lang"] = [lang()]
    return params
