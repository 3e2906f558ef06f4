"""Values with blanks at their ends, wherever they sit in a file. The reader's byte scan decides
whether any value may need trimming (when none can, the typing pass skips every trim), so it must
see each one: checked over generated files against Python's own csv reading, and end to end
against the file read and stripped in Python."""

from __future__ import annotations

import csv
import io
import random

import pandas as pd
import pytest

from insight.ingest import sniff
from insight.ingest.importer import import_file

#: What the import trims from both ends of a value (insight/ingest/coerce.py _BLANKS).
BLANKS = " \t\r\n\u00a0\u3000"
WORDS = ["Store", "App", "华东", "a b", "x,y", 'say "hi"', "12.50", "2024-03-05 10:00:00", "C0042"]
DELIMITERS = [",", ";", "\t", "|"]


def text(rows, delimiter: str, newline: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def random_file(rng: random.Random) -> tuple[list[list[str]], str, str]:
    """A header and rows of words; in most files one value gets a blank at its start or end (or is only blanks)."""
    width, height = rng.randint(1, 5), rng.randint(1, 12)
    rows = [[f"col{j}" for j in range(width)]]
    rows += [[rng.choice(WORDS) for _ in range(width)] for _ in range(height)]
    if rng.random() < 0.8:
        i, j, blank = rng.randint(1, height), rng.randrange(width), rng.choice(BLANKS) * rng.randint(1, 2)
        rows[i][j] = rng.choice([blank + rows[i][j], rows[i][j] + blank, blank])
    return rows, rng.choice(DELIMITERS), rng.choice(["\n", "\r\n"])


def scan(tmp_path, content: str, delimiter: str) -> bool:
    path = tmp_path / "f.csv"
    path.write_bytes(content.encode())
    control, blanks = sniff.scan_bytes(str(path), delimiter)
    assert not control
    return blanks


@pytest.mark.parametrize("seed", range(8))
def test_the_byte_scan_sees_every_value_with_blanks_at_its_ends(tmp_path, seed):
    rng = random.Random(seed)
    for _ in range(150):
        rows, delimiter, newline = random_file(rng)
        content = text(rows, delimiter, newline)
        if rng.random() < 0.3:
            content = content.rstrip("\r\n")  # no line end after the last value
        values = [v for row in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter) for v in row]
        if any(v != v.strip(BLANKS) for v in values):
            assert scan(tmp_path, content, delimiter), (delimiter, content)


@pytest.mark.parametrize("content", ["\ufeff a,b\n", "\ufeff\ta,b\n", "a, b", "a,b ", " a", "a,\u3000", "a,b\rc\n"])
def test_blanks_at_the_ends_of_the_file(tmp_path, content):
    assert scan(tmp_path, content, ",")


@pytest.mark.parametrize("delimiter", DELIMITERS)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_files_without_such_values_skip_the_trims(tmp_path, delimiter, newline):
    rows = [["order_id", "order_date", "product", "region"]]
    rows += [[f"O{i}", f"2024-03-{i:02d} 10:00:00", "Prepaid top-up", "华东 区"] for i in range(1, 30)]
    assert not scan(tmp_path, text(rows, delimiter, newline), delimiter)


@pytest.mark.parametrize("seed", range(12))
def test_values_are_trimmed_wherever_the_blank_sits(ws, tmp_path, seed):
    rng = random.Random(100 + seed)
    # (A lone CR inside a quoted value of a file whose lines end in LF: DuckDB refuses the file.)
    blanks = BLANKS.replace("\r", "")
    blank = blanks[seed % len(blanks)] * (1 + seed % 2)
    delimiter = DELIMITERS[seed % len(DELIMITERS)]
    rows = [["customer_id", "name", "region", "segment"]]
    rows += [[f"C{i:03d}", rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)] for i in range(40)]
    i, j = rng.randint(1, 40), rng.randrange(4)
    rows[i][j] = [blank + rows[i][j], rows[i][j] + blank][seed % 2]
    path = tmp_path / "customers.csv"
    path.write_bytes(text(rows, delimiter, "\r\n" if seed % 3 == 0 else "\n").encode())

    import_file(ws, path, "customers")

    got = ws.query("SELECT customer_id, name, region, segment FROM customers ORDER BY customer_id")
    read = list(csv.reader(io.StringIO(path.read_bytes().decode(), newline=""), delimiter=delimiter))
    expected = pd.DataFrame(read[1:], columns=read[0]).apply(lambda column: column.str.strip(BLANKS))
    expected = expected.replace("", None).sort_values("customer_id", ignore_index=True)
    assert got.to_dict("records") == expected.to_dict("records")
