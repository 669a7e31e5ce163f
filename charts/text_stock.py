"""Training sets vs the stock of public human text
The largest training set listed is already over a tenth of Epoch AI's central estimate of the stock
of public human text, and over a third of its low end.
"""

import altair as alt
import pandas as pd

from charts._common import fmt_int, fmt_num
from explainer.data import load

SOURCES = ["epoch-runoutofdata-2024-epochai", "deepseek-v3-techreport-scilynk"]
CREDIT = (
    "Epoch AI, Will we run out of data? (2024); model cards and technical reports of Meta, DeepSeek-AI, Tencent"
    " and Alibaba"
)

_CATEGORIES = ["stock", "training set"]
_CAT_LABELS = {"stock": "Epoch AI estimate, 90% interval", "training set": "Training set"}


def _label(row) -> str:
    name = str(row["item"]).split(" (")[0]
    if row["category"] == "stock":
        name = "Public text stock"
    return f"{name} ({int(row['year'])})"


def _data() -> pd.DataFrame:
    df = load("text_stock")
    df = df[df.category.isin(_CATEGORIES)].copy()
    df["label"] = df.apply(_label, axis=1)
    df["kind"] = df.category.map(_CAT_LABELS)
    df = df.sort_values(["tokens_trillion"], ascending=False)
    cols = ["label", "item", "category", "kind", "year", "tokens_trillion", "low", "high", "source", "status", "note"]
    return df[cols].reset_index(drop=True)


def _ticks(lo: float, hi: float) -> list[float]:
    """1, 3, 10, 30, ... spanning the data (a log axis with few labels, for the narrow size)."""
    out, p = [], 1.0
    while p / 10 > lo:
        p /= 10
    while p / 10 <= hi:
        out += [p, 3 * p]
        p *= 10
    return [t for t in out if t <= hi * 3]


def build() -> alt.Chart:
    df = _data()
    order = list(df.label)
    lo = float(min(df.tokens_trillion.min(), df.low.min()))
    hi = float(max(df.tokens_trillion.max(), df.high.max()))
    x = (
        alt.X("tokens_trillion:Q")
        .title("Trillion tokens (log scale)")
        .scale(type="log", domain=[lo, hi], nice=True)
        .axis(format=",", values=_ticks(lo, hi))
    )
    y = alt.Y("label:N").sort(order).title(None)
    color = (
        alt.Color("kind:N")
        .scale(domain=[_CAT_LABELS[c] for c in _CATEGORIES])
        .legend(orient="bottom", title=None, direction="horizontal", symbolOpacity=1, labelLimit=320)
    )
    tooltip = [
        alt.Tooltip("item:N", title="Item"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("tokens_trillion:Q", title="Trillion tokens", format=",.1~f"),
        alt.Tooltip("low:Q", title="Low end", format=","),
        alt.Tooltip("high:Q", title="High end", format=","),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("note:N", title="Note"),
    ]
    is_stock = alt.datum.category == "stock"
    interval = (
        alt.Chart()
        .mark_rule(strokeWidth=3, opacity=0.45)
        .encode(
            x=alt.X("low:Q"),
            x2="high:Q",
            y=y,
            color=color,
        )
        .transform_filter(is_stock)
    )
    ends = (
        alt.Chart()
        .transform_filter(is_stock)
        .transform_fold(["low", "high"], as_=["end", "end_value"])
        .mark_tick(thickness=2, size=14)
        .encode(x=alt.X("end_value:Q"), y=y, color=color)
    )
    end_labels = (
        alt.Chart()
        .transform_filter(is_stock)
        .transform_fold(["low", "high"], as_=["end", "end_value"])
        .mark_text(dy=-14, fontSize=11)
        .encode(x=alt.X("end_value:Q"), y=y, text=alt.Text("end_value:Q", format=","), color=color)
    )
    points = (
        alt.Chart()
        .mark_point(size=80, strokeWidth=2, filled=True, opacity=1)
        .encode(x=x, y=y, color=color, tooltip=tooltip)
    )
    labels = (
        alt.Chart()
        .mark_text(align="left", dx=9, fontSize=11)
        .encode(
            x=x,
            y=y,
            text=alt.Text("tokens_trillion:Q", format=",.1~f"),
            color=color,
        )
        .transform_filter(~is_stock)
    )
    stock_label = (
        alt.Chart()
        .mark_text(dy=-14, fontSize=11, fontWeight=600)
        .encode(
            x=x,
            y=y,
            text=alt.Text("tokens_trillion:Q", format=","),
            color=color,
        )
        .transform_filter(is_stock)
    )
    return alt.layer(interval, ends, end_labels, points, labels, stock_label, data=df)


def key_numbers() -> str:
    df = _data()
    stock = df[df.category == "stock"].iloc[0]
    models = df[df.category == "training set"]
    top = models.loc[models.tokens_trillion.idxmax()]
    return (
        f"Epoch AI puts the stock of public human text at about {fmt_int(stock.tokens_trillion)} trillion tokens "
        f"(90% interval {fmt_int(stock.low)}–{fmt_int(stock.high)} trillion); the largest training set listed, "
        f"{top['item']} ({int(top.year)}), used {fmt_num(top.tokens_trillion, 0)} trillion tokens, "
        f"{top.tokens_trillion / stock.tokens_trillion * 100:.0f}% of the central estimate."
    )
