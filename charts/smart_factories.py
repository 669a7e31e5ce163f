"""China's smart factories by tier, as reported in 2025
Self-assessed basic-level smart factories outnumber all higher tiers combined about four to one, and
the count of advanced ones grew several times over during 2025.
"""

import altair as alt
import pandas as pd

from charts._common import fmt_int
from explainer.data import load

SOURCES = ["ceweekly-pioneer-factories-2026-02", "cns-hkcd-smart-factories-2025-02"]
CREDIT = (
    "China's Ministry of Industry and Information Technology (MIIT), as reported by China Economic "
    "Weekly, China News Service, Global Times and People's Daily"
)

_LOWER = "'over' or 'more than'"
_TIERS = ["total", "basic", "higher levels combined", "advanced", "excellence", "pioneer"]
_TIER_LABELS = {
    "total": "All tiers",
    "basic": "Basic (self-assessed)",
    "higher levels combined": "Higher tiers combined",
    "advanced": "Advanced",
    "excellence": "Excellence",
    "pioneer": "Pioneer",
}
# How each source is named in the legend: when it reported, and who.
_REPORTS = {
    "cns-hkcd-smart-factories-2025-02": "Feb 2025, China News Service",
    "globaltimes-miit-xin-guobin-2025-11": "Nov 2025, Global Times",
    "people-cn-pioneer-list-2025-11": "Nov 2025, People's Daily",
    "ceweekly-pioneer-factories-2026-02": "End of 2025, China Economic Weekly",
}


def _wording(row) -> str:
    n = fmt_int(row["factories"])
    return n if row["qualifier"] == "exactly" else f"{row['qualifier']} {n}"


def _data() -> pd.DataFrame:
    df = load("smart_factories")
    df = df[df.tier.isin(_TIERS)].copy()
    df["tier_label"] = df.tier.map(_TIER_LABELS)
    df["report"] = df.source.map(lambda s: _REPORTS.get(s, s))
    df["wording"] = df.apply(_wording, axis=1)
    df["bound"] = df.qualifier.map(lambda q: _LOWER if q in ("over", "more than") else "as stated")
    df["order"] = df.tier.map(_TIERS.index)
    df = df.sort_values(["order", "date", "source"]).drop(columns="order")
    cols = [
        "date",
        "report",
        "tier",
        "tier_label",
        "factories",
        "qualifier",
        "wording",
        "bound",
        "source",
        "status",
        "note",
    ]
    return df[cols].reset_index(drop=True)


def _ticks(lo: float, hi: float) -> list[float]:
    out, p = [], 1.0
    while p > lo:
        p /= 10
    while p <= hi * 10:
        out.append(p)
        p *= 10
    return out


def build() -> alt.Chart:
    df = _data()
    reports = [r for r in _REPORTS.values() if r in set(df.report)]
    tiers = [_TIER_LABELS[t] for t in _TIERS if t in set(df.tier)]
    lo, hi = float(df.factories.min()), float(df.factories.max())
    ticks = _ticks(lo, hi)
    x = (
        alt.X("factories:Q")
        .title("Factories (log scale)")
        .scale(type="log", domain=[ticks[0], ticks[-1]])
        .axis(format=",", values=ticks)
    )
    y = alt.Y("tier_label:N").sort(tiers).title(None)
    yoff = alt.YOffset("report:N").scale(domain=reports, paddingOuter=0.3)
    leg = dict(orient="bottom", title=None, direction="horizontal", columns=2, symbolType="circle")
    color = alt.Color("report:N").scale(domain=reports).legend(**leg)
    tooltip = [
        alt.Tooltip("tier_label:N", title="Tier"),
        alt.Tooltip("wording:N", title="Count as worded"),
        alt.Tooltip("report:N", title="Reported"),
        alt.Tooltip("date:N", title="As of"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("note:N", title="Note"),
    ]
    points = (
        alt.Chart()
        .mark_point(size=70, strokeWidth=2, opacity=1, filled=False)
        .encode(
            x=x,
            y=y,
            yOffset=yoff,
            stroke=alt.Stroke("report:N").scale(domain=reports).legend(**leg),
            fill=alt.condition(
                alt.datum.qualifier == "exactly",
                alt.Fill("report:N").scale(domain=reports).legend(**leg),
                alt.value("transparent"),
            ),
            shape=alt.Shape("bound:N")
            .scale(domain=["as stated", _LOWER], range=["circle", "triangle-right"])
            .legend(orient="top-left", title=None, direction="vertical", labelLimit=300),
            tooltip=tooltip,
        )
    )
    labels = (
        alt.Chart()
        .mark_text(align="left", dx=9, fontSize=10)
        .encode(
            x=x,
            y=y,
            yOffset=yoff,
            text="wording:N",
            color=color,
        )
    )
    return alt.layer(points, labels, data=df)


def key_numbers() -> str:
    df = _data()
    s = df.set_index(["report", "tier"])
    end = _REPORTS["ceweekly-pioneer-factories-2026-02"]
    feb = _REPORTS["cns-hkcd-smart-factories-2025-02"]
    basic, adv, exc, pio = (s.loc[(end, t)] for t in ("basic", "advanced", "excellence", "pioneer"))
    higher = adv.factories + exc.factories + pio.factories
    return (
        f"By the end of 2025, {basic.wording} basic-level factories, {adv.wording} advanced, {exc.wording} "
        f"excellence-level and {pio.wording} pioneers: the self-assessed basic tier is about "
        f"{basic.factories / higher:.0f} times all higher tiers together. In February 2025 the count of "
        f"advanced factories was {s.loc[(feb, 'advanced')].wording}."
    )
