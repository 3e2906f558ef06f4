"""The front end as served (insight/ui/frontend.py): Streamlit's static folder copied with the chart
chunk preloaded from the HTML, carrying V8's compile hint, registering only the trace types the app
draws and keeping only the code its code reaches, the server's folder set in the HTML, everything
else Streamlit's own bytes."""

from __future__ import annotations

import os
import random
import re
import threading
from pathlib import Path

import pytest
from streamlit import file_util

from insight.ui import frontend

STREAMLIT = Path(file_util.get_static_dir())
PRELOAD = re.compile(r'<link rel="modulepreload" crossorigin href="\./static/js/([^"]+)">')


def without_added(html: str) -> str:
    """`html` without the preloads of Plotly chunks and the server's folder (and the indentation
    added after them)."""
    html = html.replace(frontend.BASE + "    ", "", 1)
    return re.sub(r'<link rel="modulepreload" crossorigin href="\./static/js/PlotlyChart\.[^"]+">\n *', "", html)


def registered(chunk: bytes) -> list[str]:
    """The modules Plotly's bundle in `chunk` registers (`lib/bar.js` → "bar"), in order."""
    (calls,) = frontend.REGISTER.findall(chunk)
    defined = dict(frontend.DEFINED.findall(chunk))
    return [defined[call.removesuffix(b"()")].decode() for call in calls.split(b",")]


