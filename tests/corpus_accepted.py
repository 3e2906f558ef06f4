"""Odd files the import must read right, each with a check against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.corpus import (
    Case,
    _marketing_wide,
    _xlsx_ok,
    csv_of,
    orders_frame,
    put,
)


def loaded(ws, table: str) -> pd.DataFrame:
    return ws.query(f"SELECT * FROM {table}", cap=10_000_000)


def revenue(ws) -> float:
    return float(ws.scalar("SELECT coalesce(sum(amount), 0) FROM orders WHERE status NOT IN ('cancelled', 'returned')"))


def check_amounts(expected_key="amounts"):
    def check(ws, report, expected):
        got = loaded(ws, "orders").sort_values("order_id")["amount"].tolist()
        assert got == pytest.approx(expected[expected_key])
        assert report["rows_rejected"] == expected.get("rejected", 0)

    return check


def check_rows(table: str, key: str | None = None):
    def check(ws, report, expected):
        got = loaded(ws, table)
        assert len(got) == expected["rows"] == report["rows_loaded"]
        assert report["rows_rejected"] == expected.get("rejected", 0)
        if key:
            assert sorted(got[key].astype(str)) == sorted(expected[key])

    return check


def check_rejected_rows(ws, report, expected):
    assert sorted(r["row"] for r in report["rejects"]) == expected["rejected_rows"]
    assert report["rows_loaded"] == expected["rows"]
    assert all(isinstance(r["row"], int) for r in report["rejects"])


def _columns_999(folder):
    frame = orders_frame(20)
    frame = pd.concat([frame, pd.DataFrame({f"x{i}": [i] * 20 for i in range(994)})], axis=1)
    return put(folder, "wide_999.csv", csv_of(frame)), {"rows": 20, "order_id": frame["order_id"].tolist()}


def _long_line_inside(folder):
    frame = orders_frame(30)
    text = csv_of(frame).splitlines()
    text.insert(5, "Q99999,C0001,2026-01-01,1," + "y" * 2_000_000)
    return put(folder, "long_row.csv", "\n".join(text) + "\n"), {"rejected_rows": [5], "rows": 30}


def _orders_no_order_id(folder):
    frame = orders_frame(40).drop(columns=["order_id"])
    frame.loc[[3, 7], "amount"] = -frame.loc[[3, 7], "amount"]
    valid = frame[frame["amount"] >= 0]
    return put(folder, "pos_export.csv", csv_of(frame)), {"revenue": valid["amount"].sum(), "orders": len(valid)}


def check_revenue_and_orders(ws, report, expected):
    assert revenue(ws) == pytest.approx(expected["revenue"])
    counted = ws.scalar("SELECT count(*) FROM orders WHERE status NOT IN ('cancelled', 'returned')")
    assert counted == expected["orders"]


def _orders_no_customer(folder):
    frame = orders_frame(40).drop(columns=["customer_id"])
    return put(folder, "guest.csv", csv_of(frame)), {"revenue": frame["amount"].sum(), "orders": len(frame)}


def _orders_some_guests(folder):
    frame = orders_frame(40)
    frame.loc[frame.index % 4 == 0, "customer_id"] = ""
    return put(folder, "some_guests.csv", csv_of(frame)), {"revenue": frame["amount"].sum(), "orders": len(frame)}


def _telemarketing(folder):
    rng = np.random.default_rng(3)
    n = 60
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "job": rng.choice(["admin.", "technician", "services"], n),
            "contact": rng.choice(["cellular", "telephone"], n),
            "month": rng.choice(["may", "jun", "jul"], n),
            "campaign": rng.integers(1, 9, n),
            "y": rng.choice(["yes", "no"], n, p=[0.2, 0.8]),
        }
    )
    path = put(folder, "bank-full.csv", frame.to_csv(index=False, sep=";"))
    return path, {"rows": n, "converted": int((frame["y"] == "yes").sum())}


def check_telemarketing(ws, report, expected):
    got = loaded(ws, "contacts")
    assert len(got) == expected["rows"] and got["customer_id"].is_unique
    assert got["customer_id_generated"].all() and set(got["campaign_id"]) == {"Summer calls"}
    assert int(got["converted"].sum()) == expected["converted"]
    assert "campaign_id" not in report["mapping"] and "customer_id" not in report["mapping"]
    assert "campaign" in report["not_guessed"]["campaign_id"]


def check_marketing_wide(ws, report, expected):
    got = loaded(ws, "contacts")
    assert got.groupby("campaign_id")["responded"].sum().astype(int).to_dict() == expected["responses"]
    assert got.groupby("campaign_id").size().eq(expected["customers"]).all()
    assert report["mapping"]["customer_id"] == "ID" and "Complain" in report["derived"][0]


def _wide_off(folder):
    path, expected = _marketing_wide(folder)
    return path, {"rows": expected["customers"]}


def _impossible_dates(folder):
    frame = orders_frame(12)
    bad = {1: "9999-12-31", 4: "0000-00-00", 6: "1899-12-30", 9: "2201-01-01"}
    for i, v in bad.items():
        frame.loc[i, "order_date"] = v
    return put(folder, "dates.csv", csv_of(frame)), {"rejected_rows": sorted(i + 1 for i in bad), "rows": 8}


def _impossible_numbers(folder):
    frame = orders_frame(12).astype({"amount": object})
    bad = {0: "NaN", 2: "inf", 3: "-Infinity", 5: "1e309", 8: "9" * 400, 10: "2e16"}
    for i, v in bad.items():
        frame.loc[i, "amount"] = v
    return put(folder, "numbers.csv", csv_of(frame)), {"rejected_rows": sorted(i + 1 for i in bad), "rows": 6}


def _european(folder):
    frame = orders_frame(20)
    amounts = frame["amount"] * 37
    frame["amount"] = [f"{a:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") for a in amounts]
    frame["order_date"] = pd.to_datetime(frame["order_date"]).dt.strftime("%d.%m.%Y")
    return put(folder, "export_de.csv", frame.to_csv(index=False, sep=";")), {"amounts": amounts.round(2).tolist()}


def _currency(folder):
    frame = orders_frame(8)
    shown = ["¥1,024.50", "￥88", "$1,000,000.00", "12.5万", "3万元", "(12.50)", "RMB 99.9", "€ 7,5"]
    values = [1024.5, 88, 1_000_000, 125000, 30000, -12.5, 99.9, 75]  # "€ 7,5": a thousands comma in a point column
    frame["amount"] = shown
    return put(folder, "currency.csv", csv_of(frame)), {"amounts": values}


def _nul_in_cell(folder):
    data = csv_of(orders_frame(10)).encode()
    data = data.replace(b"Store", b"St\x00ore", 1).replace(b"App", b"A\x01p\x1bp", 1)
    return put(folder, "nul.csv", data), {"rows": 10}


def check_clean_channels(ws, report, expected):
    channels = set(loaded(ws, "orders")["channel"])
    assert channels <= {"App", "Store", "Online"}
    assert report["read"]["cleaned_cells"] == {"channel": 2}


def _gbk_one_bad_row(folder):
    frame = pd.DataFrame(
        {
            "订单号": [f"单{i}" for i in range(10)],
            "下单时间": [f"2026-01-{i + 1:02d}" for i in range(10)],
            "实付金额": [f"{10 + i}.5" for i in range(10)],
            "渠道": ["门店", "微信"] * 5,
        }
    )
    data = csv_of(frame).encode("gbk")
    lines = data.split(b"\n")
    lines[4] = lines[4].rsplit(b",", 1)[0] + b",\x81\x20\xff"  # not GB18030
    return put(folder, "订单_gbk.csv", b"\n".join(lines)), {"rejected_rows": [4], "rows": 9}


def _utf8_bad_byte(folder):
    data = csv_of(orders_frame(10)).encode()
    lines = data.split(b"\n")
    lines[6] = lines[6].replace(b"Online", b"Onl\xe9ne").replace(b"App", b"A\xffp").replace(b"Store", b"St\xfere")
    return put(folder, "bad_byte.csv", b"\n".join(lines)), {"rejected_rows": [6], "rows": 9}


def _too_many_fields(folder):
    text = csv_of(orders_frame(10)).splitlines()
    text[3] += ",surplus"
    text[7] += ",surplus,again"
    return put(folder, "fields.csv", "\n".join(text) + "\n"), {"rejected_rows": [3, 7], "rows": 8}


def _short_rows(folder):
    frame = orders_frame(10)
    text = csv_of(frame).splitlines()
    text[2] = text[2].rsplit(",", 1)[0]  # channel left out
    return put(folder, "short.csv", "\n".join(text) + "\n"), {"rows": 10, "order_id": frame["order_id"].tolist()}


def _bom_crlf(folder):
    frame = orders_frame(15)
    return put(folder, "bom.csv", "\ufeff" + csv_of(frame, lineterminator="\r\n")), {
        "rows": 15,
        "order_id": frame["order_id"].tolist(),
    }


def _utf16_no_bom(folder):
    frame = orders_frame(15)
    return put(folder, "utf16.txt", csv_of(frame, sep="\t"), encoding="utf-16-le"), {
        "rows": 15,
        "order_id": frame["order_id"].tolist(),
    }


def _cp1252(folder):
    frame = orders_frame(10, channel=["Café", "Über", "Ñandú", "Straße", "Größe"] * 2)
    return put(folder, "latin.csv", csv_of(frame), encoding="cp1252"), {"channels": sorted(frame["channel"])}


def check_channels(ws, report, expected):
    assert sorted(loaded(ws, "orders")["channel"]) == expected["channels"]


def _preamble(folder):
    frame = orders_frame(12)
    text = "Sales report\nExported 2026-03-01 by POS v2\n\n" + csv_of(frame)
    return put(folder, "preamble.csv", text), {"rows": 12, "order_id": frame["order_id"].tolist()}


def _trailing_delimiter(folder):
    frame = orders_frame(12)
    lines = csv_of(frame).splitlines()
    text = lines[0] + "\n" + "\n".join(line + "," for line in lines[1:]) + "\n"
    return put(folder, "trailing.csv", text), {"rows": 12, "order_id": frame["order_id"].tolist()}


def _case_twins(folder):
    frame = orders_frame(10)
    frame["Region"], frame["region"] = "East", "north"
    frame.columns = [*frame.columns[:-2], "Region", "region"]
    return put(folder, "twins.csv", csv_of(frame)), {"rows": 10, "order_id": frame["order_id"].tolist()}


def _internal_names(folder):
    frame = orders_frame(10).assign(_valid="no", _cust="x", _day="Monday", _row="r")
    return put(folder, "internal.csv", csv_of(frame)), {"rows": 10, "order_id": frame["order_id"].tolist()}


def _blank_headers(folder):
    frame = orders_frame(10).assign(extra1="a", extra2="b")
    text = csv_of(frame).replace("extra1,extra2", ",", 1)
    return put(folder, "blank_headers.csv", text), {"rows": 10, "order_id": frame["order_id"].tolist()}


def _customers_dup_ids(folder):
    frame = pd.DataFrame({"customer_id": [f"C{i:04d}" for i in range(30)], "region": "East"})
    frame = pd.concat([frame, frame.head(5).assign(region="West")], ignore_index=True)
    return put(folder, "dups.csv", csv_of(frame)), {"rows": 30, "west": [f"C{i:04d}" for i in range(5)]}


def check_customers_dups(ws, report, expected):
    got = loaded(ws, "customers")
    assert got["customer_id"].is_unique and len(got) == expected["rows"]
    assert sorted(got.loc[got["region"] == "West", "customer_id"]) == expected["west"]
    assert report["superseded_rows"] == 5


def _customers_no_match(folder):
    frame = pd.DataFrame({"会员卡号": [f"VIP{i:06d}" for i in range(50)], "性别": ["女", "男"] * 25})
    return put(folder, "members.csv", csv_of(frame)), {"rows": 50}


def check_no_match(ws, report, expected):
    orders = next(c for c in report["coverage"] if c["table"] == "orders")
    assert orders == {"table": "orders", "matched": 0, "ids": expected["rows"]}
    assert report["mapping"]["customer_id"] == "会员卡号"


def _integer_overflow(folder):
    frame = pd.DataFrame({"customer_id": [f"K{i}" for i in range(10)], "age": [30] * 10})
    frame["age"] = frame["age"].astype(object)
    frame.loc[3, "age"] = "1" + "0" * 30
    frame.loc[7, "age"] = "-9e20"
    return put(folder, "ages.csv", csv_of(frame)), {"rejected_rows": [4, 8], "rows": 8}


def _yyyymmdd(folder):
    frame = orders_frame(10)
    frame["order_date"] = pd.to_datetime(frame["order_date"]).dt.strftime("%Y%m%d")
    return put(folder, "compact_dates.csv", csv_of(frame)), {"days": sorted(frame["order_date"])}


def check_days(ws, report, expected):
    got = loaded(ws, "orders")["order_date"].dt.strftime("%Y%m%d")
    assert sorted(got) == expected["days"]


def _day_first(folder):
    frame = orders_frame(10)
    frame["order_date"] = pd.to_datetime(frame["order_date"]).dt.strftime("%d/%m/%Y")
    return put(folder, "uk_dates.csv", csv_of(frame)), {
        "days": sorted(pd.to_datetime(frame["order_date"], dayfirst=True).dt.strftime("%Y%m%d"))
    }


def _mixed_dates(folder):
    frame = orders_frame(12)
    frame.loc[[2, 9], "order_date"] = ["March 3rd", "03.2026"]
    return put(folder, "mixed_dates.csv", csv_of(frame)), {"rejected_rows": [3, 10], "rows": 10}


def _chinese_qualified_headers(folder):
    frame = orders_frame(20)
    frame.columns = ["订单编号", "客户手机号", "订单创建时间", "买家实际支付金额", "下单渠道"]
    frame["商品运费(元)"] = 8
    return put(folder, "淘宝订单.csv", csv_of(frame), encoding="gb18030"), {
        "amounts": frame["买家实际支付金额"].tolist()
    }


def check_chinese_headers(ws, report, expected):
    assert report["mapping"]["amount"] == "买家实际支付金额" and report["mapping"]["order_date"] == "订单创建时间"
    assert report["guesses"]["amount"]["how"] == "header"
    assert sorted(loaded(ws, "orders")["amount"]) == pytest.approx(sorted(expected["amounts"]))


def _english_qualified_headers(folder):
    frame = orders_frame(20)
    frame.columns = ["Transaction Ref", "Cust No.", "Purchase Timestamp", "Sales Amount (USD)", "Sales Channel"]
    return put(folder, "pos.csv", csv_of(frame)), {"amounts": frame["Sales Amount (USD)"].tolist()}


def check_english_headers(ws, report, expected):
    assert report["mapping"]["customer_id"] == "Cust No." and report["mapping"]["order_date"] == "Purchase Timestamp"
    assert sorted(loaded(ws, "orders")["amount"]) == pytest.approx(sorted(expected["amounts"]))


def _values_only(folder):
    frame = orders_frame(25)
    frame.columns = ["Ref", "Who", "When", "Wert", "Wo"]
    return put(folder, "odd_names.csv", csv_of(frame)), {"amounts": frame["Wert"].tolist()}


def check_values_guess(ws, report, expected):
    assert report["guesses"]["order_date"] == {
        "source": "When",
        "how": "values",
        "evidence": report["guesses"]["order_date"]["evidence"],
    }
    assert report["guesses"]["amount"]["source"] == "Wert" and report["guesses"]["amount"]["how"] == "values"
    assert sorted(loaded(ws, "orders")["amount"]) == pytest.approx(sorted(expected["amounts"]))


def _tickets_date_received(folder):
    n = 30
    frame = pd.DataFrame(
        {
            "Complaint ID": range(1, n + 1),
            "Date received": pd.date_range("2026-02-01", periods=n, freq="D").strftime("%m/%d/%Y"),
            "Issue": ["Billing", "Network", "Fees"] * 10,
            "Date sent to company": pd.date_range("2026-02-02", periods=n, freq="D").strftime("%m/%d/%Y"),
        }
    )
    return put(folder, "complaints.csv", csv_of(frame)), {"rows": n}


def check_tickets(ws, report, expected):
    assert report["mapping"]["created_at"] == "Date received" and report["mapping"]["category"] == "Issue"
    assert ws.scalar("SELECT count(*) FROM tickets") == expected["rows"]


def _whitespace_cells(folder):
    frame = orders_frame(10).astype(str)
    frame["channel"] = "  " + frame["channel"] + "\t"
    frame.loc[4, "channel"] = "   "
    return put(folder, "spaces.csv", csv_of(frame)), {
        "channels": sorted(c.strip() for c in frame["channel"] if c.strip())
    }


def check_spaces(ws, report, expected):
    got = loaded(ws, "orders")["channel"]
    assert sorted(got.dropna()) == expected["channels"] and got.isna().sum() == 1


def _json_lines(folder):
    frame = orders_frame(10)
    return put(folder, "orders.jsonl", frame.to_json(orient="records", lines=True)), {
        "rows": 10,
        "order_id": frame["order_id"].tolist(),
    }


def _parquet_typed(folder):
    frame = orders_frame(10)
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["tags"] = [["a", "b"]] * 10
    path = folder / "orders.parquet"
    frame.to_parquet(path)
    return path, {"rows": 10, "order_id": frame["order_id"].tolist()}


def _booleans(folder):
    frame = pd.DataFrame(
        {"客户编号": [f"U{i}" for i in range(12)], "是否流失": ["是", "否", "Y", "N", "true", "0"] * 2}
    )
    return put(folder, "churn_flags.csv", csv_of(frame)), {"churned": 6}


def check_booleans(ws, report, expected):
    assert int(loaded(ws, "customers")["churned"].sum()) == expected["churned"]


def _space_thousands(folder):
    frame = orders_frame(6)
    frame["amount"] = ["1 234,50", "12 000,00", "7,25", "0,99", "100 000,00", "3,10"]
    return put(folder, "fr.csv", frame.to_csv(index=False, sep=";")), {
        "amounts": [1234.5, 12000.0, 7.25, 0.99, 100000.0, 3.1]
    }


def _tsv_quoted(folder):
    frame = orders_frame(10, channel=["Store\tNorth", "App"] * 5)
    return put(folder, "quoted.tsv", csv_of(frame, sep="\t")), {"channels": sorted(frame["channel"])}


ACCEPTED: list[Case] = [
    Case(
        "orders_no_order_id",
        "orders",
        _orders_no_order_id,
        True,
        ("each row is one order",),
        check=check_revenue_and_orders,
    ),
    Case(
        "orders_no_customer", "orders", _orders_no_customer, True, ("No customer id",), check=check_revenue_and_orders
    ),
    Case(
        "orders_some_guests",
        "orders",
        _orders_some_guests,
        True,
        ("10 orders (25%) have no customer id",),
        check=check_revenue_and_orders,
    ),
    Case(
        "telemarketing",
        "contacts",
        _telemarketing,
        True,
        ("generated id", "Summer calls", "more like a count"),
        args=("--campaign", "Summer calls"),
        check=check_telemarketing,
    ),
    Case(
        "marketing_wide",
        "contacts",
        _marketing_wide,
        True,
        ("unpivoted 6 campaign columns", "Complain"),
        check=check_marketing_wide,
    ),
    Case(
        "marketing_wide_off",
        "contacts",
        _wide_off,
        True,
        ("one campaign",),
        args=("--wide", "off"),
        check=check_rows("contacts"),
    ),
    Case("impossible_dates", "orders", _impossible_dates, True, ("plausible years",), check=check_rejected_rows),
    Case(
        "impossible_numbers",
        "orders",
        _impossible_numbers,
        True,
        ("NaN or infinity", "beyond"),
        check=check_rejected_rows,
    ),
    Case("european_decimals", "orders", _european, True, ("decimal comma",), check=check_amounts()),
    Case("currency_and_units", "orders", _currency, True, (), check=check_amounts()),
    Case("space_thousands", "orders", _space_thousands, True, ("decimal comma",), check=check_amounts()),
    Case(
        "nul_and_control_chars",
        "orders",
        _nul_in_cell,
        True,
        ("control characters removed",),
        check=check_clean_channels,
    ),
    Case("gbk_bad_row", "orders", _gbk_one_bad_row, True, ("not valid gb18030",), check=check_rejected_rows),
    Case("utf8_bad_byte", "orders", _utf8_bad_byte, True, ("not valid utf-8",), check=check_rejected_rows),
    Case(
        "too_many_fields", "orders", _too_many_fields, True, ("more fields than the header",), check=check_rejected_rows
    ),
    Case("long_row_inside", "orders", _long_line_inside, True, ("over MAX_LINE_BYTES",), check=check_rejected_rows),
    Case("short_rows", "orders", _short_rows, True, (), check=check_rows("orders", "order_id")),
    Case("integer_overflow", "customers", _integer_overflow, True, ("beyond",), check=check_rejected_rows),
    Case(
        "mixed_dates", "orders", _mixed_dates, True, ("not a date in the column's format",), check=check_rejected_rows
    ),
    Case("whitespace_cells", "orders", _whitespace_cells, True, (), check=check_spaces),
    Case("booleans", "customers", _booleans, True, (), check=check_booleans),
    Case("bom_crlf", "orders", _bom_crlf, True, (), check=check_rows("orders", "order_id")),
    Case("utf16_no_bom", "orders", _utf16_no_bom, True, ("utf-16",), check=check_rows("orders", "order_id")),
    Case("cp1252", "orders", _cp1252, True, ("cp1252",), check=check_channels),
    Case("preamble", "orders", _preamble, True, (), check=check_rows("orders", "order_id")),
    Case("trailing_delimiter", "orders", _trailing_delimiter, True, (), check=check_rows("orders", "order_id")),
    Case("case_twin_headers", "orders", _case_twins, True, ("region_2",), check=check_rows("orders", "order_id")),
    Case("internal_names", "orders", _internal_names, True, ("_valid",), check=check_rows("orders", "order_id")),
    Case("blank_headers", "orders", _blank_headers, True, ("column5",), check=check_rows("orders", "order_id")),
    Case("columns_999", "orders", _columns_999, True, (), check=check_rows("orders", "order_id")),
    Case("yyyymmdd", "orders", _yyyymmdd, True, ("yyyymmdd",), check=check_days),
    Case("day_first", "orders", _day_first, True, ("d/m/y",), check=check_days),
    Case("xlsx_title_and_serials", "orders", _xlsx_ok, True, ("excel serial",), check=check_rows("orders", "order_id")),
    Case("json_lines", "orders", _json_lines, True, (), check=check_rows("orders", "order_id")),
    Case("parquet_nested", "orders", _parquet_typed, True, ("tags",), check=check_rows("orders", "order_id")),
    Case("tsv_quoted_tabs", "orders", _tsv_quoted, True, ("tab",), check=check_channels),
    Case(
        "chinese_headers",
        "orders",
        _chinese_qualified_headers,
        True,
        ("买家实际支付金额",),
        check=check_chinese_headers,
    ),
    Case(
        "english_headers",
        "orders",
        _english_qualified_headers,
        True,
        ("Purchase Timestamp",),
        check=check_english_headers,
    ),
    Case("values_only", "orders", _values_only, True, ("values",), check=check_values_guess),
    Case("tickets_date_received", "tickets", _tickets_date_received, True, (), check=check_tickets),
    Case(
        "customers_duplicate_ids",
        "customers",
        _customers_dup_ids,
        True,
        ("the last one in the file is kept",),
        check=check_customers_dups,
    ),
    Case(
        "customers_match_no_order",
        "customers",
        _customers_no_match,
        True,
        ("only 0 of 50 customer ids",),
        check=check_no_match,
    ),
]
