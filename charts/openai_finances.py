"""OpenAI: revenue, losses and cash burn
By leaked accounts, OpenAI's operating loss in 2025 was larger than its fast-growing revenue, and
projections reported by the press have its cash burn climbing for years.
"""

import re

import altair as alt
import pandas as pd

from explainer.core.data import load, sources_by_id

from ._common import end_labels, fmt_num, neutral_color, year_x

SOURCES = ["ciol-friar-arr", "livemint-economist-openai-2026"]
CREDIT = (
    "Leaked OpenAI accounts, as quoted by Ed Zitron and Business Age; projections and estimates reported by The "
    "New York Times, The Economist, The Decoder, TechSpot (reporting The Information), tkly.com and AI CERTs; "
    "OpenAI's finance chief for the revenue run-rate"
)
SUBTITLE = "US$ billion a year. OpenAI publishes no accounts: figures for past years come from leaked accounts"
RUN_RATE = "annualized revenue run-rate"

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
    df["_rel"] = df.source.map(lambda s: _RELIABILITY.get(reg[s].reliability, 3) if s in reg else 3)
    df["_date"] = df.source.map(lambda s: str(reg[s].date_published or "") if s in reg else "")
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
    top = float(df.usd_billion.max()) * 1.3  # room for the key above the highest figure
    x = year_x(years, room=0.45)
    y = alt.Y("usd_billion:Q").title(None).scale(domain=[0, top], nice=False)
    # The run-rate is an annualised snapshot, not a year's flow: an annotation, not a line.
    flows = [m for m in METRICS if m != RUN_RATE]
    domain = [METRICS[m] for m in flows]
    color = neutral_color("measure", domain)
    tooltip = [
        alt.Tooltip("measure:N", title="Measure"),
        alt.Tooltip("period:N", title="Year"),
        alt.Tooltip("usd_billion:Q", title="US$ billion", format=",.2f"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("note:N", title="Note"),
    ]
    is_flow = f"datum.metric != '{RUN_RATE}'"
    # Dashed line through every figure but estimates; solid over the reported ones only. Net loss
    # gets no connecting line: the reported figure includes a large non-cash charge that the
    # projections (made earlier, on other definitions) do not, so a line would suggest a trend.
    dashed = (
        alt.Chart()
        .transform_filter(f"{is_flow} && datum.status != 'estimated' && datum.metric != 'net loss'")
        .mark_line(strokeDash=[4, 4], strokeWidth=1.5)
        .encode(x=x, y=y, color=color)
    )
    solid = (
        alt.Chart()
        .transform_filter(f"{is_flow} && datum.status == 'reported'")
        .mark_line()
        .encode(x=x, y=y, color=color)
    )
    points = (
        alt.Chart()
        .transform_filter(is_flow)
        .mark_point(size=70, strokeWidth=2, opacity=1, filled=True)
        .encode(
            x=x,
            y=y,
            color=color,
            stroke=alt.Stroke("measure:N").scale(domain=domain, range="ordinal").legend(None),
            shape=alt.Shape("status:N").scale(domain=STATUSES, range=["circle", "circle", "diamond"]).legend(None),
            fillOpacity=_fill_if_reported(),
            tooltip=tooltip,
        )
    )
    # A key for the point styles (a merged shape/fill legend cannot show hollow symbols).
    key_df = pd.DataFrame(
        {"status": STATUSES, "label": ["reported", "projected, dashed", "estimated"], "py": [6, 21, 36]}
    )
    key = alt.Chart(key_df)
    key_pts = key.mark_point(style="key", size=60, strokeWidth=2, opacity=1, filled=True).encode(
        x=alt.value(10),
        y=alt.Y("py:Q").scale(None),
        shape=alt.Shape("status:N").legend(None),
        fillOpacity=_fill_if_reported(),
    )
    key_txt = key.mark_text(align="left", dx=0).encode(x=alt.value(22), y=alt.Y("py:Q").scale(None), text="label:N")
    # The reported net loss includes a non-cash charge (see the row's note); say so on the chart,
    # left of the point, in short lines (under it, the note ran into the revenue label on a phone).
    nl = df[(df.metric == "net loss") & (df.status == "reported")].assign(label="net loss incl.\na non-cash\ncharge")
    nl_label = (
        alt.Chart(nl)
        # Vega sets the first of the three lines at the anchor: lifted so they centre on the point.
        .mark_text(style="annotation", align="right", baseline="middle", dx=-10, dy=-17, lineBreak="\n", lineHeight=14)
        .encode(x=x, y=y, text="label:N")
    )
    layers = [dashed, solid, points, key_pts, key_txt, nl_label]
    rr = df[(df.metric == RUN_RATE) & (df.status == "reported")]
    if len(rr):
        r = rr[rr.year == rr.year.max()].iloc[0]
        mark = pd.DataFrame([{"year": int(r.year), "usd_billion": float(r.usd_billion), "py": 51}])
        label = f"run-rate, end of {int(r.year)}: ${r.usd_billion:.0f}bn"
        layers += [
            alt.Chart(mark)
            .mark_tick(style="key", orient="horizontal", size=14, thickness=2, opacity=1)
            .encode(x=x, y=y),
            alt.Chart(mark)
            .mark_tick(style="key", orient="horizontal", size=14, thickness=2, opacity=1)
            .encode(x=alt.value(10), y=alt.Y("py:Q").scale(None)),
            alt.Chart(mark)
            .mark_text(align="left")
            .encode(x=alt.value(22), y=alt.Y("py:Q").scale(None), text=alt.value(label)),
        ]
    flow = df[df.metric != RUN_RATE]
    # Revenue and operating loss end where other lines run on (operating loss in 2025, revenue in
    # 2026): their names sit above and left of their last points. On the wide view a reported
    # last figure (the 2025 operating loss, which the headline compares with revenue) is given.
    ends_early = [METRICS["revenue"], METRICS["operating loss"]]

    def wide(r) -> str:
        return f"{r.measure}: ${r.usd_billion:.1f}bn" if r.status == "reported" else r.measure

    def phone(r) -> str:
        return r.measure.replace(" ", "\n") if r.measure in ends_early else r.measure

    layers.append(
        end_labels(
            flow,
            "year",
            "usd_billion",
            "measure",
            color,
            (0, top),
            gap=0.08,
            text=wide,
            short=phone,
            above_left=ends_early,
        )
    )
    return alt.layer(*layers, data=df)


def key_numbers() -> str:
    df = _data()
    rep = df[df.status == "reported"]
    last = int(rep[rep.metric == "revenue"].year.max())
    r = rep[rep.year == last].set_index("metric").usd_billion
    proj = df[(df.metric == "cash burn") & (df.status == "projected")]
    far = proj[proj.year == proj.year.max()].iloc[0]
    return (
        f"By leaked accounts (OpenAI publishes none), in {last} OpenAI had revenue of "
        f"${fmt_num(r['revenue'])} billion, "
        f"an operating loss of ${fmt_num(r['operating loss'])} billion and a net loss of "
        f"${fmt_num(r['net loss'])} billion; projections reported by the press have annual cash burn reaching "
        f"${fmt_num(far.usd_billion, 0)} billion in {far.period}."
    )
