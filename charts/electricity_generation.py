"""Electricity generation, China vs the United States
China's electricity generation rose by about three quarters in a decade while US generation barely changed, so China now generates more than twice as much.
"""
import altair as alt
import pandas as pd

from charts._common import entity_color, fmt_int
from charts.data import load

SOURCES = ["ei-2025-generation-thepatriot"]
CREDIT = "Energy Institute Statistical Review 2025, via Visual Capitalist"

_SERIES = "Energy Institute Statistical Review of World Energy 2025"


def _data() -> pd.DataFrame:
    df = load("electricity_generation")
    return df[df.series == _SERIES].sort_values(["year", "country"]).reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    x = alt.X("year:O").title(None).axis(labelAngle=0)
    xoff = alt.XOffset("country:N").scale(domain=[c for c in ("China", "United States") if c in set(df.country)])
    y = alt.Y("twh:Q").title("Terawatt-hours a year").axis(format=",.0f").scale(zero=True)
    bars = alt.Chart().mark_bar().encode(
        x=x, xOffset=xoff, y=y, color=entity_color(df.country),
        tooltip=[alt.Tooltip("country:N", title="Country"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("twh:Q", title="Generation (TWh)", format=","), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("note:N", title="Note")],
    )
    labels = alt.Chart().mark_text(dy=-6, baseline="bottom", fontSize=11).encode(
        x=x, xOffset=xoff, y=y, text=alt.Text("twh:Q", format=","),
    )
    return alt.layer(bars, labels, data=df)


def key_numbers() -> str:
    df = _data()
    y0, y1 = int(df.year.min()), int(df.year.max())
    v = df.set_index(["year", "country"]).twh
    cn0, cn1 = v[(y0, "China")], v[(y1, "China")]
    us0, us1 = v[(y0, "United States")], v[(y1, "United States")]
    return (f"Between {y0} and {y1} China's generation grew {(cn1 / cn0 - 1) * 100:.0f}% to {fmt_int(cn1)} TWh and the "
            f"United States' {(us1 / us0 - 1) * 100:.0f}% to {fmt_int(us1)} TWh; China generated "
            f"{cn0 / us0:.1f} times as much as the US in {y0} and {cn1 / us1:.1f} times as much in {y1}.")
