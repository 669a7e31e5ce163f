"""Manufacturing value added, China and the United States, 1997–2021
China's manufacturing passed America's in 2010 and by 2021 added about twice as much value, in current
dollars. US manufacturing still grew in dollars while its share of the US economy shrank.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import axis_words, end_labels, entity_color, fmt_int, year_x

SOURCES = ["worldbank-manf-cd-copy-riqard"]
CREDIT = (
    "World Bank, World Development Indicators (manufacturing value added, and its share of GDP), "
    "read in copies of its files"
)
SUBTITLE = "Manufacturing value added in a year, US dollars at the prices of each year"


def _data() -> pd.DataFrame:
    df = load("manufacturing")
    df = df[(df.measure == "value added") & (df.country != "World")]
    return df.sort_values(["year", "country"]).reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    top = float(df.value.max()) * 1.08
    x = year_x(df.year, room=0.2, every=4)
    ticks = [0, 1000, 2000, 3000, 4000, 5000]
    y = alt.Y("value:Q").title(None).scale(domain=[0, top], nice=False).axis(**axis_words(ticks, scale=1e9))
    color = entity_color()
    tooltip = [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("value:Q", title="Value added (US$ billion)", format=",.0f"),
    ]
    lines = alt.Chart(df).mark_line().encode(x=x, y=y, color=color)
    hover = alt.Chart(df).mark_point(size=30, opacity=0).encode(x=x, y=y, tooltip=tooltip)
    return alt.layer(lines, hover, end_labels(df, "year", "value", "country", color, (0, top)))


def key_numbers() -> str:
    df = load("manufacturing").set_index(["year", "country", "measure"]).value
    va = _data().pivot(index="year", columns="country", values="value")
    last = int(va.index.max())
    crossed = int(va.query("China > `United States`").index.min())
    cn, us = va.loc[last, "China"], va.loc[last, "United States"]
    us0 = va["United States"].dropna()
    y0 = int(us0.index.min())
    share0, share1 = df[(y0, "United States", "share of GDP")], df[(last, "United States", "share of GDP")]
    return (
        f"China's manufacturing added {fmt_int(cn)} billion dollars in {last}, {cn / us:.1f} times the United "
        f"States' {fmt_int(us)} billion, having passed it in {crossed}. US manufacturing grew from "
        f"{fmt_int(us0.iloc[0])} billion dollars in {y0} while its share of US GDP fell from {share0:.1f}% to "
        f"{share1:.1f}%."
    )
