"""The house chart style, written once (as the FT and Our World in Data draw), and shared helpers.

A chart module gets the style by using these helpers:

- its docstring's takeaway is the chart's headline and `SUBTITLE` defines the measure and its
  unit (never the source: the page prints one source line under the figure);
- series are labelled at their line ends (`end_labels`) instead of a legend wherever they are few;
- colours are fixed site-wide: each country in `ENTITIES` always has the same colour
  (`entity_color`), categories that are not countries take the theme's neutral hues
  (`neutral_color`); annotations use the theme's styles ("annotation", "reference", "band",
  "break"), never a typed colour, so they hold in the dark scheme;
- axis numbers are written as readers say them (`axis_words`, `powers_of_ten`: "10 trillion",
  10²⁵, never "1e+25");
- partial years, preliminary values and series breaks are drawn and labelled in the figure
  (`series_break`, `partial_note`).
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

# The order is the theme's colour order (explainer/core/theme.py, range "category"): China, the
# United States, Japan, Korea, Germany and the world keep their colours on every chart.
ENTITIES = ["China", "United States", "Japan", "Republic of Korea", "Germany", "World"]
# How a line's end label names it (short enough to sit at the end of a line on a phone).
SHORT = {"United States": "US", "Republic of Korea": "S Korea"}
NARROW_BELOW = 450  # a view narrower than this (in pixels) is the phone variant: end labels drop their values


def entity_color(field: str = "country") -> alt.Color:
    """Colour by country, each country's colour fixed across charts; no legend (label the lines)."""
    return alt.Color(f"{field}:N").scale(domain=ENTITIES, range="category").legend(None)


def neutral_color(field: str, domain: list[str]) -> alt.Color:
    """Colour for categories that are not countries (measures, reports, kinds of figure): the
    theme's neutral hues, in the order given, so they never borrow a country's colour."""
    return alt.Color(f"{field}:N").scale(domain=list(domain), range="ordinal").legend(None)


def year_x(years, room: float = 0.0, every: int = 1, title: str | None = None) -> alt.X:
    """A year axis (quantitative, so lines can end short of the right edge): `room` is the share of
    the span left free on the right for end labels; ticks every `every` years, ending on the last."""
    years = sorted(int(y) for y in years)
    first, last = years[0], years[-1]
    span = max(1, last - first)
    ticks = list(range(last, first - 1, -every))[::-1]
    return (
        alt.X("year:Q")
        .title(title)
        .scale(domain=[first - 0.4, last + 0.4 + room * span], nice=False, zero=False)
        .axis(values=ticks, format="d", grid=False, labelAngle=0)
    )


def label_positions(values: list[float], lo: float, hi: float, gap: float = 0.075, log: bool = False) -> list[float]:
    """Where to put labels at line ends so they do not overprint: each stays as near its line's
    value as it can while keeping `gap` (a share of the axis) from its neighbours."""
    f = (lambda v: math.log10(v)) if log else (lambda v: v)
    inv = (lambda v: 10**v) if log else (lambda v: v)
    span = f(hi) - f(lo)
    step = gap * span
    order = sorted(range(len(values)), key=lambda i: f(values[i]))
    want = [f(values[i]) for i in order]
    floor, ceil = f(lo) + step / 3, f(hi) - step / 2
    # Blocks of labels that would overlap are moved together, centred on their lines' values.
    blocks: list[list[int]] = []
    for k in range(len(want)):
        blocks.append([k])
        while len(blocks) > 1:
            a, b = blocks[-2], blocks[-1]
            ca = _centre(want, a, step, floor, ceil)
            cb = _centre(want, b, step, floor, ceil)
            if ca + (len(a) - 1) * step / 2 + step <= cb - (len(b) - 1) * step / 2:
                break
            blocks[-2:] = [a + b]
    pos = [0.0] * len(want)
    for b in blocks:
        c = _centre(want, b, step, floor, ceil)
        for j, k in enumerate(b):
            pos[k] = c - (len(b) - 1) * step / 2 + j * step
    out = [0.0] * len(values)
    for k, i in enumerate(order):
        out[i] = inv(pos[k])
    return out


def _centre(want: list[float], block: list[int], step: float, floor: float, ceil: float) -> float:
    half = (len(block) - 1) * step / 2
    c = sum(want[k] for k in block) / len(block)
    return min(max(c, floor + half), ceil - half)


_LINE = 14  # px between the lines of a label of 12px text


