"""Renewable power capacity, China vs the United States
At the end of 2024 China had about four times the United States' renewable capacity, and five times
its solar.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import entity_color, fmt_int

SOURCES = ["irena-2025-rcs-scantv"]
CREDIT = "International Renewable Energy Agency (IRENA), Renewable Capacity Statistics 2025"

SUBTITLE = "Power capacity installed at the end of 2024, gigawatts (a million kilowatts)"

_SERIES = "IRENA Renewable Capacity Statistics 2025"
_COUNTRIES = ["China", "United States"]
_ORDER = ["all renewables", "solar", "wind", "hydro"]


def _series() -> pd.DataFrame:
    df = load("renewable_capacity")
    df = df[df.series == _SERIES]
    return df[df.year == df.year.max()]


def _data() -> pd.DataFrame:
    df = _series()
    df = df[df.country.isin(_COUNTRIES)]
    both = [t for t in _ORDER if set(df[df.technology == t].country) == set(_COUNTRIES)]
    df = df[df.technology.isin(both)].copy()
    df["order"] = df.technology.map(both.index)
    return df.sort_values(["order", "country"]).drop(columns="order").reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    techs = [t for t in _ORDER if t in set(df.technology)]
    x = (
        alt.X("technology:N")
        .sort(techs)
        .title(None)
        .axis(labelAngle=0, labelExpr="upper(slice(datum.label, 0, 1)) + slice(datum.label, 1)")
    )
    xoff = alt.XOffset("country:N").scale(domain=_COUNTRIES)
    year = int(df.year.max())
    y = alt.Y("gw:Q").title(None).axis(format=",.0f").scale(zero=True)
    color = entity_color()
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=x,
            xOffset=xoff,
            y=y,
            color=color,
            tooltip=[
                alt.Tooltip("country:N", title="Country"),
                alt.Tooltip("technology:N", title="Technology"),
                alt.Tooltip("year:O", title="End of year"),
                alt.Tooltip("gw:Q", title="Capacity (GW)", format=","),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("note:N", title="Note"),
            ],
        )
    )
    labels = (
        alt.Chart()
        .mark_text(dy=-5, baseline="bottom", fontSize=11)
        .encode(
            x=x,
            xOffset=xoff,
            y=y,
            text=alt.Text("gw:Q", format=","),
        )
    )
    # A key in the bars' order, and the year, so a shared image keeps it.
    key = pd.DataFrame({"country": _COUNTRIES, "label": ["■ China", "■ US"], "py": [8, 24]})
    key_txt = (
        alt.Chart(key)
        .mark_text(align="right", fontWeight=600)
        .transform_calculate(right="width")
        .encode(x=alt.X("right:Q").scale(None), y=alt.Y("py:Q").scale(None), text="label:N", color=color)
    )
    when = (
        alt.Chart(key.head(1))
        .mark_text(style="annotation", align="right")
        .transform_calculate(right="width")
        .encode(x=alt.X("right:Q").scale(None), y=alt.value(40), text=alt.value(f"end of {year}"))
    )
    return alt.layer(bars, labels, key_txt, when, data=df)


def key_numbers() -> str:
    s = _series().set_index(["country", "technology"]).gw
    year = int(_series().year.max())
    t = "all renewables"
    cn, us = s[("China", t)], s[("United States", t)]
    out = (
        f"At the end of {year} China had {fmt_int(cn)} GW of renewable capacity and the United States {fmt_int(us)} GW "
        f"({cn / us:.1f} times as much); China had {s[('China', 'solar')] / s[('United States', 'solar')]:.1f} times "
        f"the US solar capacity and {s[('China', 'wind')] / s[('United States', 'wind')]:.1f} times its wind."
    )
    if ("World", t) in s.index:
        w = s[("World", t)]
        out += (
            f" The world total was {fmt_int(w)} GW, so China held {cn / w * 100:.0f}% of it "
            f"and the United States {us / w * 100:.0f}%."
        )
    return out
