"""Electricity generation, China vs the United States, 2000–2025
China's electricity generation has grown about sevenfold since 2000 and passed the United States'
a decade and a half ago; US generation has barely changed, though an American still uses more per person.
"""

import altair as alt
import pandas as pd

from charts._common import entity_color, fmt_int
from explainer.data import load

SOURCES = ["owid-energy-data-e7897ae"]
CREDIT = "Our World in Data, based on Ember and the Energy Institute Statistical Review of World Energy"

SERIES = "Our World in Data (Ember; Energy Institute)"


def _data() -> pd.DataFrame:
    df = load("electricity_generation")
    df = df[(df.series == SERIES) & (df.country != "World") & (df.year >= 2000)]
    return df.sort_values(["year", "country"]).reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    first, last = int(df.year.min()), int(df.year.max())
    return (
        alt.Chart(df)
        .mark_line(point=alt.OverlayMarkDef(size=20))
        .encode(
            x=alt.X("year:O").title(None).axis(labelAngle=0, values=list(range(first, last + 1, 5))),
            y=alt.Y("twh:Q").title("Terawatt-hours a year").axis(format=",.0f").scale(zero=True),
            color=entity_color(df.country),
            strokeDash=alt.StrokeDash("status:N").scale(domain=["reported", "preliminary"]).legend(None),
            tooltip=[
                alt.Tooltip("country:N", title="Country"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("twh:Q", title="Generation (TWh)", format=",.0f"),
                alt.Tooltip("kwh_per_person:Q", title="Per person (kWh)", format=",.0f"),
                alt.Tooltip("low_carbon_share_pct:Q", title="Low-carbon share (%)", format=".0f"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
    )


def key_numbers() -> str:
    df = _data()
    v = df.set_index(["year", "country"])
    last = int(df[df.status == "reported"].year.max())
    cn0, cn1 = v.twh[(2000, "China")], v.twh[(last, "China")]
    us1 = v.twh[(last, "United States")]
    per_us, per_cn = v.kwh_per_person[(last, "United States")], v.kwh_per_person[(last, "China")]
    crossed = int(df.pivot(index="year", columns="country", values="twh").query("China > `United States`").index.min())
    return (
        f"China generated {fmt_int(cn0)} TWh in 2000 and {fmt_int(cn1)} TWh in {last} ({cn1 / cn0:.1f} times as much), "
        f"passing the United States in {crossed}; US generation was {fmt_int(us1)} TWh in {last}, "
        f"so China generated {cn1 / us1:.1f} times as much. Per person, the US generated "
        f"{fmt_int(per_us)} kWh and China {fmt_int(per_cn)}."
    )