def end_labels(
    df: pd.DataFrame,
    x: str,
    y: str,
    series: str,
    color: alt.Color,
    domain: tuple[float, float],
    text=None,
    log: bool = False,
    gap: float = 0.075,
    x_type: str = "Q",
    short=None,
    above_left=(),
) -> alt.Chart | alt.LayerChart:
    """One label per series at its last point, in the series' colour, spread so none overprints.
    `text(row)` gives the label on the wide view (default: the series' short name); the phone
    view shows the short name alone (`short(row)`), so the label stays inside the picture.

    A series that ends while another line runs on past its end (a line that stops in a year
    others go beyond) is named in `above_left`: its label sits above and left of its last point,
    clear of its own line coming up to it and of the lines to its right. Such labels may break
    into lines at "\n"."""
    last = df.sort_values(x).groupby(series, sort=False).tail(1).copy()
    last["wide_label"] = [text(r) if text else SHORT.get(str(r[series]), str(r[series])) for _, r in last.iterrows()]
    last["short_label"] = [short(r) if short else SHORT.get(str(r[series]), str(r[series])) for _, r in last.iterrows()]
    left = last[series].astype(str).isin([str(s) for s in above_left])
    right = last[~left].copy()
    right["label_y"] = label_positions(list(right[y].astype(float)), *domain, gap=gap, log=log)
    scale = alt.Scale(type="log") if log else alt.Undefined

    def layer(frame: pd.DataFrame, **mark) -> alt.Chart:
        return (
            alt.Chart(frame[[x, series, "label_y", "wide_label", "short_label"]])
            .transform_calculate(end_label=f"width < {NARROW_BELOW} ? datum.short_label : datum.wide_label")
            .mark_text(fontWeight=600, fontSize=12, **mark)
            .encode(
                x=alt.X(f"{x}:{x_type}"),
                y=alt.Y("label_y:Q", scale=scale),
                text="end_label:N",
                color=color,
            )
        )

    names = layer(right, align="left", dx=6)
    if not left.any():
        return names
    lifted = last[left].assign(label_y=lambda d: d[y].astype(float))
    # Vega sets a label's first line at its anchor and the others below it: a label of n lines
    # is lifted by n - 1 lines, so that its last line ends just above the point.
    lift = f"-7 - {_LINE} * (length(split(datum.end_label, '\\n')) - 1)"
    above = layer(lifted, align="right", baseline="bottom", dx=-5, dy=alt.expr(lift), lineBreak="\n", lineHeight=_LINE)
    return alt.layer(names, above)


def series_break(at: float, label: str, y: float, align: str = "right") -> alt.LayerChart:
    """A series break (a new edition, a change of method), drawn as a dotted rule at `at` on a
    quantitative x axis, with its label beside it at height `y`."""
    d = pd.DataFrame([{"at": at, "y": y, "label": label}])
    rule = alt.Chart(d).mark_rule(style="break").encode(x="at:Q")
    dx = -5 if align == "right" else 5
    note = (
        alt.Chart(d)
        .mark_text(style="annotation", align=align, baseline="top", dx=dx, lineBreak="\n")
        .encode(x="at:Q", y="y:Q", text="label:N")
    )
    return alt.layer(rule, note)


def words(v: float, unit: str = "") -> str:
    """A number as readers say it: 1,000; 100,000; 10 million; 1 billion; 10 trillion."""
    for size, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(v) >= size:
            n = v / size
            s = f"{n:,.0f}" if n >= 1 and abs(n - round(n)) < 1e-9 else f"{n:,.3g}"
            return f"{s} {name}{unit}"
    s = f"{v:,.0f}" if abs(v) >= 1 and abs(v - round(v)) < 1e-9 else f"{v:,.3g}"
    return f"{s}{unit}"


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def power_of_ten(v: float) -> str:
    return "10" + str(round(math.log10(v))).translate(SUPERSCRIPT)


def label_expr(labels: dict[float, str]) -> str:
    """A Vega label expression that writes each tick value with its own words."""
    expr = "datum.label"
    for v, text in sorted(labels.items(), reverse=True):
        safe = text.replace("\\", "\\\\").replace("'", "\\'")
        expr = f"abs(datum.value - {v!r}) <= {abs(v) * 1e-6!r} ? '{safe}' : {expr}"
    return expr


def axis_words(values: list[float], unit: str = "", scale: float = 1.0) -> dict:
    """Axis properties: ticks at `values`, written in words (`scale` converts an axis in, say,
    trillions to the number it stands for: scale=1e12)."""
    return {"values": values, "labelExpr": label_expr({v: words(v * scale, unit) for v in values})}


def powers_of_ten(values: list[float]) -> dict:
    """Axis properties: ticks at powers of ten, written 10²⁵."""
    return {"values": values, "labelExpr": label_expr({v: power_of_ten(v) for v in values})}


def fmt_power(v: float, digits: int = 1) -> str:
    """A very large or small number as readers read it: 3.8 × 10²⁵ (never "3.8e+25")."""
    mantissa, exponent = f"{v:.{digits}e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPT)}"


def fmt_int(v: float) -> str:
    return f"{v:,.0f}"


def fmt_num(v: float, digits: int = 1) -> str:
    return f"{v:,.{digits}f}"


# How Epoch AI's file names the two countries in its "countries" cell.
EPOCH_COUNTRY = {"United States": "United States of America", "China": "China"}


def models_by_year(first_year: int = 2014) -> pd.DataFrame:
    """AI models per year and country: how many Epoch marks notable, and the largest training run
    among the models with a compute estimate. A model with developers in both countries counts for each."""
    from explainer.core.data import load

    df = load("ai_models")
    df["year"] = pd.to_datetime(df.date).dt.year
    df["compute"] = pd.to_numeric(df.training_compute_flop, errors="coerce")
    rows = []
    for country, cell in EPOCH_COUNTRY.items():
        mine = df[df.countries.astype(str).str.contains(cell, regex=False) & (df.year >= first_year)]
        for year, g in mine.groupby("year"):
            top = g.loc[g.compute.idxmax()] if g.compute.notna().any() else None
            rows.append(
                {
                    "year": int(year),
                    "country": country,
                    "notable_models": int((g.notability.fillna("") != "").sum()),
                    "models_with_compute": int(g.compute.notna().sum()),
                    "largest_compute_flop": None if top is None else float(top.compute),
                    "largest_model": None if top is None else top.model,
                    "source": g.source.iloc[0],
                }
            )
    return pd.DataFrame(rows)
