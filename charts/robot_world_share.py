"""China's share of world industrial robot installations
China has installed more than half of the world's new industrial robots every year since 2021, up
from about one in seven in 2012.
"""

import altair as alt
import pandas as pd

from explainer.core.data import load

from ._common import entity_color, fmt_int

SOURCES = ["owid-robots-installed-aiindex2025", "ifr-wr2025-finanznachrichten"]
CREDIT = (
    "International Federation of Robotics, World Robotics; 2012–2023 as compiled in Stanford HAI's AI Index 2025"
    " and Our World in Data, 2024 from the World Robotics 2025 release"
)

SUBTITLE = "Industrial robots installed in China, as a share of the world total (%)"
BREAK = "2024: World Robotics 2025"  # the declared edition break (robot_installations.schema.yaml)

_APPROX = ("preliminary", "estimated")
_BASIS = ["both figures reported", "uses a preliminary or approximate figure"]


def _data() -> pd.DataFrame:
    df = load("robot_installations")
    cn = df[df.country == "China"].set_index("year")
    w = df[df.country == "World"].set_index("year")
    years = sorted(set(cn.index) & set(w.index))
    out = pd.DataFrame(
        {
            "year": years,
            "country": "China",
            "china_units": [cn.loc[y, "units"] for y in years],
            "world_units": [w.loc[y, "units"] for y in years],
            "edition": [cn.loc[y, "edition"] for y in years],
            "edition_2": [w.loc[y, "edition"] for y in years],
            "source": [cn.loc[y, "source"] for y in years],
            "source_2": [w.loc[y, "source"] for y in years],
            "status": [cn.loc[y, "status"] for y in years],
            "status_2": [w.loc[y, "status"] for y in years],
            "note": [cn.loc[y, "note"] for y in years],
        }
    )
    out["share_pct"] = (out.china_units.astype(float) / out.world_units.astype(float) * 100).round(1)
    approx = out.status.isin(_APPROX) | out.status_2.isin(_APPROX)
    out["basis"] = [_BASIS[1] if a else _BASIS[0] for a in approx]
    cols = [
        "year",
        "country",
        "share_pct",
        "china_units",
        "world_units",
        "basis",
        "edition",
        "edition_2",
        "source",
        "source_2",
        "status",
        "status_2",
        "note",
    ]
    return out[cols]


def build() -> alt.Chart:
    df = _data()
    first, last = int(df.year.min()), int(df.year.max())
    x = (
        alt.X("year:O")
        .title(None)
        .axis(labelAngle=0, values=list(range(first, last + 1, 2)) + ([last] if (last - first) % 2 else []))
    )
    y = alt.Y("share_pct:Q").title(None).scale(domain=[0, 100]).axis(values=[0, 25, 50, 75, 100], format="d")
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=x,
            y=y,
            color=entity_color(),
            opacity=alt.Opacity("basis:N").scale(domain=_BASIS, range=[1, 0.45]).legend(None),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("share_pct:Q", title="China's share (%)", format=".1f"),
                alt.Tooltip("china_units:Q", title="China installed", format=","),
                alt.Tooltip("world_units:Q", title="World installed", format=","),
                alt.Tooltip("status:N", title="Status (China)"),
                alt.Tooltip("status_2:N", title="Status (World)"),
                alt.Tooltip("edition:N", title="Edition (China)"),
                alt.Tooltip("edition_2:N", title="Edition (World)"),
            ],
        )
    )
    one = alt.datum.year == last  # one mark, not one per row
    half = alt.Chart().transform_filter(one).mark_rule(style="reference").encode(y=alt.datum(50))
    half_label = (
        alt.Chart()
        .transform_filter(one)
        .mark_text(style="annotation", align="left", baseline="top", dx=4, dy=4)
        .encode(x=alt.value(0), y=alt.datum(50), text=alt.value("Half of world installations"))
    )
    layers = [bars, half, half_label]
    if (df.basis == _BASIS[1]).any():  # the key only when a faded bar is drawn
        layers.append(
            alt.Chart()
            .transform_filter(one)
            .mark_text(style="annotation", align="left", baseline="top", dx=4, dy=4)
            .encode(
                x=alt.value(0), y=alt.value(0), text=alt.value("Faded bars use a preliminary or approximate figure")
            )
        )
    # The step to the last year crosses two editions of World Robotics: say so over its bar.
    brk = (
        alt.Chart()
        .transform_filter(one)
        .mark_text(style="annotation", align="right", baseline="bottom", dx=-14, dy=-10, lineBreak="\n")
        .encode(x=x, y=y, text=alt.value(BREAK.replace(": ", ":\n")))
    )
    latest = (
        alt.Chart()
        .mark_text(baseline="bottom", dy=-5, fontSize=12, fontWeight=600)
        .encode(
            x=x,
            y=y,
            text=alt.Text("share_pct:Q", format=".0f"),
        )
        .transform_filter(alt.datum.year == last)
        .transform_calculate(label="format(datum.share_pct, '.0f') + '%'")
        .encode(text="label:N")
    )
    return alt.layer(*layers, brk, latest, data=df)


def key_numbers() -> str:
    df = _data().set_index("year")
    first, last = int(df.index.min()), int(df.index.max())
    r0, r1 = df.loc[first], df.loc[last]
    peak = int(df.share_pct.astype(float).idxmax())
    over = df[df.share_pct > 50].index
    since = int(over.min()) if len(over) and all(y in over for y in range(int(over.min()), last + 1)) else None
    out = (
        f"China installed {fmt_int(r1.china_units)} of the world's {fmt_int(r1.world_units)} "
        f"industrial robots in {last} ({r1.share_pct:.0f}%), "
        f"against {fmt_int(r0.china_units)} of {fmt_int(r0.world_units)} in {first} ({r0.share_pct:.0f}%)."
    )
    if since is not None:
        peak_pct = df.loc[peak].share_pct
        out += f" Its share has been above half every year since {since}, peaking at {peak_pct:.0f}% in {peak}."
    return out
