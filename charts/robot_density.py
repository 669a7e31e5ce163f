"""Robots per 10,000 factory workers
South Korea is far ahead; by 2023 China had passed Germany and Japan, with about 1.6 times the robot
density of the United States.
"""

import altair as alt

from explainer.core.data import load

from ._common import axis_words, end_labels, entity_color, year_x

SOURCES = ["ifr-density2023-koreaherald", "ifr-density2019-robohub"]
CREDIT = "International Federation of Robotics, World Robotics 2020–2024 robot density releases, as reported"
SUBTITLE = "Industrial robots in use per 10,000 employees in manufacturing"
# The declared edition break (robot_density.schema.yaml): every year from its own release.
BREAK = "each year as first published, in the next year's World Robotics"


def _data():
    return load("robot_density").sort_values(["country", "year"]).reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    top = float(df.robots_per_10k_employees.max()) * 1.05
    x = year_x(df.year, room=0.45)
    y = (
        alt.Y("robots_per_10k_employees:Q")
        .title(None)
        .scale(domain=[0, top], nice=False)
        .axis(**axis_words([0, 250, 500, 750, 1000]))
    )
    color = entity_color()
    tooltip = [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("robots_per_10k_employees:Q", title="Robots per 10,000 employees"),
        alt.Tooltip("edition:N", title="Edition"),
    ]
    lines = alt.Chart(df).mark_line(point=True).encode(x=x, y=y, color=color, tooltip=tooltip)
    names = end_labels(
        df,
        "year",
        "robots_per_10k_employees",
        "country",
        color,
        (0, top),
        text=lambda r: f"{_short(r.country)} {r.robots_per_10k_employees:,}",
        gap=0.065,
    )
    first = int(df.year.min())
    missing = sorted({"China", "United States"} - set(df[df.year == first].country))
    note = f"Each year as first published, in the next year's World Robotics{_later(df)}. {first}: no figure for " + (
        " or ".join("the US" if m == "United States" else m for m in missing) + " in the release read."
    )
    foot = (
        alt.Chart(df.head(1))
        .mark_text(style="annotation", align="left", baseline="top", lineBreak="\n")
        .encode(x=alt.value(4), y=alt.datum(top * 0.8), text=alt.value(_wrap(note, 44)))
    )
    return alt.layer(lines, names, foot)


def _later(df) -> str:
    """Figures read only in a release later than the next year's, named for the note."""
    edition_year = df.edition.str.extract(r"(\d{4})")[0].astype(int)
    late = df[edition_year > df.year + 1]
    return "".join(f", except the {_short(r.country)} {r.year} figure, from {r.edition}" for r in late.itertuples())


def _short(country: str) -> str:
    return {"United States": "US", "Republic of Korea": "South Korea"}.get(country, country)


def _wrap(text: str, chars: int) -> str:
    from explainer.core.theme import wrap

    return "\n".join(wrap(text, chars))


def key_numbers() -> str:
    df = _data()
    y = int(df.year.max())
    d = df[df.year == y].set_index("country").robots_per_10k_employees
    return (
        f"In {y}: South Korea {d['Republic of Korea']:,}, China {d['China']:,}, Germany {d['Germany']:,}, "
        f"Japan {d['Japan']:,}, United States {d['United States']:,} robots per 10,000 manufacturing employees; "
        f"world average {d['World']:,}. Each year's figures are as first published, in the next year's release"
        f"{_later(df)}."
    )
