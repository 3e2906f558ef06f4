"""Streamlit's front end as this app serves it: Streamlit's own files, with the chart code a page
needs fetched and compiled from the start instead of after the script run, and set up for the app's
charts only.

A new tab of a page with a chart shows nothing of its elements until Streamlit's lazily loaded
Plotly module (4.7 MB) is in: Streamlit asks for it only when the run's first chart arrives, then
the browser parses it and evaluates it on the page's main thread, where V8 compiles each function
Plotly's set-up calls, one by one (most of that evaluation; Chromium 156 keeps a code cache for it
and never uses it). Changes, made at server start on a copy of Streamlit's static folder
(`install`, called by insight/serve.py; site-packages is never written):

- `index.html` asks for the module from its head (`<link rel="modulepreload">`), so it is fetched and
  parsed while Streamlit's own code starts, the websocket connects and the script runs;
- the module is served with V8's explicit compile hint (`//# allFunctionsCalledOnLoad`, the magic
  comment Chromium honours since 136) on its first line, so its functions are compiled on the
  background thread that parses it rather than lazily on the main thread during its evaluation;
- the module's Plotly registers only the trace types the app draws (`pruned`): setting up the
  other forty (3D, maps, WebGL...) was half of its evaluation on the main thread;
- and keeps only the code those reach (`trimmed`): the bundle's module wrappers that nothing reached
  calls (maps with MapLibre, WebGL, 3D, geo...: 3.2 of its 4.7 MB) are emptied, so the hint's eager
  compilation, which every new tab pays again (the code cache is never used), compiles a third of it;
- `index.html` tells Streamlit's code where its server is (`BASE`), which it otherwise finds by
  asking the page's own path first (a 404, then a retry 0.1 s later, on every new tab).

Every other file is Streamlit's, linked; the chunk keeps its name. The
copy is built once per Streamlit build in the user's cache folder (`ROOT`) and shared by the user's
servers. Without the chunk (another Streamlit build) Streamlit's folder is served as
it is.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

_LOG = logging.getLogger(__name__)
#: The lazily loaded chunks every page with a chart needs, by the name Streamlit's build gives them.
CHUNKS = ("PlotlyChart",)
#: V8's explicit compile hint: compile every function of the file while streaming it.
HINT = b"//# allFunctionsCalledOnLoad\n"
#: The Plotly trace types the app draws besides those in Plotly's core (scatter): insight/charts/*.
TRACES = ("bar", "heatmap", "waterfall")
#: Where Plotly's bundle registers its trace types and components (`lib/index.js`), and where each
#: of those is defined (`lib/bar.js`...), by the names the minified chunk gives them.
REGISTER = re.compile(rb'"lib/index\.js"\([\w$]+,[\w$]+\)\{var [\w$]+=[\w$]+\(\);[\w$]+\.register\(\[([\w$(),]*)\]\)')
DEFINED = re.compile(rb'([\w$]+)=[\w$]+\(\{"lib/(\w+)\.js"')
#: Where Streamlit's front end finds its server: the folder the page's own files are served from,
#: so that it does not first try the page's path as the server's (`/overview/_stcore/health`, a 404
#: and a retry 0.1 s later on every new tab of a page other than the first).
BASE = (
    '<script>window.__streamlit = {BACKEND_BASE_URL: new URL(".", document.baseURI).href, ...window.__streamlit}'
    "</script>\n"
)
#: Where the adjusted copies live (one folder per Streamlit build and version of this module): the
#: user's cache folder, which no other user can write to (a shared /tmp folder would let one).
ROOT = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "insight" / "frontend"


def chunks(static: Path) -> list[Path]:
    """The files of `CHUNKS` in Streamlit's static folder `static`."""
    return sorted(p for name in CHUNKS for p in (static / "static" / "js").glob(f"{name}.*.js"))


def preload_links(found: list[Path]) -> str:
    """`<link rel="modulepreload">` tags for `found`, as Streamlit's index.html writes its own."""
    return "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{p.name}">\n' for p in found)


