"""The largest AI training run each year, US and Chinese developers
The largest US training run with a compute estimate has been larger than China's every year since
2014; since 2021, by about 1 to 16 times.
"""

import math

import altair as alt
import pandas as pd

from ._common import end_labels, entity_color, fmt_power, models_by_year, powers_of_ten, year_x

SOURCES = ["epoch-open-model-trends-orgview"]
CREDIT = "Epoch AI, database of AI models (snapshot of August 2024); training compute as Epoch estimates it"
SUBTITLE = "Compute used to train the largest model with an estimate, in operations (FLOP); log scale"
SPARSE = 10  # fewer Chinese models with an estimate than this in a year: the "largest" is one of a handful
PARTIAL = "2024: January to mid-August only"


def _data():
    df = models_by_year()
    cols = ["year", "country", "largest_compute_flop", "largest_model", "models_with_compute", "source"]
    return df[df.largest_compute_flop.notna()][cols]


def build() -> alt.Chart:
    df = _data()
    lo = 10.0 ** math.floor(math.log10(df.largest_compute_flop.min()))
    hi = 10.0 ** math.ceil(math.log10(df.largest_compute_flop.max()) + 0.3)
    ticks = [10.0**e for e in range(round(math.log10(lo)), round(math.log10(hi)) + 1) if e % 2 == 1]
    x = year_x(df.year, room=0.18, every=2)
    y = alt.Y("largest_compute_flop:Q").title(None).scale(type="log", domain=[lo, hi]).axis(**powers_of_ten(ticks))
    color = entity_color()
    tooltip = [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("largest_model:N", title="Model"),
        alt.Tooltip("largest_compute_flop:Q", title="Compute (FLOP)", format=".2e"),
        alt.Tooltip("models_with_compute:Q", title="Models with a compute estimate"),
    ]
    lines = alt.Chart().mark_line(point=True).encode(x=x, y=y, color=color, tooltip=tooltip)
    layers = [lines]
    cn = df[df.country == "China"]
    sparse = cn[cn.models_with_compute < SPARSE]
    if len(sparse):
        a, b = int(sparse.year.min()), int(sparse.year.max())
        n0, n1 = int(sparse.models_with_compute.min()), int(sparse.models_with_compute.max())
        band = pd.DataFrame(
            [
                {
                    "x0": a - 0.4,
                    "x1": b + 0.4,
                    "label": f"{a}–{b}: only {n0} to {n1}\nChinese models a year\nhave an estimate",
                }
            ]
        )
        layers.insert(0, alt.Chart(band).mark_rect(style="band").encode(x="x0:Q", x2="x1:Q"))
        layers.append(
            alt.Chart(band)
            .mark_text(style="annotation", align="left", baseline="top", dx=4, lineBreak="\n")
            .encode(x="x0:Q", y=alt.value(4), text="label:N")
        )
    last = int(df.year.max())
    # In three short lines, in the empty corner left of the rule and under the lines (a wider note
    # reaches back to China's 2017 dip on a phone).
    part = pd.DataFrame([{"at": last - 0.5, "label": PARTIAL.replace(": ", ":\n").replace(" to ", " to\n")}])
    layers += [
        alt.Chart(part).mark_rule(style="break").encode(x="at:Q"),
        alt.Chart(part)
        .transform_calculate(py="height - 48")  # three lines ending just above the axis, at any size
        .mark_text(style="annotation", align="right", baseline="top", dx=-4, lineBreak="\n", lineHeight=14)
        .encode(x="at:Q", y=alt.Y("py:Q").scale(None), text="label:N"),
    ]
    layers.append(end_labels(df, "year", "largest_compute_flop", "country", color, (lo, hi), log=True))
    return alt.layer(*layers, data=df)  # the lines' data is the table


def key_numbers() -> str:
    df = _data()
    p = df.pivot(index="year", columns="country", values="largest_compute_flop")
    m = df.set_index(["year", "country"]).largest_model
    y = int(p.index.max())
    r = (p["United States"] / p["China"]).loc[2021 : y - 1]
    return (
        f"In {y} (to mid-August) the largest US run with a compute estimate in Epoch AI's file was "
        f"{m[(y, 'United States')]}, at {fmt_power(p.loc[y, 'United States'])} FLOP, "
        f"{p.loc[y, 'United States'] / p.loc[y, 'China']:.0f} times China's largest, {m[(y, 'China')]}; "
        f"from 2021 to {y - 1} the US run was {r.min():.1f} to {r.max():.0f} times China's. Training compute is "
        f"counted in floating-point operations (FLOP)."
    )
