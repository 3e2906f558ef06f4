"""Files the import must refuse, each with the words its one-line error must hold."""

from __future__ import annotations

import socket

import pandas as pd

from tests.corpus import (
    _CORNER,
    _SMALL_SHEET,
    Case,
    _marketing_wide,
    _row,
    _xlsx_bytes,
    _xlsx_ok,
    csv_of,
    orders_frame,
    put,
)


def _missing(folder):
    return folder / "not_there.csv", {}


def _folder_named_csv(folder):
    (folder / "export.csv").mkdir()
    return folder / "export.csv", {}


def _socket_file(folder):
    path = folder / "socket.csv"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    return path, {"keep": sock}


def _xlsx_whole_sheet(folder):
    return put(folder, "whole_sheet.xlsx", _xlsx_bytes(_SMALL_SHEET + _CORNER, "A1:XFD1048576")), {}


def _xlsx_corner_undeclared(folder):
    return put(folder, "lying_range.xlsx", _xlsx_bytes(_SMALL_SHEET + _CORNER, None)), {}


def _xlsx_unpacks_big(folder):
    cells = _SMALL_SHEET + "".join(_row(r, f"P{r}", "2026-02-01", 1.0) for r in range(3, 6000))
    return put(folder, "bomb.xlsx", _xlsx_bytes(cells, "A1:C5999")), {}


def _xlsx_truncated(folder):
    return put(folder, "cut.xlsx", _xlsx_bytes(_SMALL_SHEET)[:300]), {}


def _xlsx_header_only(folder):
    return put(folder, "header.xlsx", _xlsx_bytes(_row(1, "order_id", "order_date", "amount"), "A1:C1")), {}


def _columns_5000(folder):
    header = ",".join(f"c{i}" for i in range(5000))
    return put(folder, "wide_5000.csv", header + "\n" + ",".join("1" for _ in range(5000)) + "\n"), {}


def _one_long_line(folder):
    return put(folder, "one_line.csv", "order_id,order_date,amount," + "x" * 3_000_000), {}


def _open_quote(folder):
    text = csv_of(orders_frame(30)).splitlines()
    text[8] = text[8].replace(",App", ',"App').replace(",Store", ',"Store').replace(",Online", ',"Online')
    return put(folder, "open_quote.csv", "\n".join(text) + "\n"), {}


def _binary(folder):
    return put(folder, "photo.csv", bytes(range(256)) * 64), {}


def _zip_as_csv(folder):
    return put(folder, "book.csv", _xlsx_bytes(_SMALL_SHEET)), {}


def _no_dates(folder):
    frame = orders_frame(10, order_date=["soon", "later", "never", "?", "tbd"] * 2)
    return put(folder, "no_dates.csv", csv_of(frame)), {}


def _all_amounts_text(folder):
    return put(folder, "text_amounts.csv", csv_of(orders_frame(10, amount="n/a"))), {}


def _no_date_column(folder):
    return put(folder, "no_date_col.csv", csv_of(orders_frame(10).drop(columns=["order_date"]))), {}


def _customers_without_key(folder):
    frame = pd.DataFrame({"姓名": ["张三", "李四", "王五", "张三"] * 5, "城市": ["上海", "北京", "广州", "上海"] * 5})
    return put(folder, "no_key.csv", csv_of(frame)), {}


def _gbk_forced_utf8(folder):
    frame = pd.DataFrame({"订单号": ["甲1", "乙2"], "下单时间": ["2026-01-01", "2026-01-02"], "金额": ["十", "二十"]})
    return put(folder, "gbk.csv", csv_of(frame), encoding="gbk"), {}


def _bad_json(folder):
    return put(folder, "orders.json", '[{"order_id": "A", "order_date": '), {}


def _bad_parquet(folder):
    return put(folder, "orders.parquet", b"PAR1" + b"\x00" * 64), {}


def _good_orders(name: str):
    def make(folder):
        return put(folder, name, csv_of(orders_frame(12))), {}

    return make


