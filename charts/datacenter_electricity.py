"""US data-centre electricity use
Berkeley Lab estimates US data-centre electricity use tripled from 2014 to 2023 and could roughly
double to more than triple again by 2028; other estimates differ.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import end_labels, fmt_int, neutral_color

SOURCES = ["lbnl-2024-miragenews", "rystad-2025-datacenters-globalenergyprize"]
CREDIT = (
    "Lawrence Berkeley National Laboratory, 2024 US Data Center Energy Usage Report; International Energy"
    " Agency, Energy and AI (2025); Rystad Energy"
)

SUBTITLE = "Electricity used by data centres in the United States, terawatt-hours a year (a billion kilowatt-hours)"

_FAMILIES = ["Berkeley Lab (LBNL)", "IEA", "Rystad Energy"]
_KINDS = ["estimate", "projection or scenario"]


def _family(scenario: str) -> str:
    if "IEA" in scenario:
        return "IEA"
    if "Rystad" in scenario:
        return "Rystad Energy"
    return "Berkeley Lab (LBNL)"


def _data() -> pd.DataFrame:
    df = load("datacenter_electricity")
    df = df[(df.region == "United States") & (df.measure == "consumption")].copy()
    df["family"] = df.scenario.astype(str).map(_family)
    df = df[df.family.isin(_FAMILIES)]
    df["kind"] = df.status.map(lambda s: _KINDS[1] if s == "projected" else _KINDS[0])
    cols = ["year", "family", "scenario", "kind", "value", "unit", "source", "status", "note"]
    return df[cols].sort_values(["family", "year", "scenario"]).reset_index(drop=True)


def _lbnl_last(df: pd.DataFrame) -> pd.Series:
    hist = df[(df.family == _FAMILIES[0]) & (df.kind == _KINDS[0])]
    return hist.loc[hist.year.idxmax()]


def _lbnl_range(df: pd.DataFrame) -> pd.DataFrame:
    """The LBNL low/high 2028 scenarios, each drawn from the last LBNL estimate."""
    last = _lbnl_last(df)
    rows = []
    for scen in ("LBNL low", "LBNL high"):
        r = df[df.scenario == scen].iloc[0]
        rows += [
            {"scenario": scen, "year": int(last.year), "value": float(last.value)},
            {"scenario": scen, "year": int(r.year), "value": float(r.value)},
        ]
    return pd.DataFrame(rows)


def _band(df: pd.DataFrame) -> pd.DataFrame:
    last = _lbnl_last(df)
    lo = df[df.scenario == "LBNL low"].iloc[0]
    hi = df[df.scenario == "LBNL high"].iloc[0]
    return pd.DataFrame(
        {
            "year": [int(last.year), int(lo.year)],
            "lo": [float(last.value), float(lo.value)],
            "hi": [float(last.value), float(hi.value)],
            "family": [_FAMILIES[0]] * 2,
        }
    )


def build() -> alt.Chart:
    df = _data()
    first, last = int(df.year.min()), int(df.year.max())
    ticks = list(range(last, first - 1, -2))[::-1]  # an even step, ending on the last year
    room = 0.3 * (last - first)
    x = (
        alt.X("year:Q")
        .title(None)
        .scale(domain=[first - 0.5, last + room], nice=False)
        .axis(format="d", values=ticks, grid=False)
    )
    color = neutral_color("family", _FAMILIES)
    top = float(df.value.max()) * 1.08
    tooltip = [
        alt.Tooltip("scenario:N", title="Estimate or scenario"),
        alt.Tooltip("family:N", title="By"),
        alt.Tooltip("year:Q", title="Year", format="d"),
        alt.Tooltip("value:Q", title="TWh", format=","),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("note:N", title="Note"),
    ]

    dash = (
        alt.StrokeDash("kind:N")
        .scale(domain=_KINDS, range=[[1, 0], [5, 4]])
        .legend(orient="top-left", title=None, direction="vertical")
    )
    band = alt.Chart(_band(df)).mark_area(opacity=0.15).encode(x=x, y=alt.Y("lo:Q"), y2="hi:Q", color=color)
    edges = (
        alt.Chart(_lbnl_range(df))
        .mark_line(strokeWidth=1.8)
        .encode(
            x=x,
            y="value:Q",
            detail="scenario:N",
            color=color,
            strokeDash=dash,
        )
        .transform_calculate(family=f"'{_FAMILIES[0]}'", kind=f"'{_KINDS[1]}'")
    )
    hist_lines = (
        alt.Chart()
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("value:Q").title(None).scale(domain=[0, top], nice=False),
            color=color,
            strokeDash=dash,
        )
        .transform_filter(alt.datum.kind == _KINDS[0])
    )
    points = (
        alt.Chart()
        .mark_point(size=60, strokeWidth=2, opacity=1, filled=False)
        .encode(
            x=x,
            y="value:Q",
            stroke=alt.Stroke("family:N").scale(domain=_FAMILIES, range="ordinal").legend(None),
            fill=alt.condition(
                alt.datum.kind == _KINDS[0],
                alt.Fill("family:N").scale(domain=_FAMILIES, range="ordinal").legend(None),
                alt.value("transparent"),
            ),
            tooltip=tooltip,
        )
    )
    proj = alt.datum.kind == _KINDS[1]
    # A projection before the last year is labelled under its point: to its right stands the
    # family's name, which on a phone comes within a few pixels of the point.
    labels_r = (
        alt.Chart()
        .mark_text(align="center", baseline="top", dy=9, fontSize=11)
        .encode(
            x=x,
            y="value:Q",
            text=alt.Text("value:Q", format=","),
            color=color,
        )
        .transform_filter(proj & (alt.datum.year < last))
    )
    labels_l = (
        alt.Chart()
        .mark_text(align="right", dx=-8, fontSize=11)
        .encode(
            x=x,
            y="value:Q",
            text=alt.Text("value:Q", format=","),
            color=color,
        )
        .transform_filter(proj & (alt.datum.year == last))
    )
    # The two Berkeley Lab estimates the headline compares ("tripled"), labelled.
    lb = df[(df.family == _FAMILIES[0]) & (df.kind == _KINDS[0])]
    ends = lb[lb.year.isin([lb.year.min(), lb.year.max()])].assign(
        end_label=lambda d: [f"{int(y)}: {v:,.0f}" for y, v in zip(d.year, d.value)]
    )
    hist_labels = alt.layer(
        *[
            alt.Chart(ends.iloc[[i]])
            .mark_text(align=a, baseline="bottom", dx=d, dy=-8, fontSize=11, fontWeight=600)
            .encode(x=x, y="value:Q", text="end_label:N", color=color)
            for i, a, d in ((0, "left", -4), (-1, "right", -6))
        ]
    )
    # Each family named at its last figure.
    tips = df.sort_values("year").groupby("family").tail(1).copy()
    lo = df[df.scenario == "LBNL low"]
    if len(lo):  # Berkeley Lab's range is named at its middle
        hi = df[df.scenario == "LBNL high"].iloc[0]
        tips.loc[tips.family == _FAMILIES[0], "value"] = (float(lo.iloc[0].value) + float(hi.value)) / 2
    tips["year"] = tips.year + room * 0.2
    names = end_labels(
        tips,
        "year",
        "value",
        "family",
        color,
        (0, top),
        text=lambda r: {"Berkeley Lab (LBNL)": "Berkeley Lab\nscenarios"}.get(r.family, r.family),
        short=lambda r: {"Berkeley Lab (LBNL)": "Berkeley\nLab", "Rystad Energy": "Rystad"}.get(r.family, r.family),
    ).mark_text(align="left", dx=7, fontWeight=600, fontSize=12, lineBreak="\n")
    layers = [band, edges, hist_lines, points, labels_r, labels_l, hist_labels, names]
    return alt.layer(*layers, data=df).resolve_scale(color="shared")


def key_numbers() -> str:
    df = _data()
    lbnl = df[(df.family == _FAMILIES[0]) & (df.kind == _KINDS[0])].set_index("year").value
    y0, y1 = int(lbnl.index.min()), int(lbnl.index.max())
    lo = df[df.scenario == "LBNL low"].iloc[0]
    hi = df[df.scenario == "LBNL high"].iloc[0]
    iea_e = df[(df.family == "IEA") & (df.kind == _KINDS[0])].iloc[0]
    ry = df[(df.family == "Rystad Energy") & (df.year == y1)].iloc[0]
    return (
        f"Berkeley Lab puts US data-centre use at {fmt_int(lbnl[y0])} TWh in {y0} and {fmt_int(lbnl[y1])} TWh in {y1}, "
        f"rising to {fmt_int(lo.value)}–{fmt_int(hi.value)} TWh by {int(lo.year)} in its scenarios; "
        f"the IEA estimates {fmt_int(iea_e.value)} TWh in {int(iea_e.year)}, "
        f"while Rystad Energy's {y1} estimate is {fmt_int(ry.value)} TWh. "
        "A terawatt-hour (TWh) is a billion kilowatt-hours."
    )
