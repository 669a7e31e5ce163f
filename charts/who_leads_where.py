"""Who leads where: China and the United States compared
In 2024 China led the United States in robots, renewable capacity and electricity, but the US lead in
private AI investment was wider than any of them.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load, schema

from ._common import entity_color

SOURCES = ["hai-aiindex2025-economy", "owid-energy-data-e7897ae"]
CREDIT = (
    "International Federation of Robotics; Our World in Data (Ember, Energy Institute); IRENA; Stanford HAI, AI Index"
)

CN, US = "China", "United States"
# Order of certainty: the combined status of a ratio is the less certain of its two rows.
_STATUS_ORDER = ["reported", "revised", "preliminary", "estimated", "projected"]
_FIRM = {"reported", "revised", "estimated"}  # a preliminary or projected figure is not compared
SUBTITLE = "How many times the leader's figure is the other's, in the latest year all four have, log scale"

# measure label, dataset, value column, row filter, numerator (the leader), denominator
MEASURES = [
    ("Robot installations", "robot_installations", "units", {}, CN, US),
    (
        "Electricity generation",
        "electricity_generation",
        "twh",
        {"series": "Our World in Data (Ember; Energy Institute)"},
        CN,
        US,
    ),
    (
        "Renewable capacity",
        "renewable_capacity",
        "gw",
        {"technology": "all renewables", "series": "IRENA Renewable Capacity Statistics 2025"},
        CN,
        US,
    ),
    ("Private AI investment", "private_ai_investment", "usd_billion", {}, US, CN),
]


def _unit(dataset: str, column: str) -> str:
    return next((f.get("unit", "") for f in schema(dataset)["fields"] if f["name"] == column), "")


def _rows(dataset, where, num, den) -> pd.DataFrame:
    df = load(dataset)
    for col, val in where.items():
        df = df[df[col] == val]
    return df[df.country.isin([num, den]) & df.status.isin(_FIRM)]


def _years(dataset, where, num, den) -> set[int]:
    """Years in which both countries have a figure that is not preliminary or projected."""
    both = _rows(dataset, where, num, den)
    counts = both.groupby("year").country.nunique()
    return {int(y) for y in counts[counts == 2].index}


def _common_year() -> int | None:
    """The latest year every measure has, so the rows compare one year (None: there is none)."""
    common = set.intersection(*(_years(d, w, n, o) for _, d, _, w, n, o in MEASURES))
    return max(common) if common else None


def _ratio_row(label, dataset, column, where, num, den, year=None) -> dict:
    """Leader ÷ other in `year`, or the latest year in which both countries have a firm value."""
    both = _rows(dataset, where, num, den)
    year = year or max(_years(dataset, where, num, den))
    rows = both[both.year == year].set_index("country")
    a, b = rows.loc[num], rows.loc[den]
    status = max(a.status, b.status, key=_STATUS_ORDER.index)
    unit = _unit(dataset, column)
    return {
        "measure": label,
        "leader": num,
        "ratio": round(float(a[column]) / float(b[column]), 2),
        "year": year,
        "source": a.source,
        "source_2": b.source,
        "status": status,
        "note": f"{num} {float(a[column]):,.6g} ÷ {den} {float(b[column]):,.6g} ({unit}), {year}",
    }


def _data() -> pd.DataFrame:
    year = _common_year()
    df = pd.DataFrame([_ratio_row(*m, year=year) for m in MEASURES])
    return df.sort_values("ratio", ascending=False).reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    order = list(df.measure)
    top = float(df.ratio.max()) * 1.3
    ticks = [t for t in (1, 2, 5, 10, 20, 50, 100) if t <= top]
    x = (
        alt.X("ratio:Q")
        .title(None)
        .scale(type="log", domain=[1, top], nice=False)
        .axis(values=ticks, labelExpr="datum.label + '×'")
    )
    y = alt.Y("measure:N").sort(order).title(None).axis(None)
    color = entity_color("leader")
    tooltip = [
        alt.Tooltip("measure:N", title="Measure"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("leader:N", title="Leader"),
        alt.Tooltip("ratio:Q", title="Times as much", format=".1f"),
        alt.Tooltip("note:N", title="Values"),
        alt.Tooltip("source:N", title="Source (leader)"),
        alt.Tooltip("source_2:N", title="Source (other)"),
        alt.Tooltip("status:N", title="Status"),
    ]
    stems = alt.Chart().mark_rule(strokeWidth=3).encode(x=x, x2=alt.X2(datum=1), y=y, color=color)
    dots = alt.Chart().mark_point(filled=True, size=120, opacity=1).encode(x=x, y=y, color=color, tooltip=tooltip)
    label = (
        "datum.measure + ', ' + datum.year + ': ' + (datum.leader == 'United States' ? 'US' : datum.leader)"
        " + ' ' + format(datum.ratio, '.1f') + '×'"
    )
    names = (
        alt.Chart()
        .transform_calculate(label=label)
        .mark_text(align="left", baseline="bottom", dy=-9)
        .encode(x=alt.value(0), y=y, text="label:N")
    )
    return alt.layer(stems, dots, names, data=df)


def key_numbers() -> str:
    df = _data()
    cn = [f"{r.ratio:.1f} times for {r.measure.lower()} ({r.year})" for r in df.itertuples() if r.leader == CN]
    cn[0] = cn[0].replace(" times ", " times that of the United States ", 1)
    us = df[df.leader == US].iloc[0]
    return (
        "China's figure was " + ", ".join(cn[:-1]) + f" and {cn[-1]}; "
        f"US private AI investment in {us.year} was {us.ratio:.1f} times China's."
    )