def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (links followed), by its path relative to `folder`."""
    found = (Path(top) / name for top, _, names in os.walk(folder, followlinks=True) for name in names)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in found}


def test_the_copy_of_streamlits_folder_differs_only_by_the_preload_and_the_hint(tmp_path):
    served = frontend.build(STREAMLIT, tmp_path)
    original, copy = files(STREAMLIT), files(served)
    assert copy.keys() == original.keys()
    chunks = [name for name in original if re.fullmatch(r"static/js/PlotlyChart\.[^/]+\.js", name)]
    assert len(chunks) == 1
    changed = {name for name in original if copy[name] != original[name]}
    assert changed == {"index.html", *chunks}
    assert copy[chunks[0]] == frontend.HINT + frontend.trimmed(frontend.pruned(original[chunks[0]]))
    # Streamlit's Plotly registers every trace type; the served one those the app draws, and
    # differs from Streamlit's only there
    assert {"bar", "heatmap", "waterfall", "scatter3d", "scattermap", "sankey"} <= set(registered(original[chunks[0]]))
    assert registered(copy[chunks[0]]) == [m for m in registered(original[chunks[0]]) if m in frontend.TRACES]
    assert set(registered(copy[chunks[0]])) == set(frontend.TRACES)
    # and keeps the code of the app's trace types, not that of the others (3D, MapLibre's maps...)
    served_chunk = copy[chunks[0]]
    kept = {
        m[2].decode() for m in frontend.WRAPPER.finditer(served_chunk) if served_chunk[m.end() : m.end() + 1] != b"}"
    }
    assert {f"lib/{trace}.js" for trace in frontend.TRACES} <= kept
    assert not {"lib/scatter3d.js", "lib/scattermap.js", "node_modules/maplibre-gl/dist/maplibre-gl.mjs"} & kept
    assert len(served_chunk) < len(original[chunks[0]]) / 2
    html = copy["index.html"].decode()
    assert html.index(frontend.BASE) < html.index('<script type="module"')  # before Streamlit's code runs
    assert PRELOAD.findall(html) == PRELOAD.findall(original["index.html"].decode()) + [chunks[0].rsplit("/", 1)[1]]
    assert html.index(chunks[0]) < html.index('rel="stylesheet"')  # in the head, with Streamlit's own preloads
    assert without_added(html) == original["index.html"].decode()
    # Streamlit's files are linked, not copied: only the HTML and the chunk are files of the copy's own
    own = {p.relative_to(served).as_posix() for p in served.rglob("*") if p.is_file() and not p.is_symlink()}
    assert own == {"index.html", *chunks}
    assert frontend.build(STREAMLIT, tmp_path) == served  # built once


def fake_static(root: Path, rng: random.Random, charts: int, stylesheet: bool) -> tuple[Path, list[str]]:
    """A made-up Streamlit static folder: an index.html, `charts` Plotly chunks among other chunks,
    media and nested folders, with random names and bytes."""
    static = root / f"static-{rng.randrange(10**9)}"
    (static / "static" / "js").mkdir(parents=True)
    (static / "static" / "media" / "fonts").mkdir(parents=True)
    names = []
    for i in range(charts):
        name = f"PlotlyChart.{rng.randrange(16**8):08x}{i}.js"
        (static / "static" / "js" / name).write_bytes(rng.randbytes(rng.randrange(1, 5000)))
        names.append(name)
    for i in range(rng.randrange(1, 8)):
        (static / "static" / "js" / f"Other{i}.{rng.randrange(16**8):08x}.js").write_bytes(rng.randbytes(100))
    (static / "static" / "media" / "fonts" / "a.woff2").write_bytes(rng.randbytes(50))
    (static / "favicon.png").write_bytes(rng.randbytes(30))
    head = '<script type="module" src="./static/js/index.js"></script>\n'
    if stylesheet:
        head += '<link rel="stylesheet" crossorigin href="./static/css/index.css">\n'
    (static / "index.html").write_text(f"<html><head>\n{head}</head><body><div id=root></div></body></html>\n")
    return static, names


@pytest.mark.parametrize("seed", range(12))
def test_generated_folders(tmp_path, seed):
    rng = random.Random(seed)
    static, names = fake_static(tmp_path, rng, charts=rng.choice([0, 1, 1, 2]), stylesheet=rng.random() < 0.6)
    served = frontend.build(static, tmp_path / "served")
    if not names:  # another build of Streamlit: served as it is
        assert served == static
        return
    original, copy = files(static), files(served)
    assert copy.keys() == original.keys()
    for name, data in original.items():
        expected = frontend.HINT + data if name.rsplit("/", 1)[-1] in names else data
        if name != "index.html":
            assert copy[name] == expected, name
    html = copy["index.html"].decode()
    assert sorted(PRELOAD.findall(html)) == sorted(names)
    assert html.index("modulepreload") < html.index("</head>")
    assert without_added(html) == original["index.html"].decode()


#: Modules a Plotly bundle may register besides the app's trace types.
OTHERS = ("box", "pie", "sankey", "scatter3d", "scattergl", "scattermap", "table", "violin", "calendars")


def fake_bundle(rng: random.Random, modules: list[str], register: int = 1) -> bytes:
    """A made-up minified chunk laid out as Streamlit's build lays out Plotly's bundle: each
    `lib/<module>.js` defined under a random name, `lib/index.js` registering `modules` in
    order (`register` times), random code around."""

    def ident() -> str:
        return rng.choice("abcdefghijklmnopqrstuvwxyz$_") + "".join(
            rng.choices("abcdefghijk$_0123456789", k=rng.randrange(1, 4))
        )

    def noise() -> str:
        return "".join(rng.choices("abc(){}[];,=`$_ 01", k=rng.randrange(0, 300)))

    names: dict[str, str] = {}
    for module in dict.fromkeys([*modules, *rng.sample(OTHERS, 3)]):  # some defined but not registered
        while (name := ident()) in names.values():
            pass
        names[module] = name
    helper = ident()
    parts = [f'var {n}={helper}({{"lib/{m}.js"(e,t){{t.exports={ident()}()}}}}),' for m, n in names.items()]
    rng.shuffle(parts)
    calls = ",".join(f"{names[m]}()" for m in modules)
    index = f'_({{"lib/index.js"(e,t){{var n={ident()}();n.register([{calls}]),t.exports=n}}}})'
    return (noise() + "".join(parts) + noise() + (index + noise()) * register).encode()


@pytest.mark.parametrize("seed", range(30))
def test_generated_bundles_register_only_the_apps_trace_types(seed):
    rng = random.Random(seed)
    pool = [*frontend.TRACES, *OTHERS]
    modules = rng.sample(pool, rng.randrange(1, len(pool) + 1))
    complete = set(frontend.TRACES) <= set(modules)
    register = rng.choice([1, 1, 1, 2]) if complete else 1
    chunk = fake_bundle(rng, modules, register)
    out = frontend.pruned(chunk)
    if not complete or register != 1:  # not the layout expected (a trace type missing, two registers)
        assert out == chunk
        return
    assert registered(out) == [m for m in modules if m in frontend.TRACES]
    (kept,) = frontend.REGISTER.finditer(out)
    (was,) = frontend.REGISTER.finditer(chunk)
    assert out[: kept.start(1)] == chunk[: was.start(1)] and out[kept.end(1) :] == chunk[was.end(1) :]


def test_servers_starting_together_share_one_complete_copy(tmp_path):
    root = tmp_path / "served"
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(frontend.build(STREAMLIT, root))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert files(results[0]).keys() == files(STREAMLIT).keys()
    assert [p.name for p in root.iterdir()] == [results[0].name]  # no half-built folder left


def test_install_points_streamlit_at_the_copy_and_falls_back_to_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(file_util, "get_static_dir", file_util.get_static_dir)
    monkeypatch.setattr(frontend, "ROOT", tmp_path / "served")
    frontend.install()
    served = Path(file_util.get_static_dir())
    assert (
        served.parent == tmp_path / "served"
        and (served / "index.html").read_text() != (STREAMLIT / "index.html").read_text()
    )

    monkeypatch.setattr(file_util, "get_static_dir", lambda: str(STREAMLIT))
    monkeypatch.setattr(frontend, "ROOT", tmp_path / "a-file")
    (tmp_path / "a-file").write_text("")  # the copy cannot be made: Streamlit's folder is served
    frontend.install()
    assert file_util.get_static_dir() == str(STREAMLIT)


#: How a module's body may use another module `{x}` in code: a call, a value, a spread, inside a
#: template's `${}` (with a block in it), after a division (not a regular expression), in an object.
USES = (
    "var q={x}();",
    "q=[{x}];",
    "f(...{x}());",
    "q=`a${{(()=>{{return {x}()}})()}}b`;",
    "q=a/2/{x}().length;",
    "q={{k:{x}(),[`${{{x}}}`]:1}};",
    "if(q)return {x}();",
)
#: How it may mention another module `{y}` without using it: text, a comment, a member's name.
MENTIONS = (
    'q="{y}()";',
    "q='{y}(\\')';",
    "q=`{y}()`;",
    "q=/{y}\\(\\)\\//g.test(a);",
    "if(a)return/{y}\\(`/.test(a);",
    "q=a.replace(/[{{}}`'\"]/g,``)+/{y}/.source;",
    "/* {y}() */",
    "q=a.{y}();",
    "q=a?.{y};",
    "q=`${{`{y}()`}}`;",
)


def fake_wrapped(rng: random.Random, emptied: set[str] | None = None) -> tuple[bytes, set[str]]:
    """A made-up bundle of module wrappers laid out as Streamlit's build lays out Plotly's
    (`name=helper({"path"(e,t){body}})`), each body using some modules in code and mentioning others
    in text, the code outside them calling a few: the bundle and the modules that code reaches,
    followed use by use (with `emptied`: the same bundle with those bodies empty)."""
    count = rng.randrange(2, 30)
    names = []
    while len(names) < count:
        name = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ$_") + "".join(
            rng.choices("abcdefgh$_0123456789", k=rng.randrange(0, 3))
        )
        if name not in names:
            names.append(name)
    used = {name: rng.sample(names, rng.randrange(0, min(4, count))) for name in names}
    roots = rng.sample(names, rng.randrange(0, 3))
    parts = []
    for i, name in enumerate(names):
        pieces = [rng.choice(USES).format(x=x) for x in used[name]]
        pieces += [rng.choice(MENTIONS).format(y=y) for y in rng.sample(names, rng.randrange(0, 4))]
        rng.shuffle(pieces)
        body = "" if emptied is not None and name in emptied else "".join(pieces)
        parts.append(f'{name}=h({{"src/m{i}.js"(e,t){{{body}}}}})')
    outside = "".join(f"{r}();" for r in roots) + "".join(
        rng.choice(MENTIONS).format(y=y) for y in rng.sample(names, 2)
    )
    chunk = f"var h=(c)=>()=>c;var {','.join(parts)};{outside}export{{h}};"
    reached, todo = set(), set(roots)
    while todo:
        reached.add(name := todo.pop())
        todo |= set(used[name]) - reached
    return chunk.encode(), reached


@pytest.mark.parametrize("seed", range(40))
def test_generated_bundles_keep_the_modules_their_code_reaches(seed):
    chunk, reached = fake_wrapped(random.Random(seed))
    names = {m.group(1).decode() for m in frontend.WRAPPER.finditer(chunk)}
    expected, _ = fake_wrapped(random.Random(seed), emptied=names - reached)
    assert frontend.trimmed(chunk) == expected


@pytest.mark.parametrize("seed", range(12))
def test_generated_bundles_that_do_not_read_as_built_are_kept_whole(seed):
    rng = random.Random(seed)
    chunk, _ = fake_wrapped(rng)
    wrapper = rng.choice(list(frontend.WRAPPER.finditer(chunk)))
    cut = rng.randrange(wrapper.end(), chunk.index(b"}})", wrapper.end()) + 2)  # before its object closes
    broken = rng.choice(
        [
            chunk[:cut],  # cut short in a wrapper: a "{" left open
            chunk + b"}",  # a "}" that closes nothing
            chunk.replace(b"}})", b"}}+0)", 1),  # a wrapper that does not close as built
            chunk + b"q=`${a",  # a template left open
        ]
    )
    assert frontend.trimmed(broken) == broken
