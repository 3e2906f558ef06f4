"""Generated bad and odd files, as real tools and real accidents produce them: the shared pieces.

Each `Case` writes its file into a folder and returns it with what pandas says about the data
(`expected`), so the test can check the import against an independent computation. A refused
case names the words its one-line error must contain (the problem and the fix); an accepted case
names words its report must contain and a check of what loaded. The cases themselves are in
`corpus_refused.py` and `corpus_accepted.py`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Case:
    name: str
    table: str
    make: Callable[[Path], tuple[Path, dict]]
    ok: bool
    says: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    check: Callable | None = None  # check(ws, report, expected) for accepted files
    settings: dict = field(default_factory=dict)  # limits lowered so a test file stays small
    names_file: bool = True  # the error is about the file (else about an argument)


def text_rows(rows, delimiter=",", newline="\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def put(folder: Path, name: str, data, encoding="utf-8") -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def orders_frame(n=40, seed=1, **kw) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "order_id": [f"Q{i:05d}" for i in range(n)],
            "customer_id": [f"C{int(i):04d}" for i in rng.integers(0, 300, n)],
            "order_date": pd.date_range("2026-01-03", periods=n, freq="37h").strftime("%Y-%m-%d %H:%M:%S"),
            "amount": rng.integers(100, 90000, n) / 100,
            "channel": rng.choice(["App", "Store", "Online"], n),
        }
    )
    return frame.assign(**kw)


def csv_of(frame: pd.DataFrame, **kw) -> str:
    return frame.to_csv(index=False, **kw)


def _xlsx_bytes(cells: str, dimension: str | None = "A1:C2") -> bytes:
    """A minimal valid workbook whose one sheet has `cells` (sheetData rows) and `dimension`."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>{cells}</sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
    return buffer.getvalue()


def _row(r: int, *values) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
        if isinstance(v, str)
        else f'<c r="{chr(65 + i)}{r}"><v>{v}</v></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{r}">{cells}</row>'


_SMALL_SHEET = _row(1, "order_id", "order_date", "amount") + _row(2, "X1", "2026-02-01", 12.5)


_CORNER = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def _xlsx_ok(folder):
    cells = _row(1, "Report: orders", "", "") + _row(3, "order_id", "order_date", "amount")
    cells += "".join(_row(r, f"E{r}", 46023 + r, 10 + r / 4) for r in range(4, 24))  # Excel serial dates
    expected = {"rows": 20, "order_id": [f"E{r}" for r in range(4, 24)]}
    return put(folder, "with_title.xlsx", _xlsx_bytes(cells, "A1:C23")), expected


def _marketing_wide(folder):
    rng = np.random.default_rng(9)
    n = 80
    frame = pd.DataFrame({"ID": range(5000, 5000 + n), "Income": rng.integers(20000, 90000, n)})
    frame["Kidhome"] = rng.integers(0, 3, n)
    for c in ("AcceptedCmp3", "AcceptedCmp4", "AcceptedCmp5", "AcceptedCmp1", "AcceptedCmp2"):
        frame[c] = rng.choice([0, 1], n, p=[0.9, 0.1])
    frame["Complain"] = rng.choice([0, 1], n, p=[0.95, 0.05])
    frame["Response"] = rng.choice([0, 1], n, p=[0.85, 0.15])
    campaigns = ["AcceptedCmp3", "AcceptedCmp4", "AcceptedCmp5", "AcceptedCmp1", "AcceptedCmp2", "Response"]
    responses = {c: int(frame[c].sum()) for c in campaigns}
    return put(folder, "marketing_campaign.csv", frame.to_csv(index=False, sep="\t")), {
        "responses": responses,
        "customers": n,
    }


def no_constants(name: str):
    """json.loads hook: NaN and Infinity are not JSON."""
    raise ValueError(f"{name} in JSON output")


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines and re.match(r"^error: ", lines[0]), stderr
    return lines[0]
