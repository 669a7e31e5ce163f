"""Industrial robot installations, China vs the other leading markets
China now installs more industrial robots each year than the other leading markets combined.
"""

import altair as alt

from explainer.core.data import load

from ._common import axis_words, end_labels, entity_color, fmt_int, series_break, year_x

SOURCES = ["owid-robots-installed-aiindex2025", "ifr-wr2025-finanznachrichten"]
CREDIT = (
    "International Federation of Robotics, World Robotics; 2011–2023 as compiled in Stanford HAI's AI Index 2025"
    " and Our World in Data, 2024 from the World Robotics 2025 release"
)
SUBTITLE = "Industrial robots installed in a year"
BREAK = "2024: World Robotics 2025"  # the schema's declared edition break (robot_installations.schema.yaml)


def _latest() -> tuple[int, float, float]:
    """The latest year, China's share of the world total and the China/US ratio, from the data."""
    df = load("robot_installations")
    last = int(df.year.max())
    y = df[df.year == last].set_index("country").units
    return last, y["China"] / y["World"] * 100, y["China"] / y["United States"]


def build() -> alt.Chart:
    df = load("robot_installations")
    df = df[df.country != "World"]
    last = int(df.year.max())
    _, share, ratio = _latest()
    top = float(df.units.max()) * 1.08
    ticks = [0, 100_000, 200_000, 300_000]
    x = year_x(df.year, room=0.28, every=3)
    y = alt.Y("units:Q").title(None).scale(domain=[0, top], nice=False).axis(**axis_words(ticks))
    color = entity_color()
    tooltip = [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("units:Q", title="Installed", format=","),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("edition:N", title="Edition"),
    ]
    base = alt.Chart(df)
    lines = base.mark_line(point=alt.OverlayMarkDef(size=22)).encode(x=x, y=y, color=color, tooltip=tooltip)
    # The two figures the essay leans on, in the empty top-left corner (China's line rises through
    # it only after 2017; next to China's last point the label sat on the 2022 and 2023 points).
    label = (
        alt.Chart()
        .mark_text(align="left", baseline="top", fontWeight=600, lineBreak="\n", lineHeight=15)
        .encode(
            x=alt.value(6),
            y=alt.value(2),
            text=alt.value(f"China in {last}:\n{share:.0f}% of the world,\n{ratio:.1f}× the US"),
        )
    )
    names = end_labels(df, "year", "units", "country", color, (0, top))
    # The break's label in three short lines, under China's line and over the others.
    brk = series_break(last - 0.5, BREAK.replace(": ", ":\n").replace("Robotics ", "Robotics\n"), top * 0.42)
    return alt.layer(lines, brk, label, names)


def key_numbers() -> str:
    df = load("robot_installations")
    last, share, ratio = _latest()
    y = df[df.year == last].set_index("country").units
    others = sum(y[c] for c in ("United States", "Japan", "Republic of Korea", "Germany"))
    return (
        f"In {last} China installed {fmt_int(y['China'])} robots, {share:.0f}% of the world's {fmt_int(y['World'])}; "
        f"the United States, Japan, South Korea and Germany together installed {fmt_int(others)}; "
        f"the United States installed {fmt_int(y['United States'])}, so China installed {ratio:.1f} times as many. "
        f"The {last} figures come from the World Robotics {last + 1} release, earlier years from one earlier revision."
    )
