"""US lead over China's best AI model, Chatbot Arena
The best US model's lead on Chatbot Arena was almost nothing in February 2025; news reports of the
AI Index 2026 say the lead then changed hands, and by March 2026 the US led again, by 2.7%.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import fmt_num, neutral_color

SOURCES = ["tingwei-aiindex2025-performance", "tingwei-aiindex2026-performance"]
CREDIT = (
    "Stanford HAI, AI Index Report 2025 and 2026 (Chatbot Arena data from LMSYS); that the lead changed hands: "
    "news reports (MeriTalk) and a blog's summary of the 2026 edition"
)
SUBTITLE = (
    "How far the best US model's Chatbot Arena score was above the best Chinese model's, in % (and in Arena points)"
)

ARENA = "Chatbot Arena top model"
CHANGED = "The lead changed hands in between\n(news reports of AI Index 2026)"


def _data() -> pd.DataFrame:
    """The Arena series in percent of leaderboard score, one line per edition, with the Elo-point
    reading of the same month and edition beside it."""
    df = load("model_gap")
    df = df[df.benchmark == ARENA]
    pct = df[df.unit == "percent"].copy()
    pts = df[df.unit == "Elo points"].set_index(["date", "edition"]).gap
    pct["points"] = [pts.get((d, e)) for d, e in zip(pct.date, pct.edition)]
    # Two editions read February 2025: each edition's points are drawn a little apart.
    editions = sorted(pct.edition.unique())
    shift = {e: (i - (len(editions) - 1) / 2) * 24 for i, e in enumerate(editions)}
    pct["month"] = [
        (pd.Timestamp(d + "-01") + pd.Timedelta(days=shift[e])).strftime("%Y-%m-%d")
        for d, e in zip(pct.date, pct.edition)
    ]
    pct["label"] = [
        f"{g:.1f}%" + (f" ({p:.0f} pts)" if p == p and p is not None else "") for g, p in zip(pct.gap, pct.points)
    ]
    return pct.sort_values(["edition", "date"]).reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    editions = sorted(df.edition.unique())
    months = pd.to_datetime(df.month)
    left, right = pd.DateOffset(months=8), pd.DateOffset(months=11)  # room for the labels
    domain = [(months.min() - left).strftime("%Y-%m-%d"), (months.max() + right).strftime("%Y-%m-%d")]
    x = (
        alt.X("month:T")
        .title(None)
        .scale(domain=domain)
        .axis(format="%b %Y", tickCount={"interval": "year", "step": 1}, grid=False)
    )
    top = float(df.gap.max()) * 1.35
    y = alt.Y("gap:Q").title(None).scale(domain=[0, top], nice=False).axis(values=[0, 2, 4, 6, 8, 10], format="d")
    color = neutral_color("edition", editions)
    tooltip = [
        alt.Tooltip("date:N", title="Month"),
        alt.Tooltip("gap:Q", title="US lead (%)", format=".1f"),
        alt.Tooltip("points:Q", title="US lead (Arena points)"),
        alt.Tooltip("edition:N", title="Edition"),
        alt.Tooltip("note:N", title="Note"),
    ]
    # Separate readings, not a continuous series: stems from zero, no line between readings (the
    # lead changed hands between the last two, unplotted).
    stems = alt.Chart().mark_rule(strokeWidth=3).encode(x=x, y=y, y2=alt.Y2(datum=0), color=color)
    points = alt.Chart().mark_point(filled=True, size=90, opacity=1).encode(x=x, y=y, color=color, tooltip=tooltip)
    # Labels above the first edition's points, to the right of the later edition's (the two
    # editions' February 2025 readings stand side by side).
    labels = alt.layer(
        alt.Chart()
        .transform_filter(f"datum.edition == '{editions[0]}'")
        .mark_text(dy=-13, fontWeight=600, fontSize=11)
        .encode(x=x, y=y, text="label:N", color=color),
        alt.Chart()
        .transform_filter(f"datum.edition != '{editions[0]}'")
        .mark_text(align="left", dx=8, dy=-6, fontWeight=600, fontSize=11)
        .encode(x=x, y=y, text="label:N", color=color),
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(style="reference", strokeDash=[1, 0]).encode(y="zero:Q")
    # Which edition each reading comes from, under its first reading.
    firsts = df.groupby("edition").head(1).assign(ed_label=lambda d: d.edition)
    ed = (
        alt.Chart(firsts)
        .mark_text(align="left", baseline="top", dx=6, dy=4, fontWeight=600, fontSize=11)
        .encode(x=x, y=alt.datum(top), text="ed_label:N", color=color)
    )
    layers = [zero, stems, points, labels, ed]
    late = df[df.edition == editions[-1]]
    if len(late) >= 2:  # news reports of the AI Index 2026: the lead changed hands between its two readings
        a, b = pd.to_datetime(late.month.iloc[-2]), pd.to_datetime(late.month.iloc[-1])
        mid = pd.DataFrame([{"month": (a + (b - a) / 2).strftime("%Y-%m-%d"), "gap": top * 0.55, "text": CHANGED}])
        layers.append(
            alt.Chart(mid)
            .mark_text(style="annotation", fontStyle="italic", lineBreak="\n")
            .encode(x=x, y=y, text="text:N")
        )
    return alt.layer(*layers, data=df)


def key_numbers() -> str:
    df = _data()
    parts = []
    for edition, g in df.groupby("edition"):
        readings = ", ".join(f"{fmt_num(r.gap, 1)}% in {r.date}" for r in g.itertuples())
        parts.append(f"the {edition} gives {readings}")
    return (
        "On Chatbot Arena the best US model led the best Chinese model: "
        + "; ".join(parts)
        + ". News reports of the AI Index 2026, and a blog's summary of it, say the lead changed hands between its"
        " two readings."
    )