def adjusted_index(html: str, found: list[Path]) -> str:
    """Streamlit's `index.html` with `found` preloaded after its own preloads (before its stylesheet),
    and its server's folder (`BASE`) set before its code runs."""
    module = '<script type="module"'
    if module in html:
        html = html.replace(module, BASE + "    " + module, 1)
    anchor = '<link rel="stylesheet"'
    if anchor not in html:
        return html.replace("</head>", preload_links(found) + "</head>", 1)
    return html.replace(anchor, preload_links(found) + "    " + anchor, 1)


def pruned(chunk: bytes) -> bytes:
    """Plotly's chunk with only the trace types the app draws (`TRACES`) registered: the others
    (3D, maps, WebGL, finance...) stay in the file but are never set up, which was half of the
    chunk's evaluation on the page's main thread. As it is when the bundle is not laid out as
    expected (another Plotly or Streamlit build)."""
    found = list(REGISTER.finditer(chunk))
    defined = {name: module.decode() for name, module in DEFINED.findall(chunk)}
    if len(found) != 1:
        return chunk
    calls = found[0].group(1).split(b",")
    modules = [defined.get(call.removesuffix(b"()")) for call in calls]
    if None in modules or not set(TRACES) <= set(modules):
        return chunk
    kept = b",".join(call for call, module in zip(calls, modules, strict=True) if module in TRACES)
    return chunk[: found[0].start(1)] + kept + chunk[found[0].end(1) :]


