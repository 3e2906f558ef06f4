"""How a text file is written: its encoding, delimiter, header row and columns, decided from a
sample of its first bytes before any real reading starts."""

from __future__ import annotations

import csv
import io
import mmap
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import charset_normalizer
import numpy as np

from insight import settings
from insight.errors import InsightError
from insight.i18n import msg

DELIMITERS = [",", ";", "\t", "|"]
WHITESPACE = "whitespace"  # runs of spaces

#: Bytes no text export contains (tab, LF and CR aside); a sample full of them is binary.
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The same characters in decoded text, cleaned from every cell.
CONTROL_CHARS = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]"
BINARY_SHARE = 0.05

_NUMBER = re.compile(r"^[-+]?[¥$€£]?\s*\d[\d,]*(\.\d+)?%?$")
_DATE = re.compile(r"^\d{1,4}[-/.年]\d{1,2}[-/.月]\d{1,4}")


@dataclass
class Layout:
    """What the sample says about the file."""

    encoding: str
    delimiter: str
    header: bool
    skip: int  # physical lines above the first table row
    columns: list[str]


def layout(head: bytes, name: str, encoding: str = "auto", delimiter: str = "auto", whole: bool = False) -> Layout:
    """The file's layout from its first bytes (`whole`: `head` is the whole file)."""
    enc = detect_encoding(head, name) if encoding == "auto" else encoding
    sample = decode(head, enc, name, errors="ignore").lstrip("\ufeff")
    if not whole:
        if "\n" not in sample:
            raise InsightError(
                msg("import.line_too_long", line=1, size=f"{len(head):,}", limit=f"{settings.MAX_LINE_BYTES:,}"),
                file=name,
                rows=[1],
                hint=msg("import.line_too_long.hint"),
            )
        sample = sample[: sample.rfind("\n")]  # the last line of the sample may be cut
    delim = delimiter if delimiter != "auto" else detect_delimiter(sample)
    rows, starts = parse_sample(sample, delim)
    first, has_header = find_header(rows)
    body = [len(r) for r in rows[first + 1 : first + 200]]
    width = max(len(rows[first]) if rows else 0, Counter(body).most_common(1)[0][0] if body else 0)
    if width > settings.MAX_COLUMNS:
        raise InsightError(
            msg("import.too_many_columns", count=f"{width:,}", limit=f"{settings.MAX_COLUMNS:,}"),
            file=name,
            hint=msg("import.too_many_columns.hint"),
        )
    header = rows[first] if rows and has_header else []
    names = [header[i].strip() if i < len(header) else "" for i in range(width)]
    return Layout(enc, delim, has_header, starts[first] if rows else 0, column_names(names))


def column_names(names: list) -> list[str]:
    """Header cells as column names: blanks named as DuckDB names them (column0 …), repeats numbered."""
    seen: Counter = Counter({"_row": 1, "rowid": 1})  # names ignore case ("Name" is "name"); these two are ours
    out = []
    for i, n in enumerate(names):
        n = re.sub(CONTROL_CHARS, "", str(n if n is not None else "")).strip() or f"column{i}"
        seen[n.lower()] += 1
        while seen[n.lower()] > 1 and f"{n}_{seen[n.lower()]}".lower() in seen:
            seen[n.lower()] += 1
        unique = n if seen[n.lower()] == 1 else f"{n}_{seen[n.lower()]}"
        seen[unique.lower()] += unique != n
        out.append(unique)
    return out


def detect_encoding(head: bytes, name: str) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if head.startswith(b"PK\x03\x04"):
        raise InsightError(msg("import.zip_as_text"), file=name, hint=msg("import.zip_as_text.hint"))
    if b"\x00" in head and (head[1::2].count(0) > len(head) * 0.4 or head[0::2].count(0) > len(head) * 0.4):
        # UTF-16 without a BOM has a NUL in every other byte.
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    if len(CONTROL_BYTES.findall(head)) > len(head) * BINARY_SHARE:
        raise InsightError(msg("import.binary"), file=name, hint=msg("import.binary.hint"))
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the sample boundary
            return "utf-8"
        if _mostly_utf8(head):
            return "utf-8"  # a few bad bytes in a UTF-8 file: those rows are rejected, the rest load
    if _mostly_chinese(head):
        return "gb18030"
    best = charset_normalizer.from_bytes(head).best()
    if best is None:
        raise InsightError(msg("import.encoding_unknown"), file=name, hint=msg("import.encoding_unknown.hint"))
    enc = best.encoding.lower()
    if enc in {"gb2312", "gbk", "gb18030", "hz"}:
        return "gb18030"
    cyrillic = {"cp1251", "cp866", "cp855", "koi8_r", "koi8_u", "iso8859_5", "mac_cyrillic"}
    if enc.startswith(("cp4", "cp7", "cp8", "cp125", "iso8859", "latin", "mac_", "windows")) and enc not in cyrillic:
        # Small samples of Western text are easily taken for Baltic or Turkish code pages;
        # Windows-1252 (a superset of Latin-1's printable range) is what Western tools write.
        try:
            head.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"
    return enc


