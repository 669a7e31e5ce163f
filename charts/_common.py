"""Helpers the chart modules share: entity colours in a fixed order, number formats."""

from __future__ import annotations

import altair as alt

# The order matters: every chart that colours by country lists its entities in this order,
# so China and the United States keep their colours from chart to chart.
ENTITIES = ["China", "United States", "Japan", "Republic of Korea", "Germany", "World"]


def entity_color(present, title=None, orient="bottom") -> alt.Color:
    """Colour by country, with each country's colour fixed across charts (theme.ENTITIES order)."""
    domain = [e for e in ENTITIES if e in set(present)]
    rest = sorted(set(present) - set(domain))
    return (
        alt.Color("country:N")
        .scale(domain=domain + rest)
        .legend(orient=orient, title=title, direction="horizontal", columns=3)
    )


def fmt_int(v: float) -> str:
    return f"{v:,.0f}"


def fmt_num(v: float, digits: int = 1) -> str:
    return f"{v:,.{digits}f}"
