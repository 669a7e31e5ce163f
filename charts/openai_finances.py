"""OpenAI: revenue, losses and cash burn
OpenAI's losses exceed its fast-growing revenue, and projections reported by the press have its cash
burn climbing for years.
"""

import re

import altair as alt
import pandas as pd

from charts._common import fmt_num
from explainer.data import load, sources_by_id

SOURCES = ["ciol-friar-arr", "livemint-economist-openai-2026"]
CREDIT = (
    "OpenAI's statements; leaked accounts and investor documents as reported by The Information, the "
    "Financial Times and The Economist"
)

METRICS = {  # dataset value -> label shown
    "revenue": "Revenue",
    "annualized revenue run-rate": "Revenue run-rate (year-end)",
    "operating loss": "Operating loss",
    "net loss": "Net loss",
    "cash burn": "Cash burn",
}
STATUSES = ["reported", "projected", "estimated"]
_RELIABILITY = {"high": 0, "medium": 1, "low": 2}


def _data() -> pd.DataFrame:
    """Annual rows, one per year, metric and status.

    Rule: (1) only whole years (periods like 2025-H1, 2025-Q3 or 2025-2029 are dropped);
    (2) where a year and metric have a reported figure, projections and estimates for it are
    dropped (the outcome supersedes the forecast); (3) where several sources remain for one
    year, metric and status, keep the one whose source the registry rates most reliable, and
    among equals the most recently published one (a later forecast knows more of the year).
    """
    df = load("openai_finances")
    df = df[df.period.map(lambda p: bool(re.fullmatch(r"\d{4}", str(p))))].copy()
    df["year"] = df.period.astype(int)
    has_reported = set(zip(df[df.status == "reported"].year, df[df.status == "reported"].metric))
    df = df[
        (df.status == "reported")
        | ~pd.Series([(y, m) in has_reported for y, m in zip(df.year, df.metric)], index=df.index)
    ]
    reg = sources_by_id()
    df["_rel"] = df.source.map(lambda s: _RELIABILITY.get(reg.get(s, {}).get("reliability"), 3))
    df["_date"] = df.source.map(lambda s: str(reg.get(s, {}).get("date_published") or ""))
    df = df.sort_values(["year", "metric", "status", "_rel", "_date"], ascending=[True, True, True, True, False])
    df = df.drop_duplicates(["year", "metric", "status"], keep="first").drop(columns=["_rel", "_date"])
    df["measure"] = df.metric.map(METRICS)
    return df.sort_values(["metric", "year"]).reset_index(drop=True)


def _fill_if_reported():
    """Filled points for reported figures, hollow for projections and estimates."""
    return alt.condition("datum.status == 'reported'", alt.value(1), alt.value(0))


def build() -> alt.Chart:
    df = _data()
    years = sorted(int(y) for y in df.year.unique())
    x = (
        alt.X("year:Q")
        .title(None)
        .scale(domain=[years[0] - 0.3, years[-1] + 0.3], nice=False, zero=False)
        .axis(values=years, format="d", grid=False)
    )
    y = alt.Y("usd_billion:Q").title("US$ billion")
    color = (
        alt.Color("measure:N")
        .scale(domain=list(METRICS.values()))
        .legend(orient="bottom", title=None, direction="horizontal", columns=3)
    )
    tooltip = [
        alt.Tooltip("measure:N", title="Measure"),
        alt.Tooltip("period:N", title="Year"),
        alt.Tooltip("usd_billion:Q", title="US$ billion", format=",.2f"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("note:N", title="Note"),
    ]

    # Dashed line through every figure but estimates; solid over the reported ones only. Net loss
    # gets no connecting line: the reported figure includes a large non-cash charge that the
    # projections (made earlier, on other definitions) do not, so a line would suggest a trend.
    dashed = (
        alt.Chart()
        .transform_filter("datum.status != 'estimated' && datum.metric != 'net loss'")
        .mark_line(strokeDash=[4, 4], strokeWidth=1.5)
        .encode(x=x, y=y, color=color)
    )
    solid = alt.Chart().transform_filter("datum.status == 'reported'").mark_line().encode(x=x, y=y, color=color)
    points = (
        alt.Chart()
        .mark_point(size=70, strokeWidth=2, opacity=1, filled=True)
        .encode(
            x=x,
            y=y,
            color=color,
            stroke=alt.Stroke("measure:N").scale(domain=list(METRICS.values())).legend(None),
            shape=alt.Shape("status:N").scale(domain=STATUSES, range=["circle", "circle", "diamond"]).legend(None),
            fillOpacity=_fill_if_reported(),
            tooltip=tooltip,
        )
    )
    # A key for the point styles (a merged shape/fill legend cannot show hollow symbols).
    key_df = pd.DataFrame(
        {"status": STATUSES, "label": ["reported", "projected, dashed", "estimated"], "py": [6, 22, 38]}
    )
    key = alt.Chart(key_df)
    key_pts = key.mark_point(size=60, strokeWidth=2, opacity=1, filled=True, color="#8c959f", stroke="#8c959f").encode(
        x=alt.value(10),
        y=alt.Y("py:Q").scale(None),
        shape=alt.Shape("status:N").legend(None),
        fillOpacity=_fill_if_reported(),
    )
    key_txt = key.mark_text(align="left", dx=0).encode(x=alt.value(22), y=alt.Y("py:Q").scale(None), text="label:N")
    # The reported net loss includes a non-cash charge (see the row's note); say so on the chart.
    nl = df[(df.metric == "net loss") & (df.status == "reported")].assign(label="incl. non-cash\ncharge")
    nl_label = (
        alt.Chart(nl).mark_text(align="left", dx=10, fontSize=11, lineBreak="\n").encode(x=x, y=y, text="label:N")
    )
    return alt.layer(dashed, solid, points, key_pts, key_txt, nl_label, data=df)


def key_numbers() -> str:
    df = _data()
    rep = df[df.status == "reported"]
    last = int(rep[rep.metric == "revenue"].year.max())
    r = rep[rep.year == last].set_index("metric").usd_billion
    proj = df[(df.metric == "cash burn") & (df.status == "projected")]
    far = proj[proj.year == proj.year.max()].iloc[0]
    return (
        f"In {last} OpenAI reported revenue of ${fmt_num(r['revenue'])} billion, an operating loss of "
        f"${fmt_num(r['operating loss'])} billion and a net loss of ${fmt_num(r['net loss'])} billion; "
        f"projections reported by the press have annual cash burn reaching "
        f"${fmt_num(far.usd_billion, 0)} billion in {far.period}."
    )