def _mostly_utf8(head: bytes) -> bool:
    """Valid UTF-8 but for a few stray bytes (one bad cell in a UTF-8 export)."""
    text = head.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    wide = sum(1 for c in text if ord(c) > 127)
    return wide > 0 and bad <= max(2, 0.02 * wide)


def _mostly_chinese(head: bytes) -> bool:
    """GB18030 that decodes cleanly into mostly CJK characters (GBK exports from Chinese tools)."""
    text = head.decode("gb18030", errors="replace")
    wide = [c for c in text if ord(c) > 127]
    bad = text.count("\ufffd")
    cjk = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return bool(wide) and cjk / len(wide) > 0.8 and bad <= max(2, 0.01 * len(wide))


def decode(data: bytes, enc: str, name: str, errors: str = "strict") -> str:
    codec = "utf-8-sig" if enc == "utf-8" else enc
    try:
        return data.decode(codec, errors=errors)
    except LookupError:
        raise InsightError(
            msg("import.encoding_bad_name", encoding=enc), file=name, hint=msg("import.encoding_unknown.hint")
        ) from None


def parse_sample(sample: str, delim: str) -> tuple[list[list[str]], list[int]]:
    """Rows of the sample and the physical line each starts on; blank lines are skipped."""
    if delim in ("auto", WHITESPACE):
        rows, starts = [], []
        for i, line in enumerate(sample.splitlines()):
            if line.strip():
                rows.append(line.split() if delim == WHITESPACE else [line])
                starts.append(i)
        return rows, starts
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delim, quotechar='"')
    rows, starts, line = [], [], 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                starts.append(line)
            line = reader.line_num
    except csv.Error:
        pass
    return rows, starts


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits most rows into the same number (≥ 2) of fields. Runs of spaces
    only when no real delimiter splits the rows: a time of day has a space in it too."""
    best, best_score = ",", (0.0, 0)
    for delim in DELIMITERS + [WHITESPACE]:
        if delim == WHITESPACE and best_score[0] >= 0.5:
            break
        rows, _ = parse_sample(sample, delim)
        counts = [len(r) for r in rows[-200:]]
        if not counts:
            continue
        mode, n = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (round(n / len(counts), 2), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _looks_typed(value: str) -> bool:
    v = value.strip()
    return bool(v) and bool(_NUMBER.match(v) or _DATE.match(v))


def _width(row: list[str]) -> int:
    """Fields up to the last non-empty one (exports often end every data row with a delimiter)."""
    n = len(row)
    while n and not row[n - 1].strip():
        n -= 1
    return n


def find_header(rows: list[list[str]]) -> tuple[int, bool]:
    """Index of the first table row (skipping junk lines above it) and whether it is a header."""
    if not rows:
        return 0, True
    body = rows[len(rows) // 5 :] or rows
    width = Counter(_width(r) for r in body).most_common(1)[0][0]
    filled = Counter(sum(1 for c in r if c.strip()) for r in body).most_common(1)[0][0]
    first = 0
    for i, row in enumerate(rows):
        nonempty = sum(1 for c in row if c.strip())
        if len(row) >= width and nonempty >= max(1, min(filled, width) * 0.6):
            first = i
            break
    candidate = rows[first]
    following = rows[first + 1 : first + 50]
    if any(_looks_typed(c) for c in candidate):
        return first, False
    typed_below = any(_looks_typed(c) for r in following for c in r)
    repeated = any(r == candidate for r in following)
    return first, typed_below or not repeated


#: Bytes scanned at a time by `scan_bytes` (a piece that stays in the cache: 4 MB ones take 3x as long).
_SCAN_CHUNK = 1 << 18


def scan_bytes(path: str, delimiter: str) -> tuple[bool, bool]:
    """(control, blanks) of a text file as DuckDB reads it: whether it holds control characters other
    than tab and line ends (NUL included), and whether any value may start or end with a blank (space,
    tab, line end, no-break or ideographic space). `blanks` errs towards True: False means no value
    needs trimming, so the typing pass skips the trims (most of its time). The file's halves are
    scanned on two threads (numpy lets go of the GIL), since nothing else runs meanwhile."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        data = np.frombuffer(mapped, np.uint8)
        try:
            delim = ord(delimiter) if len(delimiter) == 1 else None
            # (DuckDB drops a byte-order mark: a blank after it starts a value.)
            blanks = delim is None or bytes(data[:4]) in (b"\xef\xbb\xbf ", b"\xef\xbb\xbf\t")
            size = len(data)
            starts = range(0, size, _SCAN_CHUNK)
            half = len(starts) // 2
            stop = threading.Event()  # a control character anywhere ends both scans
            if half:
                with ThreadPoolExecutor(1) as pool:
                    other = pool.submit(_scan, data, starts[half:], delim, blanks, stop)
                    control, blanks = _scan(data, starts[:half], delim, blanks, stop)
                    control2, blanks2 = other.result()
                control, blanks = control or control2, blanks or blanks2
            else:
                control, blanks = _scan(data, starts, delim, blanks, stop)
            return control, blanks or control
        finally:
            del data


