"""Helpers the chart modules share: entity colours in a fixed order, number formats."""

from __future__ import annotations

import altair as alt
import pandas as pd

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


# How Epoch AI's file names the two countries in its "countries" cell.
EPOCH_COUNTRY = {"United States": "United States of America", "China": "China"}


def models_by_year(first_year: int = 2014) -> pd.DataFrame:
    """AI models per year and country: how many Epoch marks notable, and the largest training run.
    A model with developers in both countries counts for each."""
    from explainer.data import load

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
                    "largest_compute_flop": None if top is None else float(top.compute),
                    "largest_model": None if top is None else top.model,
                    "source": g.source.iloc[0],
                }
            )
    return pd.DataFrame(rows)
