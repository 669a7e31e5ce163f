"""Example figures (made up), Place A and Place B
Place A's made-up units rose every year; replace these figures with data you read in a source.
"""

import altair as alt

from explainer.core.data import load

from ._common import year_axis

SUBTITLE = "Units per year (made-up example data)"  # the measure and its unit, never the source
SOURCES = ["example-data"]  # the registry ids the source line links
CREDIT = "Example data (made up)"  # the producers, in words


def build() -> alt.Chart:
    df = load("example")
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=year_axis(),
            y=alt.Y("units:Q").title("Units"),
            color=alt.Color("place:N").legend(orient="bottom", title=None),
            tooltip=["place", "year", "units"],
        )
    )
