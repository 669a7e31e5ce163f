"""Private AI investment, United States vs China
Each year's AI Index puts US private AI investment further ahead of China's: about 3 times in 2021,
23 times in 2025.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import end_labels, entity_color, fmt_num, year_x

SOURCES = ["tingwei-aiindex2026-economy", "hai-aiindex2025-economy"]
CREDIT = "Stanford HAI, AI Index Report 2022–2026 (Quid data)"
SUBTITLE = "Private investment in AI companies in a year, US$ billion"
# The declared edition break (private_ai_investment.schema.yaml): every year from its own edition; the
# World line (one later back-series) is not drawn, so that no year compares two editions.
NOTE = (
    "Each year as first published, in the next year's AI Index ({span}), which re-estimates earlier years: "
    "compare the two countries within a year, not one year with the next."
)
COUNTRIES = ["United States", "China"]


def _data() -> pd.DataFrame:
    df = load("private_ai_investment")
    return df[df.country.isin(COUNTRIES)].sort_values(["country", "year"]).reset_index(drop=True)


def _pairs(df: pd.DataFrame) -> pd.DataFrame:
    """One row per year: the two values (from one edition) and their ratio."""
    p = df.pivot(index="year", columns="country", values="usd_billion").reset_index()
    ed = df[df.country == "United States"].set_index("year").edition
    p["edition"] = p.year.map(ed)
    p["ratio"] = p["United States"] / p["China"]
    p["label"] = p.ratio.map(lambda r: f"{r:.0f}×" if r >= 10 else f"{r:.1f}×")
    return p


def build() -> alt.Chart:
    df = _data()
    pairs = _pairs(df)
    top = float(df.usd_billion.max()) * 1.1
    x = year_x(df.year, room=0.25)
    y = alt.Y("usd_billion:Q").title(None).scale(domain=[0, top], nice=False)
    color = entity_color()
    tooltip = [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("usd_billion:Q", title="US$ billion", format=",.1f"),
        alt.Tooltip("edition:N", title="Edition"),
        alt.Tooltip("status:N", title="Status"),
    ]
    # Within a year both figures come from one edition: a stem joins them. Across years the
    # editions differ, so no line joins the years.
    stems = (
        alt.Chart(pairs)
        .mark_rule(style="reference", strokeDash=[1, 0], strokeWidth=1)
        .encode(x="year:Q", y="China:Q", y2="United States:Q")
    )
    points = alt.Chart(df).mark_point(filled=True, size=80, opacity=1).encode(x=x, y=y, color=color, tooltip=tooltip)
    ratio = (
        alt.Chart(pairs)
        .mark_text(align="center", baseline="bottom", dy=-9, fontWeight=600)
        .encode(x="year:Q", y="United States:Q", text="label:N")
    )
    names = end_labels(df, "year", "usd_billion", "country", color, (0, top), gap=0.09)
    a, b = pairs.iloc[0], pairs.iloc[-1]
    span = f"{int(a.year)} in the {a.edition}, … {int(b.year)} in the {b.edition}"
    note = (
        alt.Chart(pairs.head(1))
        .mark_text(style="annotation", align="left", baseline="top", lineBreak="\n")
        .encode(x=alt.value(4), y=alt.datum(top * 0.88), text=alt.value(_wrap(NOTE.format(span=span), 36)))
    )
    return alt.layer(points, stems, ratio, names, note)


def _wrap(text: str, chars: int) -> str:
    from explainer.core.theme import wrap

    return "\n".join(wrap(text, chars))


def key_numbers() -> str:
    df = _data()
    p = _pairs(df).set_index("year")
    first, last = int(p.index.min()), int(p.index.max())
    us, cn = float(p.loc[last, "United States"]), float(p.loc[last, "China"])
    return (
        f"In {last} US private AI investment was ${fmt_num(us)} billion against China's ${fmt_num(cn)} billion, "
        f"{us / cn:.0f} times as much, by the {p.loc[last, 'edition']}; in {first}, by the {p.loc[first, 'edition']}, "
        f"it was {p.loc[first, 'ratio']:.1f} times as much. Each year's pair comes from that year's edition; "
        f"editions re-estimate earlier years, so the years are not strictly comparable."
    )
