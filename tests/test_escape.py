"""User text never becomes markup: the escaping helper, and a check of every page and UI module
that a value reaching a Markdown-rendering element goes through it."""

from __future__ import annotations

import ast
import re

import pytest

from insight.escape import ZERO_WIDTH, md
from tests.conftest import ROOT

#: Streamlit calls whose text (first argument, or `label`/`help`) renders Markdown.
MARKDOWN_CALLS = {
    "markdown", "caption", "info", "warning", "error", "success", "toast", "title", "header", "subheader",
    "button", "download_button", "metric", "expander", "popover", "page_link", "checkbox", "toggle",
    "text_input", "number_input", "selectbox", "multiselect", "radio", "segmented_control", "slider",
    "date_input", "form_submit_button", "tabs",
}  # fmt: skip
#: Calls whose result is safe in Markdown: the escaping helper, catalog text (its values are
#: checked where the call is made), and numbers formatted for display.
SAFE_CALLS = {"md", "t", "tr", "fmt", "value", "change", "int", "float", "len", "round", "min", "max", "markdown"}
#: Functions that escape the values they put into their text when called with `markdown=True`
#: (i18n.text, and the alert sentences of insight/reports/alerts.py).
ESCAPING = {"text", "describe", "event_text"}


def _name(node: ast.AST) -> str | None:
    func = node.func if isinstance(node, ast.Call) else None
    return getattr(func, "attr", None) or getattr(func, "id", None)


class Checker:
    """Whether an expression interpolated into Markdown can carry user markup. A variable is
    safe when every assignment to it in the module is (a parameter or loop variable is not)."""

    def __init__(self, tree: ast.AST, trusted: frozenset[str] = frozenset()) -> None:
        self.trusted = trusted  # parameters whose every caller is checked (LABEL_HELPERS)
        self.assigned: dict[str, list[ast.AST]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.assigned.setdefault(target.id, []).append(node.value)
                    else:  # tuple targets: each name may hold anything
                        for n in ast.walk(target):
                            if isinstance(n, ast.Name):
                                self.assigned.setdefault(n.id, []).append(ast.Name("?"))
        self.seen: set[str] = set()

    def variable(self, name: str) -> bool:
        if name.isupper() or (name in self.trusted and name not in self.assigned):  # a constant; a checked parameter
            return True
        if name in self.seen or name not in self.assigned:
            return False
        self.seen.add(name)
        try:
            return all(self.safe(v.body if isinstance(v, ast.Lambda) else v) for v in self.assigned[name])
        finally:
            self.seen.discard(name)

    def safe(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return node.format_spec is not None or self.safe(node.value)  # a format spec formats a number
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
            return self.safe(node.elt)
        if isinstance(node, (ast.List, ast.Tuple)):
            return all(self.safe(e) for e in node.elts)
        if isinstance(node, ast.Name):
            return self.variable(node.id)
        if isinstance(node, ast.Attribute):
            return node.attr.isupper()
        if isinstance(node, ast.BinOp):
            return self.safe(node.left) and self.safe(node.right)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body) and self.safe(node.orelse)
        if isinstance(node, ast.BoolOp):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, ast.Call):
            name = _name(node)
            if name in ESCAPING and any(k.arg == "markdown" for k in node.keywords):
                return True
            if name in {"t", "tr"}:
                return all(self.safe(k.value) for k in node.keywords)
            if name == "join" and isinstance(node.func, ast.Attribute):
                return self.safe(node.func.value) and all(self.safe(a) for a in node.args)
            if isinstance(node.func, ast.Name) and node.func.id in self.assigned:  # a local lambda
                return self.variable(node.func.id)
            return name in SAFE_CALLS
        return False


def _markdown_arguments(call: ast.Call) -> list[ast.AST]:
    return list(call.args[:1]) + [k.value for k in call.keywords if k.arg in {"label", "help", "body"}]


#: The shell's widget helpers pass their `label` parameter to Streamlit (escaping catalog text
#: there would put backslashes into accessible names): every call's label is checked instead.
LABEL_HELPERS = {"choice": 1, "number": 1, "flag": 1, "_coded_multiselect": 2}


def _label_arguments(call: ast.Call) -> list[ast.AST]:
    index = LABEL_HELPERS[_name(call)]
    return call.args[index : index + 1] + [k.value for k in call.keywords if k.arg == "label"]


def unescaped(path) -> list[str]:
    tree = ast.parse(path.read_text())
    check = Checker(tree, frozenset({"label"}) if path.name in ("urlstate.py", "filterbar.py") else frozenset())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if _name(node) in LABEL_HELPERS:
            args = _label_arguments(node)
        else:
            args = _markdown_arguments(node) if _name(node) in MARKDOWN_CALLS else []
        if args:
            for arg in args:
                if not check.safe(arg):
                    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                    found.append(f"{where}:{node.lineno} {ast.unparse(arg)[:80]}")
    return found


def test_pages_and_ui_escape_what_they_interpolate():
    """Every value put into text that Streamlit renders as Markdown is catalog text, a number,
    or escaped with `md()` (a bare variable may hold a file, column, cell or URL value)."""
    files = [*(ROOT / "app_pages").glob("*.py"), *(ROOT / "insight" / "ui").glob("*.py")]
    problems = [p for f in files for p in unescaped(f)]
    assert not problems, "\n".join(problems)


def test_the_check_catches_an_unescaped_value(tmp_path):
    page = tmp_path / "probe.py"
    head = "import streamlit as st\ndef f(name):\n"
    page.write_text(head + '    st.warning(t("k", name=name))\n    st.caption(f"{name}")\n')
    assert len(unescaped(page)) == 2
    page.write_text(head + '    st.warning(t("k", name=md(name)))\n    st.caption(f"{name:,}")\n')
    assert unescaped(page) == []


CRAFTED = [
    "[Session expired, sign in again](https://evil.example/login)",
    "![x](https://evil.example/pixel.png)",
    "<img src=https://evil.example/x.png>",
    "<a href='https://evil.example'>click</a>",
    ":red[alarm] :material/warning:",
    "$\\frac{1}{2}$",
    "line one\n# heading\r\n- item",
    "**bold** _it_ `code` ~~x~~",
    "https://evil.example/autolink",
    "see www.evil.example today",
    "mail boss@evil.example now",
    "&lt;script&gt;",
]


@pytest.mark.parametrize("value", CRAFTED)
def test_md_leaves_no_markup(value):
    out = md(value)
    # every ASCII punctuation character is escaped, and no line break survives
    assert not re.search(r"(?<!\\)[\[\]()<>!*_`:$#~&-]", out.replace("\\\\", ""))
    assert "\n" not in out and "\r" not in out
    # GitHub autolinks are broken up by a zero-width space
    assert not re.search(r"(?i)https?://|www\.|@\w", re.sub(r"\\(.)", r"\1", out))
    # a reader sees the original text (line breaks as spaces)
    assert re.sub(r"\\(.)", r"\1", out).replace(ZERO_WIDTH, "") == re.sub(r"[\r\n]+", " ", value)
