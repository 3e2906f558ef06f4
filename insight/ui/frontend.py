"""Streamlit's front end as this app serves it: Streamlit's own files, with the chart code a page
needs fetched and compiled from the start instead of after the script run.

A new tab of a page with a chart shows nothing of its elements until Streamlit's lazily loaded
Plotly module (4.7 MB) is in: Streamlit asks for it only when the run's first chart arrives, then
the browser parses it and evaluates it on the page's main thread, where V8 compiles each function
Plotly's set-up calls, one by one (most of that evaluation; Chromium 156 keeps a code cache for it
and never uses it). Two changes, made at server start on a copy of Streamlit's static folder
(`install`, called by insight/serve.py; site-packages is never written):

- `index.html` asks for the module from its head (`<link rel="modulepreload">`), so it is fetched and
  parsed while Streamlit's own code starts, the websocket connects and the script runs;
- the module is served with V8's explicit compile hint (`//# allFunctionsCalledOnLoad`, the magic
  comment Chromium honours since 136) on its first line, so its functions are compiled on the
  background thread that parses it rather than lazily on the main thread during its evaluation.

Every other file is Streamlit's, linked; the chunk keeps its name (only a comment is added). The
copy is built once per Streamlit build in the user's cache folder (`ROOT`) and shared by the user's
servers. Without the chunk (another Streamlit build) Streamlit's folder is served as
it is.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

_LOG = logging.getLogger(__name__)
#: The lazily loaded chunks every page with a chart needs, by the name Streamlit's build gives them.
CHUNKS = ("PlotlyChart",)
#: V8's explicit compile hint: compile every function of the file while streaming it.
HINT = b"//# allFunctionsCalledOnLoad\n"
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
    """Streamlit's `index.html` with `found` preloaded after its own preloads (before its stylesheet)."""
    anchor = '<link rel="stylesheet"'
    if anchor not in html:
        return html.replace("</head>", preload_links(found) + "</head>", 1)
    return html.replace(anchor, preload_links(found) + "    " + anchor, 1)


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
    with the compile hint first, everything else linked, but `skip` (written by the caller)."""
    for entry in source.iterdir():
        if entry.name == skip:
            continue
        if entry in hinted:
            (target / entry.name).write_bytes(HINT + entry.read_bytes())
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
