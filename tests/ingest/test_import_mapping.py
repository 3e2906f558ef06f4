"""Mapping from headers and values: realistic English and Chinese exports whose headers are not
synonyms verbatim, each guess with where it came from, and weak evidence left empty with a reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight import i18n
from insight.db.schema import columns, normalise_header
from insight.ingest import mapping
from insight.ingest.importer import import_file, preview

#: Header sets as real tools export them, with the mapping a person would choose.
HEADER_SETS = {
    "taobao orders": (
        "orders",
        [
            "订单编号",
            "买家会员名",
            "买家支付宝账号",
            "买家应付货款",
            "买家应付邮费",
            "买家支付积分",
            "总金额",
            "返点积分",
        ]
        + ["买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址", "运送方式"]
        + ["联系电话", "联系手机", "订单创建时间", "订单付款时间", "宝贝标题", "宝贝种类", "物流单号", "订单备注"],
        {
            "order_id": "订单编号",
            "status": "订单状态",
            "order_date": "订单创建时间",
            "amount": "买家实际支付金额",
            "product": "宝贝标题",
        },
    ),
    "shopify orders": (
        "orders",
        ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Currency", "Subtotal", "Shipping"]
        + ["Taxes", "Total", "Discount Code", "Discount Amount", "Created at", "Lineitem quantity", "Lineitem name"]
        + ["Lineitem price", "Billing Name", "Billing Province", "Payment Method", "Refunded Amount", "Id", "Source"],
        {
            "amount": "Total",
            "channel": "Source",
            "order_date": "Created at",  # created at wins over paid at
            "status": "Financial Status",
            "quantity": "Lineitem quantity",
            "product": "Lineitem name",
            "unit_price": "Lineitem price",
            "order_id": "Id",
        },
    ),
    "pos export": (
        "orders",
        ["Transaction Ref", "Cust No.", "Purchase Timestamp", "Sales Amount (USD)", "Store Region", "Date Shipped"],
        {
            "order_id": "Transaction Ref",
            "customer_id": "Cust No.",
            "order_date": "Purchase Timestamp",
            "amount": "Sales Amount (USD)",
        },
    ),
    "jd orders": (
        "orders",
        ["订单号", "商品名称", "订购数量", "下单时间", "订单状态", "客户账号", "付款金额(元)", "商品单价", "优惠金额"],
        {
            "order_id": "订单号",
            "product": "商品名称",
            "order_date": "下单时间",
            "status": "订单状态",
            "customer_id": "客户账号",
            "amount": "付款金额(元)",
            "unit_price": "商品单价",
        },
    ),
    "zendesk tickets": (
        "tickets",
        ["Id", "Requester", "Requester id", "Assignee", "Group", "Subject", "Status", "Priority", "Ticket type"]
        + ["Via", "Created at", "Updated at", "Solved at", "Due date", "Satisfaction Score", "Tags"],
        {
            "ticket_id": "Id",
            "customer_id": "Requester id",
            "created_at": "Created at",
            "resolved_at": "Solved at",
            "due_at": "Due date",
            "category": "Ticket type",
            "subcategory": "Subject",
            "status": "Status",
            "priority": "Priority",
            "channel": "Via",
            "satisfaction": "Satisfaction Score",
        },
    ),
    "call centre work orders": (
        "tickets",
        ["工单编号", "来电号码", "客户姓名", "受理时间", "诉求类型", "诉求子类", "处理状态", "办结时间", "满意度评价"]
        + ["受理渠道", "紧急程度", "工单内容"],
        {
            "ticket_id": "工单编号",
            "created_at": "受理时间",
            "category": "诉求类型",
            "subcategory": "诉求子类",
            "status": "处理状态",
            "resolved_at": "办结时间",
            "satisfaction": "满意度评价",
            "channel": "受理渠道",
            "priority": "紧急程度",
            "text": "工单内容",
        },
    ),
    "membership crm": (
        "customers",
        ["会员卡号", "会员姓名", "性别", "出生日期", "手机号码", "开卡时间", "会员等级", "所属门店", "最近消费时间"],
        {
            "customer_id": "会员卡号",
            "name": "会员姓名",
            "gender": "性别",
            "signup_date": "开卡时间",
            "tier": "会员等级",
        },
    ),
    "marketing customers": (
        "customers",
        ["ID", "Year_Birth", "Education", "Marital_Status", "Income", "Kidhome", "Dt_Customer", "Recency"],
        {"customer_id": "ID", "birth_year": "Year_Birth", "signup_date": "Dt_Customer"},
    ),
    "call log": (
        "contacts",
        ["Call ID", "Cust No.", "call_start_time", "call_end_time", "Campaign Name", "Outcome", "Channel"],
        {
            "customer_id": "Cust No.",
            "contacted_at": "call_start_time",
            "campaign_id": "Campaign Name",
            "converted": "Outcome",
            "channel": "Channel",
        },
    ),
    "subscriber list": (
        "customers",
        ["Subscriber No", "Customer Since", "Monthly Bill", "Total Spend", "Churned?", "Contract Term", "Age (years)"],
        {
            "customer_id": "Subscriber No",
            "signup_date": "Customer Since",
            "monthly_charges": "Monthly Bill",
            "churned": "Churned?",
            "contract": "Contract Term",
            "age": "Age (years)",
        },
    ),
}


@pytest.mark.parametrize("name", list(HEADER_SETS))
def test_realistic_headers_map_as_a_person_would(name):
    table, headers, expected = HEADER_SETS[name]
    known = {c.name: {normalise_header(w) for w in (c.name, *c.synonyms)} for c in columns(table)}
    # The set is realistic: much of what maps is not a synonym verbatim.
    verbatim = [s for c, s in expected.items() if normalise_header(s) in known[c]]
    assert len(verbatim) <= len(expected) - 2
    assert mapping.guess(table, headers) == expected


def _orders_file(tmp_path, columns: dict, n=60, seed=1):
    rng = np.random.default_rng(seed)
    data = {}
    for name, kind in columns.items():
        if kind == "date":
            data[name] = (pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")).strftime(
                "%Y/%m/%d"
            )
        elif kind == "money":
            data[name] = (rng.integers(100, 99999, n) / 100).astype(str)
        elif kind == "count":
            data[name] = rng.integers(1, 9, n)
        elif kind == "id":
            data[name] = [f"X{i:05d}" for i in range(n)]
        else:
            data[name] = rng.choice(["north", "south", "east"], n)
    path = tmp_path / "export.csv"
    pd.DataFrame(data).to_csv(path, index=False)
    return path


def test_values_fill_a_required_role_and_say_so(ws, tmp_path):
    path = _orders_file(tmp_path, {"Ref": "id", "Wann": "date", "Betrag": "money", "Stück": "count", "Gebiet": "text"})
    pv = preview(ws, path, "orders")
    guesses = pv.proposal.guesses
    assert (guesses["order_date"].source, guesses["order_date"].how) == ("Wann", "values")
    assert (guesses["amount"].source, guesses["amount"].how) == ("Betrag", "values")
    assert "100% of 60 values are dates (iso)" in str(guesses["order_date"].evidence)
    assert "日期" in guesses["order_date"].evidence.text("zh")  # the evidence is a catalog message
    import_file(ws, path, "orders")
    raw = pd.read_csv(path, dtype=str)
    assert ws.scalar("SELECT sum(amount) FROM orders") == pytest.approx(raw["Betrag"].astype(float).sum())


def test_two_date_columns_leave_the_date_empty_and_say_why(ws, tmp_path):
    path = _orders_file(tmp_path, {"Ref": "id", "Wann": "date", "Versand": "date", "Betrag": "money"})
    pv = preview(ws, path, "orders")
    assert "order_date" not in pv.mapping
    why = str(pv.proposal.missing["order_date"])
    assert "several columns could be order_date ('Wann', 'Versand')" in why and "choose one" in why


def test_a_header_guess_whose_values_do_not_fit_is_dropped(ws, tmp_path):
    path = tmp_path / "odd.csv"
    pd.DataFrame(
        {"Order Number": ["A1", "A2", "A3"], "Purchase Timestamp": ["soon", "later", "never"], "Total": [1, 2, 3]}
    ).to_csv(path, index=False)
    pv = preview(ws, path, "orders")
    assert "order_date" not in pv.mapping
    assert "only 0% of its values fit" in str(pv.proposal.missing["order_date"])


def test_a_count_called_campaign_is_not_a_campaign_id(ws, tmp_path):
    path = tmp_path / "calls.csv"
    pd.DataFrame({"campaign": [1, 3, 2, 1, 5], "y": ["no", "yes", "no", "no", "yes"]}).to_csv(path, index=False)
    pv = preview(ws, path, "contacts")
    assert "campaign_id" not in pv.mapping
    assert "whole numbers 1–5, more like a count" in str(pv.proposal.missing["campaign_id"])
    named = tmp_path / "named.csv"
    pd.DataFrame({"campaign": ["Spring", "Summer"], "y": ["no", "yes"]}).to_csv(named, index=False)
    assert preview(ws, named, "contacts").mapping["campaign_id"] == "campaign"


def test_every_guess_says_where_it_came_from(ws, tmp_path):
    path = tmp_path / "orders.csv"
    pd.DataFrame(
        {
            "订单号": ["A1", "A2", "A3", "A4"],
            "成交时间": ["2026-01-01 10:00", "2026-01-02 11:00", "2026-01-02 12:00", "2026-01-03 09:30"],
            "Wert": ["12.50", "3.99", "7.25", "100.10"],
        }
    ).to_csv(path, index=False)
    pv = preview(ws, path, "orders")
    how = {c: g.how for c, g in pv.proposal.guesses.items()}
    assert how == {"order_id": "synonym", "order_date": "header", "amount": "values"}
    import_file(ws, path, "orders")
    again = preview(ws, path, "orders")  # the same headers next time: the saved mapping
    assert {g.how for g in again.proposal.guesses.values()} == {"template"}
    for g in pv.proposal.guesses.values():  # both languages, values filled in
        assert "{" not in g.evidence.text("en") and "{" not in g.evidence.text("zh")
        assert i18n.text(g.evidence, "zh") != i18n.text(g.evidence, "en")