REFUSED: list[Case] = [
    Case("missing_file", "orders", _missing, False, ("no such file", "check the path")),
    Case("folder_named_csv", "orders", _folder_named_csv, False, ("folder, not a file",)),
    Case("socket_file", "orders", _socket_file, False, ("cannot be opened",)),
    Case("empty", "orders", lambda f: (put(f, "empty.csv", b""), {}), False, ("empty", "export it again")),
    Case(
        "header_only",
        "orders",
        lambda f: (put(f, "h.csv", "order_id,order_date,amount\n"), {}),
        False,
        ("no data rows",),
    ),
    Case("blank_lines_only", "orders", lambda f: (put(f, "b.csv", "\n\n  \n,,\n"), {}), False, ("no data rows",)),
    Case("pdf", "orders", lambda f: (put(f, "report.pdf", b"%PDF-1.4"), {}), False, (".pdf", "save it as one of")),
    Case("binary", "orders", _binary, False, ("binary", "upload the CSV")),
    Case("zip_renamed_csv", "orders", _zip_as_csv, False, ("Excel", ".xlsx")),
    Case(
        "too_big",
        "orders",
        _good_orders("big.csv"),
        False,
        ("over the 0 MB limit", "split it"),
        settings={"MAX_UPLOAD_MB": 0},
    ),
    Case("columns_5000", "orders", _columns_5000, False, ("5,000 columns", "MAX_COLUMNS", "export only the columns")),
    Case("one_3mb_line", "orders", _one_long_line, False, ("MAX_LINE_BYTES", "line ends")),
    Case("xlsx_whole_sheet", "orders", _xlsx_whole_sheet, False, ("A1:XFD1048576", "EXCEL_MAX_CELLS", "Ctrl+End")),
    Case(
        "xlsx_lying_range", "orders", _xlsx_corner_undeclared, False, ("EXCEL_CHILD_MEMORY_MB", "save the sheet as CSV")
    ),
    Case(
        "xlsx_unpacks_big",
        "orders",
        _xlsx_unpacks_big,
        False,
        ("unpacks to", "EXCEL_MAX_UNPACKED_MB"),
        settings={"EXCEL_MAX_UNPACKED_MB": 0},
    ),
    Case("xlsx_truncated", "orders", _xlsx_truncated, False, ("could not be opened", "save it again")),
    Case("xlsx_header_only", "orders", _xlsx_header_only, False, ("no data rows",)),
    Case(
        "xlsx_no_such_sheet",
        "orders",
        lambda f: _xlsx_ok(f),
        False,
        ("no sheet 'Q3'", "Orders"),
        args=("--sheet", "Q3"),
    ),
    Case("open_quote", "orders", _open_quote, False, ("never closed", "line 9", "close that quote")),
    Case("no_dates", "orders", _no_dates, False, ("no date can be read", "order_date", "YYYY-MM-DD")),
    Case(
        "text_amounts",
        "orders",
        _all_amounts_text,
        False,
        ("none of the 10 rows", "not a number", "check the column mapping"),
    ),
    Case("no_date_column", "orders", _no_date_column, False, ("order_date", "not mapped", "choose the file's column")),
    Case("customers_without_key", "customers", _customers_without_key, False, ("customer_id", "not mapped")),
    Case("gbk_read_as_utf8", "orders", _gbk_forced_utf8, False, ("not valid utf-8",), args=("--encoding", "utf-8")),
    Case(
        "unknown_encoding",
        "orders",
        _good_orders("enc.csv"),
        False,
        ("unknown encoding", "UTF-8"),
        args=("--encoding", "klingon"),
    ),
    Case("bad_json", "orders", _bad_json, False, ("could not be read as json", "valid json")),
    Case("bad_parquet", "orders", _bad_parquet, False, ("could not be read as parquet",)),
    Case(
        "map_to_absent_column",
        "orders",
        _good_orders("m.csv"),
        False,
        ("no column 'Total'", "columns are"),
        args=("--map", "amount=Total"),
    ),
    Case(
        "map_wrong_column",
        "orders",
        _good_orders("t.csv"),
        False,
        ("no date can be read", "channel", "map another column"),
        args=("--map", "order_date=channel"),
    ),
    Case(
        "map_malformed",
        "orders",
        _good_orders("x.csv"),
        False,
        ("not canonical=source",),
        args=("--map", "amount"),
        names_file=False,
    ),
    Case(
        "unknown_table",
        "leads",
        _good_orders("l.csv"),
        False,
        ("unknown table leads", "customers, orders"),
        names_file=False,
    ),
    Case(
        "wide_absent_columns", "contacts", _marketing_wide, False, ("not in the file: Cmp9",), args=("--wide", "Cmp9")
    ),
]
