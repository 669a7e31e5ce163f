"""Notable AI models by the country of their developers
US organisations have produced at least twice as many notable AI models as Chinese ones every year
since 2014, and about three times as many in 2023.
"""

import altair as alt
import pandas as pd

from ._common import entity_color, models_by_year

SOURCES = ["epoch-open-model-trends-orgview"]
CREDIT = "Epoch AI, database of AI models (snapshot of August 2024)"
SUBTITLE = "AI models released in a year that Epoch AI marks as notable, by the country of their developers"
PARTIAL = "*2024: January to mid-August only (faded)"
ORDER = ["United States", "China"]


def _data():
    return models_by_year()[["year", "country", "notable_models", "source"]]


def build() -> alt.Chart:
    df = _data()
    last = int(df.year.max())
    first = int(df.year.min())
    top = float(df.notable_models.max()) * 1.25
    # Every other year labelled (they collide on a phone), always the last, which is a part year.
    shown = "||".join(f"datum.value == {y}" for y in range(last, first - 1, -2))
    x = (
        alt.X("year:O")
        .title(None)
        .axis(labelAngle=0, labelExpr=f"datum.value == {last} ? '{last}*' : ({shown}) ? datum.label : ''")
    )
    color = entity_color()
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=x,
            xOffset=alt.XOffset("country:N").sort(ORDER),
            y=alt.Y("notable_models:Q").title(None).scale(domain=[0, top], nice=False),
            color=color,
            opacity=alt.condition(f"datum.year == {last}", alt.value(0.45), alt.value(1)),
            tooltip=[
                alt.Tooltip("country:N", title="Country"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("notable_models:Q", title="Notable models"),
            ],
        )
    )
    # A key in the bars' order (US first), where a legend would stand apart from the bars.
    key = pd.DataFrame({"country": ORDER, "label": ["■ US", "■ China"], "py": [8, 24]})
    key_txt = (
        alt.Chart(key)
        .mark_text(align="left", fontWeight=600)
        .encode(x=alt.value(4), y=alt.Y("py:Q").scale(None), text="label:N", color=color)
    )
    note = (
        alt.Chart(key.head(1))
        .mark_text(style="annotation", align="left")
        .encode(x=alt.value(4), y=alt.value(40), text=alt.value(PARTIAL))
    )
    return alt.layer(bars, key_txt, note)


def key_numbers() -> str:
    df = _data().pivot(index="year", columns="country", values="notable_models").fillna(0)
    full = df.loc[: df.index.max() - 1]  # the last year is a part year
    y = int(full.index.max())
    ratio = full["United States"] / full["China"].where(full["China"] > 0)
    return (
        f"In {y}, Epoch AI counts {int(full.loc[y, 'United States'])} notable models from US developers and "
        f"{int(full.loc[y, 'China'])} from Chinese ones; across {int(full.index.min())}–{y} the US count was "
        f"{ratio.min():.1f} to {ratio.max():.0f} times China's. {int(df.index.max())} runs to mid-August only."
    )
