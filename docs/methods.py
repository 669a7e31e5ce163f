# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Methods
#
# This page is a notebook, run afresh whenever the data or the code change. It reads the
# datasets through the same loader as the charts (`explainer.core.data`), derives the ratios the essay
# quotes, and shows how a claim's verdict is computed. No figure of the data is typed in by hand
# (only the essay's own words and the ledger's written reasons, quoted beside them): change a
# value in `data/` and every number below, in the charts and in the prose changes with it.
#
# **Where the numbers come from.** Each row of each dataset names the registry entry of the page
# it was read in (the `source` column) and whether it is reported, preliminary, revised,
# projected or estimated (`status`). `make check-data` validates every file against its schema,
# checks that every source exists and is used, and evaluates every claim's evidence.
#
# **All the data at once.** The [data package](../assets/data/datapackage.json) describes every
# dataset with its schema, sources and licence (Frictionless Data format); [data.zip](../assets/data/data.zip)
# holds it with every CSV and the source registry, and the claims ledger with its verdicts is
# available as [CSV](../assets/data/claims.csv) and [JSON](../assets/data/claims.json).

# %%
import pandas as pd
from IPython.display import HTML

from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import settings

pd.set_option("display.max_colwidth", 60)


def show(df: pd.DataFrame) -> HTML:
    """A table without pandas' unnamed index column (its empty header cell fails accessibility checks)."""
    return HTML(df.to_html(index=False, border=0))


print(f"{len(D.dataset_names())} datasets, {len(D.registry())} registry entries, {len(D.claims())} claims")

# %% [markdown]
# ## The datasets
#
# One tidy table per topic. A value is one row of a dataset, as on the Sources page: one
# observation (a country's figures for a year, or one AI model), with its source and status. Some
# rows give more than one figure, and some leave a column empty (a model whose compute is unknown).

# %%
rows = []
for name in D.dataset_names():
    df = D.load(name)
    rows.append(
        {
            "dataset": name,
            "values (rows)": len(df),
            "sources": df["source"].nunique(),
            "statuses": ", ".join(sorted(df["status"].unique())),
        }
    )
show(pd.DataFrame(rows))

# %% [markdown]
# ## The ratios the essay quotes
#
# Each ratio is worked out from two rows of the same series and the same year.


# %%
def one(name, column, **where):
    return D.value(name, where, column)


robots = {c: one("robot_installations", "units", year=2024, country=c) for c in ("China", "United States", "World")}
ei = "Our World in Data (Ember; Energy Institute)"
irena = "IRENA Renewable Capacity Statistics 2025"
ratios = pd.DataFrame(
    [
        {
            "ratio": "Robots installed, China ÷ US (2024)",
            "value": robots["China"] / robots["United States"],
            "essay": "nearly 9x",
        },
        {
            "ratio": "China's share of world robot installations, % (2024)",
            "value": robots["China"] / robots["World"] * 100,
            "essay": "54%",
        },
        {
            "ratio": "Private AI investment, US ÷ China (2025)",
            "value": one("private_ai_investment", "usd_billion", year=2025, country="United States")
            / one("private_ai_investment", "usd_billion", year=2025, country="China"),
            "essay": "23x",
        },
        {
            "ratio": "Electricity generation, China ÷ US (2024)",
            "value": one("electricity_generation", "twh", year=2024, country="China", series=ei)
            / one("electricity_generation", "twh", year=2024, country="United States", series=ei),
            "essay": "2.6x",
        },
        {
            "ratio": "Renewable capacity, China ÷ US (end 2024)",
            "value": one(
                "renewable_capacity", "gw", year=2024, country="China", technology="all renewables", series=irena
            )
            / one(
                "renewable_capacity",
                "gw",
                year=2024,
                country="United States",
                technology="all renewables",
                series=irena,
            ),
            "essay": "4.4x",
        },
    ]
)
show(ratios.round(2))

# %% [markdown]
# ## How a verdict is computed
#
# A claim in `data/claims.yaml` with a `compare` block names the rows that bear on it. The code
# combines them (a value, a ratio, a share or a sum) and reads the essay's figure as the essay
# writes it: "about X" holds when the data round to X at the precision X is written, or are within
# 2% of it; "over X" is a floor. Within 10% it is *close*; otherwise a *different figure*. When the
# figure does not hold in the essay's year, the other years of the same series are searched: a
# figure that holds in another year is a *different year*. A cap, with its written reason, holds a
# right number described wrongly at *partly supported*. Below are the computed claims that give
# a figure, each step taken from the data and the ledger; claims worded without a number (such as
# "more than the rest combined") are checked by what they say and appear in the table after it.

# %%
print("within:", settings.DEFAULT_TOLERANCE, " close within:", settings.CLOSE)
steps = []
for claim in D.claims():
    cmp = claim.compare
    if not cmp or cmp.op not in C.NUMBER_OPS:
        continue
    r = C.evaluate(claim)
    fig = claim.figure
    reading = fig.reading
    steps.append(
        {
            "claim": r.id,
            "essay": f"{reading} {fig.value}" + (f" ({fig.year})" if fig.year else ""),
            "data": (f"{r.data_value:,.0f}" if abs(r.data_value) >= 1000 else f"{r.data_value:.4g}")
            + (f" ({r.data_year})" if r.data_year else ""),
            "figure against figure": C.judge(float(fig.value), r.data_value, reading)[0],
            "verdict": r.verdict,
            "why": r.how,
        }
    )
show(pd.DataFrame(steps))

# %% [markdown]
# Every claim, as computed on this build:

# %%
results = C.evaluate_all()
show(
    pd.DataFrame(
        [
            {
                "claim": r.id,
                "section": r.claim.section,
                "verdict": r.verdict,
                "how": "computed" if r.computed else "written",
                "data": "" if r.data_value is None else round(r.data_value, 2),
            }
            for r in results
        ]
    )
)

# %% [markdown]
# ## Counts by verdict

# %%
show(pd.Series([r.verdict for r in results]).value_counts().rename_axis("verdict").reset_index(name="claims"))
