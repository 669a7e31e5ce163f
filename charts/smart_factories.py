"""China's smart factories by tier, as reported in 2025
Self-assessed basic-level smart factories outnumber all higher tiers combined about four to one, and
the count of advanced ones grew several times over during 2025.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import axis_words, fmt_int

SOURCES = ["ceweekly-pioneer-factories-2026-02", "cns-hkcd-smart-factories-2025-02"]
CREDIT = (
    "China's Ministry of Industry and Information Technology (MIIT), as reported by China Economic "
    "Weekly, China News Service, Global Times and People's Daily"
)

SUBTITLE = (
    "Smart factories by tier at the end of 2025, on a linear scale; ticks mark the counts reported in "
    "February and November 2025. Most counts are floors ('over 35,000')"
)
END = "ceweekly-pioneer-factories-2026-02"  # the end-of-2025 report the bars draw

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


def build() -> alt.Chart:
    df = _data()
    end = df[df.source == END]
    tiers = [_TIER_LABELS[t] for t in _TIERS if t in set(end.tier)]
    hi = float(df.factories.max())
    x = (
        alt.X("factories:Q")
        .title(None)
        .scale(domain=[0, hi * 1.05], nice=False)
        .axis(**axis_words([0, 10_000, 20_000, 30_000]), grid=True)
    )
    y = alt.Y("tier_label:N").sort(tiers).title(None).axis(labelLimit=0)
    tooltip = [
        alt.Tooltip("tier_label:N", title="Tier"),
        alt.Tooltip("wording:N", title="Count as worded"),
        alt.Tooltip("report:N", title="Reported"),
        alt.Tooltip("date:N", title="As of"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("note:N", title="Note"),
    ]
    is_end = f"datum.source == '{END}'"
    bars = alt.Chart().transform_filter(is_end).mark_bar(size=18).encode(x=x, y=y, tooltip=tooltip)
    # Counts beside their bar; the longest inside it (from its start, clear of the ticks), so it
    # stays in the picture on a phone.
    inside = f"datum.factories > {hi * 0.5}"
    values = alt.layer(
        alt.Chart()
        .transform_filter(f"{is_end} && !({inside})")
        .mark_text(align="left", dx=5, fontWeight=600)
        .encode(x=x, y=y, text="wording:N"),
        alt.Chart()
        .transform_filter(f"{is_end} && {inside}")
        .mark_text(style="inside", align="left", dx=6, fontWeight=600)
        .encode(x=alt.datum(0), y=y, text="wording:N"),
    )
    # Earlier counts of the same tier, where they differ from the end of the year: growth in 2025.
    finals = end.set_index("tier").factories.to_dict()
    earlier = df[(df.source != END) & (df.factories != df.tier.map(finals))].copy()
    earlier["when"] = earlier.date.map(lambda d: {"02": "Feb", "11": "Nov"}.get(str(d)[5:7], str(d)))
    ticks = (
        alt.Chart(earlier)
        .mark_tick(style="key", orient="vertical", size=26, thickness=2, opacity=1)
        .encode(x=x, y=y, tooltip=tooltip)
    )
    when = alt.Chart(earlier).mark_text(style="annotation", baseline="bottom", dy=-14).encode(x=x, y=y, text="when:N")
    return alt.layer(bars, ticks, values, when, data=df)


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
