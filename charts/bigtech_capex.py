"""Big Tech capital spending: reported and guided
Alphabet, Amazon and Meta have guided to capital spending well above their latest reported year.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import end_labels, fmt_int, neutral_color

SOURCES = ["anchor-research-msft-10k-fy2025", "apresai-amazon-q4-2025-release"]
CREDIT = "Alphabet, Amazon, Meta and Microsoft: annual reports, results releases and calls"
SUBTITLE = "Capital expenditure in a year, US$ billion; Microsoft's years are fiscal years to June"

COMBINED = "Big Four combined"
COMPANIES = ["Alphabet", "Amazon", "Meta", "Microsoft"]
_DODGE = 0.09  # horizontal offset between companies in one year, in years


def _data() -> pd.DataFrame:
    """Per-company rows plotted: every reported year, plus guidance for years not yet reported.

    Rule: a guidance row is kept only when the same company has no reported figure for that
    year (so superseded early guidance, e.g. for a year now reported, stays out of the chart).
    The combined totals are press sums on mixed definitions; they are left out (see key_numbers).
    """
    df = load("bigtech_capex")
    df = df[df.company != COMBINED]
    reported = set(zip(df[df.basis == "reported"].company, df[df.basis == "reported"].year))
    keep = (df.basis == "reported") | ~pd.Series(
        [(c, y) in reported for c, y in zip(df.company, df.year)], index=df.index
    )
    df = df[keep].copy()
    df["kind"] = df.basis.map(lambda b: "Reported" if b == "reported" else "Guidance")
    df["period"] = df.company.map(lambda c: "fiscal year to June" if c == "Microsoft" else "calendar year")
    return df.sort_values(["company", "year", "basis"]).reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    years = sorted(int(y) for y in df.year.unique())
    guide_years = sorted(int(y) for y in df[df.kind == "Guidance"].year.unique())
    scale = alt.Scale(domain=[years[0] - 0.4, years[-1] + 0.4], nice=False, zero=False)
    scale = alt.Scale(domain=[years[0] - 0.4, years[-1] + 0.4 + 0.3 * (years[-1] - years[0])], nice=False, zero=False)
    x = alt.X("x:Q").title(None).scale(scale).axis(values=years, format="d", grid=False)
    top = float(df.usd_billion.max()) * 1.08
    y = alt.Y("usd_billion:Q").title(None).scale(domain=[0, top], nice=False)
    color = neutral_color("company", COMPANIES)
    tooltip = [
        alt.Tooltip("company:N", title="Company"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("basis:N", title="Basis"),
        alt.Tooltip("usd_billion:Q", title="US$ billion", format=",.1f"),
        alt.Tooltip("note:N", title="Note"),
    ]

    band = alt.Chart(
        pd.DataFrame(
            {
                "x0": [g - 0.5 for g in guide_years],
                "x1": [g + 0.4 for g in guide_years],
                "label": ["Guidance" for _ in guide_years],
            }
        )
    )
    shade = band.mark_rect(style="band").encode(x=alt.X("x0:Q").scale(scale), x2="x1:Q")
    shade_label = band.mark_text(
        style="annotation", align="left", baseline="bottom", dx=6, dy=-4, fontStyle="italic"
    ).encode(x=alt.X("x0:Q").scale(scale), y=alt.value({"expr": "height"}), text="label:N")

    # Companies side by side within a year (plotting position only, not a column of the table); the
    # connector runs from each company's last reported year to its guidance.
    offsets = "[" + ", ".join(str(round((i - 1.5) * _DODGE, 3)) for i in range(len(COMPANIES))) + "]"
    names = "[" + ", ".join(f"'{c}'" for c in COMPANIES) + "]"
    place = [
        alt.CalculateTransform(calculate=f"datum.year + {offsets}[indexof({names}, datum.company)]", **{"as": "x"}),
        alt.CalculateTransform(calculate="datum.kind == 'Reported' ? datum.year : null", **{"as": "rep_year"}),
        alt.JoinAggregateTransform(
            joinaggregate=[alt.JoinAggregateFieldDef(op="max", field="rep_year", **{"as": "last_rep"})],
            groupby=["company"],
        ),
        alt.CalculateTransform(
            calculate="datum.kind == 'Guidance' || datum.year == datum.last_rep", **{"as": "connect"}
        ),
    ]

    def chart():
        c = alt.Chart()
        c.transform = list(place)
        return c

    rep = chart().transform_filter("datum.kind == 'Reported'")
    rep_line = rep.mark_line().encode(x=x, y=y, color=color)
    rep_pts = rep.mark_point(filled=True, size=60, opacity=1).encode(x=x, y=y, color=color, tooltip=tooltip)

    connector = (
        chart()
        .transform_filter("datum.connect")
        .mark_line(strokeDash=[4, 4], strokeWidth=1.5)
        .encode(x=x, y=alt.Y("mean(usd_billion):Q"), color=color, detail="company:N")
    )
    ranges = chart().transform_filter("datum.basis == 'guidance low' || datum.basis == 'guidance high'")
    range_bar = ranges.mark_rule(strokeWidth=7, opacity=0.45).encode(
        x=x, y=alt.Y("min(usd_billion):Q"), y2=alt.Y2("max(usd_billion):Q"), color=color
    )
    guide_pts = (
        chart()
        .transform_filter("datum.kind == 'Guidance'")
        .mark_point(filled=False, size=60, strokeWidth=2, opacity=1)
        .encode(x=x, y=y, color=color, tooltip=tooltip)
    )

    # Each company named at its last figure (the top of a guidance range).
    last = df.sort_values("year").groupby("company").tail(2)
    last = last[last.year == last.company.map(df.groupby("company").year.max())]
    last = last.groupby("company", as_index=False).agg(year=("year", "max"), usd_billion=("usd_billion", "max"))
    last["x"] = last.year + 0.25
    names_layer = end_labels(last, "x", "usd_billion", "company", color, (0, top), gap=0.08)
    return alt.layer(shade, shade_label, rep_line, connector, range_bar, rep_pts, guide_pts, names_layer, data=df)


def key_numbers() -> str:
    df = _data()
    rep = df[df.kind == "Reported"]
    last = int(rep[rep.company != "Microsoft"].year.max())
    r = rep[rep.year == last].set_index("company").usd_billion
    g = df[df.kind == "Guidance"]
    gy = int(g.year.max())
    hi = g.groupby("company").usd_billion.max()
    lo = g.groupby("company").usd_billion.min()
    parts = [f"{c} ${fmt_int(lo[c])}{'' if lo[c] == hi[c] else '–' + fmt_int(hi[c])} billion" for c in hi.index]
    tail = ""
    return (
        f"Reported {last} capital expenditure: "
        + ", ".join(f"{c} ${fmt_int(r[c])} billion" for c in r.index)
        + f" (Microsoft: fiscal year to June). Guidance for {gy}: "
        + ", ".join(parts)
        + tail
        + "."
    )