def _scan(data, starts: range, delim: int | None, blanks: bool, stop: threading.Event) -> tuple[bool, bool]:
    """(control, blanks) of the pieces of `data` starting at `starts`; `stop` is set on a control
    character, and ends the scan when another sets it."""
    size, control = len(data), False
    for start in starts:
        if stop.is_set():
            break  # cleaning control characters may leave blanks at the ends of a value
        # Two bytes either side (the file's ends read as line ends): a byte's neighbours.
        lo, hi = max(0, start - 2), min(size, start + _SCAN_CHUNK + 2)
        c, b = _chunk_flags(data, lo, hi, size, None if blanks else delim)
        control, blanks = control or c, blanks or b
        if c:
            stop.set()
    return control, blanks


def _chunk_flags(data, lo: int, hi: int, size: int, delim: int | None) -> tuple[bool, bool]:
    """(control, blanks) of `data[lo:hi]`; blanks are not looked for when `delim` is None. (One
    comparison per test over the piece: look-up tables and pairs of bytes cost several times more.)"""
    newline = np.array([10], np.uint8)
    w = np.concatenate([newline[: int(lo == 0)], data[lo:hi], newline[: int(hi == size)]])
    low, lines = np.count_nonzero(w < 32), np.count_nonzero(w == 10)
    tabs = returns = 0
    if low > lines:  # tabs and carriage returns are fine too (a look for TSV and CRLF files)
        tabs, returns = np.count_nonzero(w == 9), np.count_nonzero(w == 13)
    control = bool(low > lines + tabs + returns)
    if delim is None:
        return control, False
    # A value's first or last character stands next to a delimiter, a line end or a quote.
    edge = (w == delim) | (w == 10) | (w == 34)
    blank = w[1:-1] == 32
    if tabs and delim != 9:
        blank |= w[1:-1] == 9
    if returns:
        edge |= w == 13
    if np.any(blank & (edge[:-2] | edge[2:])):
        return control, True
    quotes = np.flatnonzero(w[1:-1] == 34) + 1  # inside quotes a value may start or end with a line end
    near = (w[quotes - 1] == 10) | (w[quotes + 1] == 10) | (w[quotes - 1] == 13) | (w[quotes + 1] == 13)
    if delim == 9:
        near |= (w[quotes - 1] == 9) | (w[quotes + 1] == 9)
    if near.any():
        return control, True
    if returns and np.any((w[:-1] == 13) & (w[1:] != 10)):  # a CR that does not end a line
        return control, True
    if w.max() < 0x80:
        return control, False
    nbsp = np.any((w[:-1] == 0xC2) & (w[1:] == 0xA0))  # U+00A0
    ideographic = np.flatnonzero(w[:-2] == 0xE3)  # U+3000: E3 80 80
    return control, bool(nbsp or ((w[ideographic + 1] == 0x80) & (w[ideographic + 2] == 0x80)).any())
