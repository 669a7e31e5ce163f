"""Notable AI models by the country of their developers
US organisations have produced at least twice as many notable AI models as Chinese ones every year
since 2014, and about three times as many in 2023.
"""

import altair as alt

from charts._common import entity_color, models_by_year

SOURCES = ["epoch-open-model-trends-orgview"]
CREDIT = "Epoch AI, database of AI models (snapshot of August 2024)"


def _data():
    return models_by_year()[["year", "country", "notable_models", "source"]]


def build() -> alt.Chart:
    df = _data()
    last = int(df.year.max())
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("year:O")
            .title(None)
            .axis(labelAngle=0, labelExpr=f"datum.value == {last} ? '{last}*' : datum.label"),
            xOffset=alt.XOffset("country:N").sort(["United States", "China"]),
            y=alt.Y("notable_models:Q").title("Notable models released"),
            color=entity_color(df.country),
            tooltip=[
                alt.Tooltip("country:N", title="Country"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("notable_models:Q", title="Notable models"),
            ],
        )
    )


def key_numbers() -> str:
    df = _data().pivot(index="year", columns="country", values="notable_models").fillna(0)
    full = df.loc[: df.index.max() - 1]  # the last year is a part year
    y = int(full.index.max())
    ratio = full["United States"] / full["China"].where(full["China"] > 0)
    return (
        f"In {y}, Epoch AI counts {int(full.loc[y, 'United States'])} notable models from US developers and "
        f"{int(full.loc[y, 'China'])} from Chinese ones; across {int(full.index.min())}–{y} the US count was "
        f"{ratio.min():.1f} to {ratio.max():.0f} times China's. *{int(df.index.max())} runs to mid-August only."
    )
