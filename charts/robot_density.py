"""Robots per 10,000 factory workers
Measured against the size of the workforce, Korea is far ahead; by 2023 China had passed Germany and
Japan, with about 1.6 times the robot density of the United States.
"""

import altair as alt

from charts._common import entity_color
from explainer.data import load

SOURCES = ["ifr-density2023-koreaherald", "ifr-density2022-finanznachrichten"]
CREDIT = "International Federation of Robotics, World Robotics 2020–2024 robot density releases, as reported"


def _data():
    return load("robot_density").sort_values(["country", "year"]).reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O").title(None).axis(labelAngle=0),
            y=alt.Y("robots_per_10k_employees:Q").title("Robots per 10,000 manufacturing employees"),
            color=entity_color(df.country),
            tooltip=[
                alt.Tooltip("country:N", title="Country"),
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("robots_per_10k_employees:Q", title="Robots per 10,000 employees"),
                alt.Tooltip("edition:N", title="Edition"),
            ],
        )
    )


def key_numbers() -> str:
    df = _data()
    y = int(df.year.max())
    d = df[df.year == y].set_index("country").robots_per_10k_employees
    return (
        f"In {y}: Republic of Korea {d['Republic of Korea']:,}, China {d['China']:,}, Germany {d['Germany']:,}, "
        f"Japan {d['Japan']:,}, United States {d['United States']:,} robots per 10,000 manufacturing employees; "
        f"world average {d['World']:,}."
    )
