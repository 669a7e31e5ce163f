"""The largest AI training run each year, US and Chinese developers
The largest US training run has used more compute than China's every year since 2014; since 2021 the
gap has been between about 1 and 16 times, far narrower than in the 2010s.
"""

import altair as alt

from charts._common import entity_color, models_by_year

SOURCES = ["epoch-open-model-trends-orgview"]
CREDIT = "Epoch AI, database of AI models (snapshot of August 2024); training compute as Epoch estimates it"


def _data():
    df = models_by_year()
    return df[df.largest_compute_flop.notna()][["year", "country", "largest_compute_flop", "largest_model", "source"]]


def build() -> alt.Chart:
    df = _data()
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O").title(None).axis(labelAngle=0),
            y=alt.Y("largest_compute_flop:Q")
            .title("Training compute of the largest model, FLOP (log scale)")
            .scale(type="log")
            .axis(format=".0e"),
            color=entity_color(df.country),
            tooltip=[
                alt.Tooltip("country:N", title="Country"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("largest_model:N", title="Model"),
                alt.Tooltip("largest_compute_flop:Q", title="Compute (FLOP)", format=".2e"),
            ],
        )
    )


def key_numbers() -> str:
    df = _data()
    p = df.pivot(index="year", columns="country", values="largest_compute_flop")
    m = df.set_index(["year", "country"]).largest_model
    y = int(p.index.max())
    return (
        f"In {y} (to mid-August) the largest US run in Epoch AI's file was {m[(y, 'United States')]}, at "
        f"{p.loc[y, 'United States']:.1e} FLOP, {p.loc[y, 'United States'] / p.loc[y, 'China']:.0f} times China's "
        f"largest, {m[(y, 'China')]}. Training compute is counted in floating-point operations (FLOP)."
    )
