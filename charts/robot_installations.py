"""Industrial robot installations, China vs the other leading markets
China now installs more industrial robots each year than the rest of the world's leading markets
combined.
"""

import altair as alt

from charts._common import entity_color, fmt_int
from explainer.data import load

SOURCES = ["owid-robots-installed-aiindex2025", "ifr-wr2025-finanznachrichten"]
CREDIT = (
    "International Federation of Robotics, World Robotics; 2011–2023 as compiled in Stanford HAI's AI Index 2025"
    " and Our World in Data, 2024 from the World Robotics 2025 release"
)


def _latest() -> tuple[int, float, float]:
    """The latest year, China's share of the world total and the China/US ratio, from the data."""
    df = load("robot_installations")
    last = int(df.year.max())
    y = df[df.year == last].set_index("country").units
    return last, y["China"] / y["World"] * 100, y["China"] / y["United States"]


def build() -> alt.Chart:
    df = load("robot_installations")
    df = df[df.country != "World"]
    first, last = int(df.year.min()), int(df.year.max())
    _, share, ratio = _latest()
    base = alt.Chart(df)
    lines = base.mark_line(point=True).encode(
        x=alt.X("year:O").title(None).axis(labelAngle=0, values=list(range(first, last + 1, 2))),
        y=alt.Y("units:Q").title("Robots installed per year").axis(format="~s"),
        color=entity_color(df.country),
        tooltip=[
            alt.Tooltip("country:N", title="Country"),
            alt.Tooltip("year:O", title="Year"),
            alt.Tooltip("units:Q", title="Installed", format=","),
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("edition:N", title="Edition"),
        ],
    )
    # The two figures the essay leans on, next to the point they describe.
    label = (
        base.transform_filter((alt.datum.country == "China") & (alt.datum.year == last))
        .mark_text(
            align="right",
            baseline="bottom",
            dx=-6,
            dy=-8,
            fontWeight=600,
        )
        .encode(x="year:O", y="units:Q", text=alt.value(f"{last}: {share:.0f}% of the world, {ratio:.1f}× the US"))
    )
    return alt.layer(lines, label)


def key_numbers() -> str:
    df = load("robot_installations")
    last, share, ratio = _latest()
    y = df[df.year == last].set_index("country").units
    return (
        f"In {last} China installed {fmt_int(y['China'])} robots, {share:.0f}% of the world's {fmt_int(y['World'])}; "
        f"the United States installed {fmt_int(y['United States'])}, so China installed {ratio:.1f} times as many."
    )
