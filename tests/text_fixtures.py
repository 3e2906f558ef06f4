"""Complaint sentences in English and Chinese, as customers write them, for the text classifier
and clustering tests. Each category has its own templates; the last two of each are kept for
testing only, so the held-out sentences are phrased differently from the training ones."""

from __future__ import annotations

import numpy as np

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "billing": {
        "en": [
            "I was charged twice for my {month} bill, please refund the extra {amount}.",
            "My bill shows a fee of {amount} that I never agreed to.",
            "Why is my invoice {amount} higher than last month?",
            "You deducted {amount} from my account without any notice.",
            "I cancelled the add-on but I am still being billed {amount} every month.",
            "There is an unknown service fee of {amount} on this month's bill.",
            "Auto-pay took {amount} twice this billing cycle, fix my account.",
            "The monthly charge on my statement is wrong again, I was overbilled {amount}.",
        ],
        "zh": [
            "这个月话费多扣了{amount}元，请尽快退还。",
            "账单上有一笔{amount}元的费用，我从没办理过这个业务。",
            "为什么本月账单比上月高了{amount}元？",
            "没有任何通知就从我账户扣费{amount}元。",
            "套餐已经取消了还在继续扣费，每月{amount}元。",
            "自动缴费重复扣款两次，共{amount}元。",
            "账单里有一笔不明的增值业务费用{amount}元。",
            "我的话费账单又算错了，多收了{amount}元。",
        ],
    },
    "network": {
        "en": [
            "No signal at home for {days} days, calls keep dropping.",
            "Mobile data is extremely slow in {place}, pages will not load.",
            "The broadband keeps disconnecting every evening in {place}.",
            "The 4G signal disappears whenever I am in {place}.",
            "Internet speed is far below the {speed} Mbps I pay for.",
            "Calls drop after a few seconds, the network is unusable in {place}.",
            "My connection has been down for {days} days, no internet at all.",
            "The network speed is terrible, video calls freeze and the signal is weak.",
        ],
        "zh": [
            "家里连续{days}天没有信号，电话总是断线。",
            "在{place}手机上网网速特别慢，网页打不开。",
            "宽带每天晚上都掉线，{place}这边特别严重。",
            "一到{place}就没有4G信号。",
            "网速远低于办理的{speed}兆宽带。",
            "通话几秒钟就断，{place}的网络完全没法用。",
            "已经{days}天上不了网了，信号一直时有时无。",
            "网络太差了，视频通话总是卡住，信号很弱。",
        ],
    },
    "service": {
        "en": [
            "The agent on the hotline was rude and hung up on me.",
            "Your staff promised to call back within {days} days and nobody did.",
            "I waited {minutes} minutes in the queue and the representative was unhelpful.",
            "The store employee ignored me and refused to answer my questions.",
            "Customer service keeps transferring me between departments.",
            "Nobody replied to my three emails, the attitude of your staff is terrible.",
            "The customer service agent was impatient and shouted at me.",
            "Your representative gave me wrong information and was rude when I asked again.",
        ],
        "zh": [
            "客服态度恶劣，还直接挂了我的电话。",
            "工作人员说好{days}天内回电，结果没人联系我。",
            "排队等了{minutes}分钟，客服一点帮助都没有。",
            "营业厅员工不理人，问问题也不回答。",
            "客服一直把我转来转去，问题没人解决。",
            "发了三次邮件都没人回复，服务态度太差。",
            "客服人员很不耐烦，还对我大声吼。",
            "工作人员给了错误的答复，再问时态度很差。",
        ],
    },
    "delivery": {
        "en": [
            "My parcel is {days} days late and the tracking has not updated.",
            "The courier left the package at the wrong address in {place}.",
            "The order arrived damaged, the box was crushed in transit.",
            "Delivery was promised for {day} but nothing came.",
            "The logistics company lost my {item}.",
            "Only part of my order was delivered, the {item} is missing.",
            "The courier never came, my {item} has been stuck in the warehouse for {days} days.",
            "The shipment is delayed again and the delivery driver does not answer the phone.",
        ],
        "zh": [
            "快递已经晚了{days}天，物流信息一直没更新。",
            "快递员把包裹送到了{place}的错误地址。",
            "收到的货物外包装被压坏了。",
            "说好{day}送达，结果什么都没收到。",
            "物流公司把我的{item}弄丢了。",
            "订单只送了一部分，{item}没有收到。",
            "快递员一直不上门，{item}在仓库里放了{days}天。",
            "配送又延误了，快递员电话也打不通。",
        ],
    },
    "refund": {
        "en": [
            "I returned the {item} {days} days ago and still have no refund.",
            "Please process my refund, it has been pending for weeks.",
            "The refund of {amount} was approved but never reached my card.",
            "You refused my refund request even though the {item} was faulty.",
            "How long does a refund take? I returned the {item} last month.",
            "I want my money back for the {item}, the refund keeps getting rejected.",
            "My refund for the returned {item} is still not in my account.",
            "Where is my refund? The return was received {days} days ago.",
        ],
        "zh": [
            "{item}退回去{days}天了还没有退款。",
            "请尽快处理我的退款，已经等了好几周。",
            "{amount}元的退款显示已批准，但一直没有到账。",
            "{item}有质量问题，你们却拒绝退款。",
            "退款到底要多久？我上个月就把{item}退回了。",
            "我要求退货退款，{item}的退款申请一直被驳回。",
            "退回的{item}的退款到现在还没到账。",
            "我的退款呢？退货{days}天前就签收了。",
        ],
    },
}

SLOTS = {
    "amount": ["29", "45.50", "88", "120", "199", "36"],
    "month": ["March", "April", "May", "June"],
    "days": ["3", "5", "7", "10", "14"],
    "place": ["the city centre", "my office", "Chaoyang", "Pudong", "the subway", "朝阳区", "浦东"],
    "speed": ["100", "300", "500", "1000"],
    "minutes": ["20", "35", "45", "60"],
    "day": ["Monday", "Friday", "the weekend", "周一", "周五"],
    "item": ["phone", "headphones", "router", "charger", "手机", "耳机", "路由器"],
}


def sentences(category: str, lang: str, n: int, rng: np.random.Generator, part: str = "train") -> list[str]:
    """`n` sentences of one category and language, from its training or test templates."""
    templates = TEMPLATES[category][lang]
    pool = templates[:-2] if part == "train" else templates[-2:]
    out = []
    for _ in range(n):
        text = pool[rng.integers(len(pool))]
        out.append(text.format(**{k: v[rng.integers(len(v))] for k, v in SLOTS.items()}))
    return out


def corpus(n: int, part: str, seed: int, langs=("en", "zh"), categories=None) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for category in categories or TEMPLATES:
        for lang in langs:
            got = sentences(category, lang, n, rng, part)
            texts += got
            labels += [category] * len(got)
    return texts, labels
