"""Nasty files as real tools write them; each checked against an independent read."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from insight.ingest.importer import import_file, preview
from insight.ingest.plan import reject_text

ORDERS_ZH = [
    ("订单号", "客户编号", "下单时间", "实付金额", "渠道", "地区"),
    ("A001", "C01", "2024-03-05 10:00:00", "128.50", "微信", "华东"),
    ("A002", "C02", "2024-03-06 11:30:00", "￥1,024.00", "门店", "华北"),
    ("A003", "C01", "2024-03-07 09:15:00", "56", "App", "华东"),
]


def write_csv(path, rows, delimiter=",", encoding="utf-8", newline="\n", tail=""):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.write_bytes((buffer.getvalue() + tail).encode(encoding))
    return path


def orders(ws):
    return ws.query("SELECT * FROM orders ORDER BY order_id")


def test_gbk_csv_with_chinese_headers(ws, tmp_path):
    path = write_csv(tmp_path / "订单.csv", ORDERS_ZH, encoding="gbk")
    result = import_file(ws, path, "orders")
    assert result.read["encoding"] == "gb18030"
    assert result.mapping == {
        "order_id": "订单号",
        "customer_id": "客户编号",
        "order_date": "下单时间",
        "amount": "实付金额",
        "channel": "渠道",
        "region": "地区",
    }
    got = orders(ws)
    assert got["amount"].tolist() == [128.5, 1024.0, 56.0]
    assert got["region"].tolist() == ["华东", "华北", "华东"]
    assert got["channel"].tolist() == ["微信", "门店", "App"]


def test_semicolon_csv_with_whitespace_last_line_and_crlf(ws, tmp_path):
    rows = [("order_id", "order_date", "amount")] + [(f"O{i}", f"2024-01-{i:02d}", f"{i}.5") for i in range(1, 11)]
    path = write_csv(tmp_path / "eu.csv", rows, delimiter=";", newline="\r\n", tail="   \r\n")
    result = import_file(ws, path, "orders")
    assert result.read["delimiter"] == ";"
    assert result.rows_read == 10 and result.rows_loaded == 10
    assert orders(ws)["amount"].sum() == pytest.approx(sum(i + 0.5 for i in range(1, 11)))


def test_utf16_tsv(ws, tmp_path):
    rows = [("客户ID", "姓名", "地区", "是否流失")] + [
        (f"K{i}", f"张{i}", "华南", "是" if i % 3 == 0 else "否") for i in range(30)
    ]
    path = write_csv(tmp_path / "customers.tsv", rows, delimiter="\t", encoding="utf-16")
    result = import_file(ws, path, "customers")
    assert result.read["encoding"] == "utf-16" and result.read["delimiter"] == "tab"
    got = ws.query("SELECT * FROM customers ORDER BY customer_id")
    expected = pd.DataFrame(rows[1:], columns=rows[0]).sort_values("客户ID")
    assert got["customer_id"].tolist() == expected["客户ID"].tolist()
    assert got["churned"].tolist() == (expected["是否流失"] == "是").tolist()


def test_two_sheet_workbook_reads_the_chosen_sheet(ws, tmp_path):
    path = tmp_path / "book.xlsx"
    first = pd.DataFrame({"note": ["not this one"]})
    second = pd.DataFrame(
        {
            "Order ID": ["X1", "X2", "X3"],
            "Order Date": pd.to_datetime(["2024-05-01", "2024-05-02", "2024-05-03"]),
            "Sales": [10.0, 20.5, 30.25],
            "Channel": ["Online", "Store", "App"],
        }
    )
    with pd.ExcelWriter(path) as writer:
        first.to_excel(writer, sheet_name="Readme", index=False)
        second.to_excel(writer, sheet_name="Orders 2024", index=False)
    pv = preview(ws, path, "orders", sheet="Orders 2024")
    assert pv.parsed.sheets == ["Readme", "Orders 2024"]
    result = import_file(ws, path, "orders", sheet="Orders 2024")
    assert result.rows_loaded == 3
    got = orders(ws)
    assert got["amount"].tolist() == second["Sales"].tolist()
    assert got["order_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-05-01", "2024-05-02", "2024-05-03"]


def test_junk_preamble_above_the_header(ws, tmp_path):
    rows = [
        ("Sales export", "", ""),
        ("Generated 2024-06-01 by ERP", "", ""),
        ("", "", ""),
        ("order_id", "order_date", "amount"),
        ("P1", "2024-06-01", "5"),
        ("P2", "2024-06-02", "7"),
    ]
    path = write_csv(tmp_path / "junk.csv", rows)
    result = import_file(ws, path, "orders")
    assert result.read["skipped_lines"] == 3
    assert orders(ws)["order_id"].tolist() == ["P1", "P2"]


def test_headerless_space_separated_file_uses_duckdb_column_names(ws, tmp_path):
    path = tmp_path / "export.txt"
    path.write_text("1001   2024-01-05  59.90  Store\n1002 2024-01-06   10  App\n\n1003 2024-01-07 12.5 Online\n")
    pv = preview(ws, path, "orders")
    assert pv.parsed.header is False and pv.parsed.columns == ["column0", "column1", "column2", "column3"]
    result = import_file(
        ws,
        path,
        "orders",
        overrides={"order_id": "column0", "order_date": "column1", "amount": "column2", "channel": "column3"},
    )
    assert result.rows_loaded == 3
    assert orders(ws)["amount"].tolist() == [59.9, 10.0, 12.5]


def test_mixed_valid_and_invalid_dates_reject_only_the_bad_rows(ws, tmp_path):
    rows = [
        ("order_id", "order_date", "amount"),
        ("D1", "03/04/2024", "1"),
        ("D2", "13/04/2024", "2"),
        ("D3", "not a date", "3"),
        ("D4", "25/12/2024", "4"),
        ("D5", "", "5"),
    ]
    path = write_csv(tmp_path / "dates.csv", rows)
    result = import_file(ws, path, "orders")
    # 13/04 and 25/12 only read as day/month, so the whole column is day/month: 03/04 is 3 April.
    assert result.date_formats == {"order_date": "d/m/y"}
    assert result.rows_loaded == 3 and result.rows_rejected == 2
    rejects = reject_text(result.rejects).set_index("row")
    assert (
        rejects.loc[3, "value"] == "not a date"
        and rejects.loc[3, "reason"] == "not a date in the column's format (d/m/y; 1900–2100)"
    )
    assert rejects.loc[5, "reason"] == "required value is missing"
    got = orders(ws).set_index("order_id")["order_date"].dt.strftime("%Y-%m-%d")
    assert got.to_dict() == {"D1": "2024-04-03", "D2": "2024-04-13", "D4": "2024-12-25"}


def test_date_formats_of_spec(ws, tmp_path):
    cases = {
        "20240105": "2024-01-05",
        "2024年1月5日": "2024-01-05",
        "45296": "2024-01-05",  # Excel serial
        "05-01-2024": "2024-01-05",  # DD-MM-YYYY
    }
    for i, (text, iso) in enumerate(cases.items()):
        path = write_csv(tmp_path / f"d{i}.csv", [("order_id", "order_date", "amount"), ("Q", text, "1")])
        import_file(ws, path, "orders")
        assert str(ws.scalar("SELECT order_date FROM orders"))[:10] == iso, text


def test_quoted_multiline_fields_blank_rows_and_excel_comma_rows(ws, tmp_path):
    text = (
        "ticket_id,created_at,category,text\r\n"
        'T1,2024-02-01 10:00,Billing,"charged twice\r\non my bill"\r\n'
        ",,,\r\n"
        "   \r\n"
        'T2,2024-02-02 11:00,Network,"no signal"\r\n'
        ",,,\r\n"
    )
    path = tmp_path / "tickets.csv"
    path.write_text(text, newline="")
    result = import_file(ws, path, "tickets")
    assert result.rows_read == 2 and result.read["blank_rows"] == 3
    got = ws.query("SELECT * FROM tickets ORDER BY ticket_id")
    assert got["text"].tolist() == ["charged twice\r\non my bill", "no signal"]


def test_latin1_file(ws, tmp_path):
    rows = [("customer_id", "name", "city"), ("1", "José Müller", "Zürich"), ("2", "Françoise", "Besançon")]
    path = write_csv(tmp_path / "latin.csv", rows, encoding="latin-1")
    import_file(ws, path, "customers")
    assert ws.query("SELECT name FROM customers ORDER BY customer_id")["name"].tolist() == ["José Müller", "Françoise"]


def test_parquet_and_json(ws, tmp_path):
    frame = pd.DataFrame({"campaign_id": ["C1", "C2"], "name": ["Spring", "春季促销"], "spend": [1000.0, 2500.5]})
    frame.to_parquet(tmp_path / "c.parquet")
    import_file(ws, tmp_path / "c.parquet", "campaigns")
    assert ws.query("SELECT spend FROM campaigns ORDER BY campaign_id")["spend"].tolist() == [1000.0, 2500.5]
    frame.to_json(tmp_path / "c.json", orient="records", force_ascii=False)
    import_file(ws, tmp_path / "c.json", "campaigns")
    assert ws.query("SELECT name FROM campaigns ORDER BY campaign_id")["name"].tolist() == ["Spring", "春季促销"]


def test_duplicate_rows_are_counted_and_kept(ws, tmp_path):
    rows = [("order_id", "order_date", "amount")] + [("R1", "2024-01-01", "9")] * 3 + [("R2", "2024-01-02", "4")]
    path = write_csv(tmp_path / "dups.csv", rows)
    result = import_file(ws, path, "orders")
    assert result.duplicate_rows == 2
    assert result.rows_loaded == 4


def test_mapping_template_is_reused_for_the_same_headers(ws, tmp_path):
    rows = [("Ref", "When", "Wert")] + [(f"T{i}", "2024-01-0" + str(i), str(i)) for i in range(1, 4)]
    path = write_csv(tmp_path / "odd.csv", rows)
    pv = preview(ws, path, "orders")
    # "Ref" names the table's own key; "When" holds dates; "Wert" holds whole numbers, too weak for an amount.
    assert pv.mapping == {"order_id": "Ref", "order_date": "When"}
    assert {c: g.how for c, g in pv.proposal.guesses.items()} == {"order_id": "header", "order_date": "values"}
    assert "no column's values look like amount" in str(pv.proposal.missing["amount"])
    import_file(ws, path, "orders", overrides={"order_id": "Ref", "order_date": "When", "amount": "Wert"})
    # Same headers in another order: the saved template maps them.
    reordered = [("Wert", "Ref", "When")] + [(r[2], r[0], r[1]) for r in rows[1:]]
    again = write_csv(tmp_path / "odd2.csv", reordered)
    pv = preview(ws, again, "orders")
    assert pv.template_used and pv.mapping == {"order_id": "Ref", "order_date": "When", "amount": "Wert"}
    assert import_file(ws, again, "orders").rows_loaded == 3
