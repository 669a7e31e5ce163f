"""Training sets vs the stock of public human text
The largest training set listed is already over a tenth of Epoch AI's central estimate of the stock
of public human text, and over a third of its low end.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import axis_words, fmt_int, fmt_num, neutral_color

SOURCES = ["epoch-runoutofdata-2024-epochai", "deepseek-v3-techreport-scilynk"]
CREDIT = (
    "Epoch AI, Will we run out of data? (2024); model cards and technical reports of Meta, DeepSeek-AI, Tencent"
    " and Alibaba"
)

SUBTITLE = (
    "Tokens (words or pieces of words), in trillions. Dots: training sets; bar: Epoch AI's estimate of all "
    "public human text, with its 90% interval"
)

_CATEGORIES = ["stock", "training set"]
_CAT_LABELS = {"stock": "Epoch AI estimate, 90% interval", "training set": "Training set"}


def _label(row) -> str:
    name = str(row["item"]).split(" (")[0]
    if row["category"] == "stock":
        name = "All public text"
    return f"{name} ({int(row['year'])})"


def _data() -> pd.DataFrame:
    df = load("text_stock")
    df = df[df.category.isin(_CATEGORIES)].copy()
    df["label"] = df.apply(_label, axis=1)
    df["kind"] = df.category.map(_CAT_LABELS)
    df = df.sort_values(["tokens_trillion"], ascending=False)
    cols = ["label", "item", "category", "kind", "year", "tokens_trillion", "low", "high", "source", "status", "note"]
    return df[cols].reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    order = list(df.label)
    hi = float(max(df.tokens_trillion.max(), df.high.max()))
    # A linear axis: the headline is a ratio (over a tenth), which a log axis would hide.
    x = (
        alt.X("tokens_trillion:Q")
        .title(None)
        .scale(domain=[0, hi * 1.04], nice=False)
        .axis(**axis_words([0, 250, 500, 750, 1000]))
    )
    y = alt.Y("label:N").sort(order).title(None).axis(labelLimit=0)
    color = neutral_color("kind", [_CAT_LABELS[c] for c in _CATEGORIES])
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
        .mark_rule(strokeWidth=6, opacity=0.35)
        .encode(x=alt.X("low:Q"), x2="high:Q", y=y, color=color)
        .transform_filter(is_stock)
    )
    ends = (
        alt.Chart()
        .transform_filter(is_stock)
        .transform_fold(["low", "high"], as_=["end", "end_value"])
        .mark_tick(thickness=2, size=16)
        .encode(x=alt.X("end_value:Q"), y=y, color=color)
    )
    end_labels = alt.layer(
        *[
            alt.Chart()
            .transform_filter(is_stock)
            .transform_calculate(end_label=f"format(datum.{end}, ',') + ' {end}'")
            .mark_text(dy=-15, fontSize=11, align=align)
            .encode(x=alt.X(f"{end}:Q"), y=y, text="end_label:N", color=color)
            for end, align in (("low", "left"), ("high", "right"))
        ]
    )
    points = (
        alt.Chart()
        .mark_point(size=80, strokeWidth=2, filled=True, opacity=1)
        .encode(x=x, y=y, color=color, tooltip=tooltip)
    )
    labels = (
        alt.Chart()
        .mark_text(align="left", dx=9, fontSize=11, fontWeight=600)
        .encode(x=x, y=y, text=alt.Text("tokens_trillion:Q", format=",.1~f"), color=color)
        .transform_filter(~is_stock)
    )
    stock_label = (
        alt.Chart()
        .mark_text(dy=15, fontSize=11, fontWeight=600)
        .encode(x=x, y=y, text=alt.Text("tokens_trillion:Q", format=","), color=color)
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