#: One token of minified JavaScript, as far as telling code from text needs: blanks and comments,
#: a string, a name, a number or one character (templates and regular expressions are read by
#: `_read`, which knows where they may start).
TOKEN = re.compile(
    rb"""(?P<blank>\s+|//[^\n]*|/\*.*?\*/)|(?P<text>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    rb"""|(?P<name>[A-Za-z_$][\w$]*)|(?P<number>\.?\d[\w.]*)|(?P<punct>.)""",
    re.S,
)
#: A template literal's text from after its opening "`" (or a `${...}`'s closing "}") to its end or next `${`.
TEMPLATE = re.compile(rb"(?:[^`\\$]|\\.|\$(?!\{))*(`|\$\{)", re.S)
REGEXP = re.compile(rb"/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
#: What a "/" that starts a regular expression (not a division) follows: punctuation or a keyword.
BEFORE_REGEXP = {*b"(,=:[!&|?{};+-*%<>~^", None}
KEYWORDS = {b"return", b"typeof", b"case", b"do", b"else", b"in", b"of", b"new", b"delete", b"void", b"throw"}
KEYWORDS |= {b"yield", b"await", b"instanceof"}
#: A module of the bundle as its build wraps it: `name=helper({"path"(exports,module){body}})`, the
#: body run when `name()` is first called.
WRAPPER = re.compile(rb'([\w$]+)=[\w$]+\(\{"([^"]+)"\([\w$,]*\)\{')


def _read(src: bytes) -> tuple[list[tuple[int, bytes]], dict[int, int]] | None:
    """The names `src` uses as values (where, which; a member's name after "." is not one, text in
    strings, templates, regular expressions and comments neither) and where each "{" closes; None
    when it does not read as balanced JavaScript."""
    names: list[tuple[int, bytes]] = []
    closes: dict[int, int] = {}
    opens: list[int] = []
    templates: list[int] = []  # how many "{" were open at each `${` still open
    prev: int | bytes | None = None  # the last token that is not a blank: a character, or a name
    i = 0
    while i < len(src):
        m = TOKEN.match(src, i)
        kind, at, i = m.lastgroup, m.start(), m.end()
        c = src[at]
        if kind == "blank":
            continue
        if kind == "name":
            if prev != ord("."):
                names.append((at, m.group()))
            prev = m.group()
        elif kind in ("text", "number"):
            prev = ord("a")
        elif src.startswith(b"...", at):  # a spread: a value follows
            i, prev = at + 3, ord(",")
        elif c == ord("`") or (c == ord("}") and templates and templates[-1] == len(opens)):
            if c == ord("}"):
                templates.pop()
            if not (text := TEMPLATE.match(src, i)):
                return None
            i = text.end()
            if text.group(1) == b"${":
                templates.append(len(opens))
            prev = ord("{") if text.group(1) == b"${" else ord("a")
        elif c == ord("/") and (prev in BEFORE_REGEXP or prev in KEYWORDS):
            if not (regexp := REGEXP.match(src, at)):
                return None
            i, prev = regexp.end(), ord("a")
        else:
            if c == ord("{"):
                opens.append(at)
            elif c == ord("}"):
                if not opens:
                    return None
                closes[opens.pop()] = at
            prev = c
    return (names, closes) if not opens and not templates else None


def trimmed(chunk: bytes) -> bytes:
    """`chunk` with the body of every module wrapper (`WRAPPER`) that no code run from outside the
    wrappers reaches emptied: reached are the wrappers whose name that code uses, then those whose
    name a reached body uses (a name shadowed by a local keeps its wrapper: more is kept, never
    less). Nothing calls an emptied body, so the chunk runs as before with a third of the code to
    compile. As it is when it does not read as balanced or a wrapper does not close as built."""
    read = _read(chunk)
    if read is None:
        return chunk
    names, closes = read
    wrappers: dict[bytes, tuple[int, int, int]] = {}  # name -> where its head, body and body's end are
    end = -1
    for m in WRAPPER.finditer(chunk):
        close = closes.get(m.end() - 1)
        if close is None or chunk[close : close + 3] != b"}})":
            return chunk
        if m.start() > end:  # one inside another's body is that body's own business
            end = close
            wrappers[m.group(1)] = (m.start(), m.end(), close)
    spans = sorted(wrappers.values())
    starts = [head for head, _, _ in spans]
    owner = {head: name for name, (head, _, _) in wrappers.items()}
    uses: dict[bytes | None, set[bytes]] = {}  # by wrapper (None: outside them), the names its code uses
    for at, name in names:
        k = bisect.bisect_right(starts, at) - 1
        if k >= 0 and spans[k][0] <= at < spans[k][1]:  # the wrapper's own head
            continue
        inside = k >= 0 and spans[k][1] <= at < spans[k][2]
        uses.setdefault(owner[spans[k][0]] if inside else None, set()).add(name)
    reached: set[bytes] = set()
    todo = uses.get(None, set()) & wrappers.keys()
    while todo:
        reached.add(name := todo.pop())
        todo |= (uses.get(name, set()) & wrappers.keys()) - reached
    out, pos = [], 0
    for head, body, close in spans:
        if owner[head] not in reached:
            out.append(chunk[pos:body])
            pos = close
    return b"".join([*out, chunk[pos:]])


def build(static: Path, root: Path) -> Path:
    """The adjusted copy of Streamlit's static folder `static` (built under `root` unless it is
    there already); `static` itself when it has none of the chunks."""
    found = chunks(static)
    if not found:
        return static
    key = hashlib.sha256(Path(__file__).read_bytes() + str(static).encode() + (static / "index.html").read_bytes())
    target = root / key.hexdigest()[:20]
    if (target / "index.html").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        _copy(static, work, set(found), skip="index.html")
        (work / "index.html").write_text(
            adjusted_index((static / "index.html").read_text(encoding="utf-8"), found), encoding="utf-8"
        )
        work.rename(target)
    except OSError:
        if not (target / "index.html").is_file():  # not another server's build that won the race
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _copy(source: Path, target: Path, hinted: set[Path], skip: str = "") -> None:
    """`source` mirrored into `target`: the folders on the way to `hinted` made, `hinted` copied
    with the compile hint first and set up for the app's charts, everything else linked, but `skip`
    (written by the caller)."""
    for entry in source.iterdir():
        if entry.name == skip:
            continue
        if entry in hinted:
            (target / entry.name).write_bytes(HINT + trimmed(pruned(entry.read_bytes())))
        elif entry.is_dir() and any(p.is_relative_to(entry) for p in hinted):
            (target / entry.name).mkdir()
            _copy(entry, target / entry.name, hinted)
        else:
            (target / entry.name).symlink_to(entry)


def install() -> None:
    """Serve the adjusted copy: point Streamlit's static folder at it (before the server starts).
    A copy that cannot be built leaves Streamlit's own folder served, with a warning in the log."""
    from streamlit import file_util

    static = Path(file_util.get_static_dir())
    try:
        served = build(static, ROOT)
    except OSError:
        _LOG.warning("the adjusted front end could not be built; Streamlit's is served", exc_info=True)
        return
    file_util.get_static_dir = lambda: str(served)
