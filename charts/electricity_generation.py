"""Electricity generation, China vs the United States, 2000–2025
China's electricity generation grew more than sevenfold from 2000 to 2024 and passed the United
States' in 2010; US generation grew by 15%.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import axis_words, end_labels, entity_color, fmt_int, year_x

SOURCES = ["owid-energy-data-e7897ae"]
CREDIT = "Our World in Data, based on Ember and the Energy Institute Statistical Review of World Energy"
SUBTITLE = "Electricity generated in a year, terawatt-hours (a billion kilowatt-hours)"

SERIES = "Our World in Data (Ember; Energy Institute)"


def _data() -> pd.DataFrame:
    df = load("electricity_generation")
    df = df[(df.series == SERIES) & (df.country != "World") & (df.year >= 2000)]
    return df.sort_values(["year", "country"]).reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    top = float(df.twh.max()) * 1.08
    x = year_x(df.year, room=0.2, every=5)
    y = alt.Y("twh:Q").title(None).scale(domain=[0, top], nice=False).axis(**axis_words([0, 2500, 5000, 7500, 10000]))
    color = entity_color()
    tooltip = [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("twh:Q", title="Generation (TWh)", format=",.0f"),
        alt.Tooltip("status:N", title="Status"),
    ]
    rep = df[df.status == "reported"]
    last_rep = int(rep.year.max())
    # Preliminary years: a dashed line from the last reported year, labelled as such.
    pre = df[(df.status != "reported") | (df.year == last_rep)]
    solid = alt.Chart(df).transform_filter("datum.status == 'reported'").mark_line().encode(x=x, y=y, color=color)
    dashed = alt.Chart(pre).mark_line(strokeDash=[3, 3]).encode(x=x, y=y, color=color)
    points = (
        alt.Chart(df)
        .transform_filter("datum.status != 'reported'")
        .mark_point(filled=False, size=40, strokeWidth=2, opacity=1)
        .encode(x=x, y=y, color=color, tooltip=tooltip)
    )
    hover = alt.Chart(df).mark_point(size=30, opacity=0).encode(x=x, y=y, tooltip=tooltip)
    layers = [solid, dashed, points, hover]
    prelim_years = sorted(int(v) for v in df[df.status != "reported"].year.unique())
    if prelim_years:
        cn = df[(df.country == "China") & (df.year == prelim_years[-1])].iloc[0]
        note = pd.DataFrame([{"year": prelim_years[-1], "twh": float(cn.twh)}])
        layers.append(
            alt.Chart(note)
            .mark_text(style="annotation", align="right", baseline="bottom", dx=-4, dy=-10)
            .encode(x=x, y=y, text=alt.value(f"{prelim_years[-1]}, preliminary (dashed)"))
        )
    layers.append(end_labels(df, "year", "twh", "country", color, (0, top)))
    return alt.layer(*layers)


def key_numbers() -> str:
    df = _data()
    v = df.set_index(["year", "country"])
    last = int(df[df.status == "reported"].year.max())
    cn0, cn1 = v.twh[(2000, "China")], v.twh[(last, "China")]
    us0, us1 = v.twh[(2000, "United States")], v.twh[(last, "United States")]
    crossed = int(df.pivot(index="year", columns="country", values="twh").query("China > `United States`").index.min())
    pre = df[df.status != "reported"]
    p = ""
    if len(pre):
        y = int(pre.year.max())
        cn, us = fmt_int(v.twh[(y, "China")]), fmt_int(v.twh[(y, "United States")])
        p = f" Preliminary figures for {y}: China {cn} TWh, US {us}."
    return (
        f"China generated {fmt_int(cn0)} TWh in 2000 and {fmt_int(cn1)} TWh in {last} ({cn1 / cn0:.1f} times as much), "
        f"passing the United States in {crossed}; US generation went from {fmt_int(us0)} to {fmt_int(us1)} TWh "
        f"({(us1 / us0 - 1) * 100:.0f}% more), so in {last} China generated {cn1 / us1:.1f} times as much.{p}"
    )
