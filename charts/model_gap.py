"""US lead over China's best AI model, Chatbot Arena
The best US model's lead over the best Chinese model on the Chatbot Arena leaderboard has shrunk to
a few percent.
"""

import altair as alt
import pandas as pd

from charts._common import fmt_num
from explainer.data import load

SOURCES = ["tingwei-aiindex2025-performance", "tingwei-aiindex2026-performance"]
CREDIT = "Stanford HAI, AI Index Report 2025 and 2026 (Chatbot Arena data from LMSYS)"

ARENA = "Chatbot Arena top model"


def _data() -> pd.DataFrame:
    """The Arena series in percent of leaderboard score (the Elo-point rows are another unit)."""
    df = load("model_gap")
    df = df[(df.benchmark == ARENA) & (df.unit == "percent")].copy()
    df["month"] = pd.to_datetime(df.date, format="%Y-%m").dt.strftime(
        "%Y-%m-01"
    )  # first of the month, for the time axis
    return df.sort_values("date").reset_index(drop=True)


def build() -> alt.Chart:
    df = _data()
    months = pd.to_datetime(df.month)
    pad = pd.DateOffset(months=4)
    domain = [(months.min() - pad).strftime("%Y-%m-%d"), (months.max() + pad).strftime("%Y-%m-%d")]
    x = (
        alt.X("month:T")
        .title(None)
        .scale(domain=domain)
        .axis(format="%b %Y", tickCount={"interval": "year", "step": 1}, grid=False)
    )
    y = alt.Y("gap:Q").title("US lead, % of Arena score").scale(zero=True, domainMax=float(df.gap.max()) * 1.25)
    tooltip = [
        alt.Tooltip("date:N", title="Month"),
        alt.Tooltip("gap:Q", title="US lead (%)", format=".2f"),
        alt.Tooltip("edition:N", title="Edition"),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("note:N", title="Note"),
    ]
    # Separate readings, not a continuous series: stems from zero, no connecting line.
    stems = alt.Chart().mark_rule(strokeWidth=3).encode(x=x, y=y, y2=alt.Y2(datum=0))
    points = alt.Chart().mark_point(filled=True, size=90, opacity=1).encode(x=x, y=y, tooltip=tooltip)
    labels = (
        alt.Chart()
        .transform_calculate(label="format(datum.gap, '.1f') + '%'")
        .mark_text(dy=-13, fontWeight=600)
        .encode(x=x, y=y, text="label:N")
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(strokeWidth=1.5).encode(y="zero:Q")
    layers = [zero, stems, points, labels]
    # Between the last two readings the lead changed hands (schema caveat, row notes): say so.
    if len(df) >= 2:
        a, b = months.iloc[-2], months.iloc[-1]
        mid = pd.DataFrame(
            {
                "month": [(a + (b - a) / 2).strftime("%Y-%m-%d")],
                "gap": [float(df.gap.max()) * 0.7],
                "text": ["The lead changed hands\nseveral times between\nthese two readings"],
            }
        )
        layers.append(
            alt.Chart(mid).mark_text(fontStyle="italic", fontSize=11, lineBreak="\n").encode(x=x, y=y, text="text:N")
        )
    return alt.layer(*layers, data=df)


def key_numbers() -> str:
    df = _data()
    first, last = df.iloc[0], df.iloc[-1]
    low = df.loc[df.gap.idxmin()]
    elo = load("model_gap")
    elo = elo[(elo.benchmark == ARENA) & (elo.unit == "Elo points")].set_index("date").gap
    e = ""
    if first.date in elo.index and last.date in elo.index:
        e = f" (in Arena points: {fmt_num(elo[first.date], 0)} then {fmt_num(elo[last.date], 0)})"
    return (
        f"On Chatbot Arena the best US model led the best Chinese model by {fmt_num(first.gap, 2)}% in {first.date}, "
        f"{fmt_num(low.gap, 2)}% in {low.date} and {fmt_num(last.gap, 1)}% in {last.date}{e}; "
        f"the readings come from the AI Index {first.edition.split()[-1]} and {last.edition.split()[-1]} editions."
    )
