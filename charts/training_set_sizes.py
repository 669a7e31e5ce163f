"""Training sets of language models over time, against the stock of public text
Training sets grew about a hundred-thousand-fold from 2010 to 2023; the largest a developer reports is
about a tenth of Epoch AI's central estimate of all public human text.
"""

import json
import math

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import NARROW_BELOW, axis_words, fmt_int, fmt_num, neutral_color

SOURCES = ["epoch-data-stock-dataset-sizes", "epoch-runoutofdata-2024-epochai"]
CREDIT = "Epoch AI, data for Will we run out of data? (2024); developers' model cards and technical reports"

SUBTITLE = (
    "Size of the training set, log scale. Epoch AI's file counts words or tokens (it does not say which); "
    "developers report tokens (words or pieces of words)"
)

_EPOCH = "Epoch AI's record"
_DEVELOPER = "Tokens, as the developer reports"
_KINDS = [_EPOCH, _DEVELOPER]


def _data() -> pd.DataFrame:
    epoch = load("training_set_sizes")
    epoch = pd.DataFrame(
        {
            "model": epoch.system,
            "date": pd.to_datetime(epoch.date).dt.strftime("%Y-%m-%d"),
            "date_precision": "day",  # the table shows a date as precisely as it is known
            "trillions": epoch.dataset_size.astype(float) / 1e12,
            "kind": _EPOCH,
            "source": epoch.source,
            "status": epoch.status,
        }
    )
    dev = load("text_stock")
    dev = dev[dev.category == "training set"]
    dev = pd.DataFrame(
        {
            "model": dev["item"],
            "date": dev.year.astype(int).astype(str),  # the year only (drawn mid-year)
            "date_precision": "year",
            "trillions": dev.tokens_trillion.astype(float),
            "kind": _DEVELOPER,
            "source": dev.source,
            "status": dev.status,
        }
    )
    return pd.concat([epoch, dev]).sort_values(["date", "model"]).reset_index(drop=True)


def _stock() -> pd.Series:
    df = load("text_stock")
    return df[df.category == "stock"].iloc[0]


def build() -> alt.LayerChart:
    df = _data()
    stock = _stock()
    end = f"{int(df.date.max()[:4]) + 1}-01-01"
    # Where only the year is known, the point is drawn at mid-year; the table keeps the year alone.
    x = alt.X("when:T").title(None).scale(domain=[df.date.min(), end]).axis(format="%Y", tickCount=8, grid=False)
    # The axis starts two powers of ten below the data's, leaving a strip under the dots for the key.
    low = 10 ** (math.floor(math.log10(df.trillions.min())) - 2)
    ticks = [10.0**e for e in range(round(math.log10(low)), 4, 2)]
    y = alt.Y("trillions:Q").title(None).scale(type="log", domain=[low, 2000]).axis(**axis_words(ticks, scale=1e12))
    color = neutral_color("kind", _KINDS)
    points = (
        alt.Chart()
        .transform_calculate(when="length(datum.date) == 4 ? datetime(toNumber(datum.date), 6, 1) : toDate(datum.date)")
        .mark_point(size=40, filled=True, opacity=0.85)
        .encode(
            x=x,
            y=y,
            color=color,
            shape=alt.Shape("kind:N").scale(domain=_KINDS, range=["circle", "diamond"]).legend(None),
            tooltip=[
                alt.Tooltip("model:N", title="Model"),
                alt.Tooltip("date:N", title="Date"),
                alt.Tooltip("trillions:Q", title="Trillions", format=",.3~g"),
                alt.Tooltip("kind:N", title="Figure"),
            ],
        )
    )
    band_df = pd.DataFrame(
        [
            {
                "low": float(stock.low),
                "high": float(stock.high),
                "mid": float(stock.tokens_trillion),
                "source": stock.source,
            }
        ]
    )
    band = alt.Chart(band_df).mark_rect(style="band").encode(y="low:Q", y2="high:Q")
    mid = alt.Chart(band_df).mark_rule(style="reference").encode(y="mid:Q")
    wide_label = f"All public human text: about {fmt_int(stock.tokens_trillion)} trillion tokens"
    # On a phone, three short lines in the empty top-left corner (no dot before 2019 comes near).
    narrow_label = f"All public human\ntext: about {fmt_int(stock.tokens_trillion)}\ntrillion tokens"
    label = (
        alt.Chart(band_df)
        .transform_calculate(label=f"width < {NARROW_BELOW} ? {json.dumps(narrow_label)} : {json.dumps(wide_label)}")
        .mark_text(style="annotation", align="left", baseline="top", dx=4, dy=3, fontWeight=600, lineBreak="\n")
        .encode(x=alt.value(0), y="low:Q", text="label:N")
    )
    # A key in the strip under the dots, in the points' own colours and shapes.
    key_df = pd.DataFrame(
        {
            "kind": _KINDS,
            "wide": ["dots: Epoch AI's record", "diamonds: tokens, as the developer reports"],
            "narrow": ["dots: Epoch AI's record", "diamonds: developers' own figures"],
        }
    )
    key_df["up"] = [34, 18]
    key = (
        alt.Chart(key_df)
        .transform_calculate(
            right="width", py="height - datum.up", label=f"width < {NARROW_BELOW} ? datum.narrow : datum.wide"
        )
        .mark_text(align="right", baseline="top", fontWeight=600)
        .encode(x=alt.X("right:Q").scale(None), y=alt.Y("py:Q").scale(None), text="label:N", color=color)
    )
    return alt.layer(band, mid, label, points, key, data=df)  # the points' data is the table


def key_numbers() -> str:
    df = _data()
    stock = _stock()
    epoch = df[df.kind == _EPOCH]
    first = epoch.iloc[0]
    dev = df[df.kind == _DEVELOPER]
    top = dev.loc[dev.trillions.idxmax()]
    return (
        f"Epoch AI's file runs from {first.model} ({first.date[:4]}, {fmt_num(first.trillions * 1e6, 0)} million) to "
        f"{fmt_num(epoch.trillions.max(), 1)} trillion in {epoch.date.max()[:4]}; {top.model} was trained on "
        f"{fmt_num(top.trillions, 0)} trillion tokens, {top.trillions / float(stock.tokens_trillion) * 100:.0f}% of "
        f"Epoch's central estimate of {fmt_int(stock.tokens_trillion)} trillion."
    )
