"""Private AI investment, United States vs China
US private AI investment has pulled far ahead of China's, and the gap widened sharply in the latest
year.
"""

import altair as alt
import pandas as pd

from charts._common import entity_color, fmt_num
from explainer.data import load

SOURCES = ["hai-aiindex2025-economy", "meritalk-aiindex2026"]
CREDIT = "Stanford HAI, AI Index Report 2022–2026 (Quid data)"


def _data() -> pd.DataFrame:
    return load("private_ai_investment").sort_values(["country", "year"])


def _gap(df: pd.DataFrame) -> pd.DataFrame:
    """The latest year's US and China values, for the bracket that marks the gap."""
    last = int(df.year.max())
    y = df[df.year == last].set_index("country").usd_billion
    us, cn = float(y["United States"]), float(y["China"])
    return pd.DataFrame(
        [{"year": last, "us": us, "cn": cn, "mid": cn + (us - cn) / 4, "label": f"US = {us / cn:.0f}×\nChina"}]
    )


def build() -> alt.Chart:
    df = _data()
    years = sorted(int(y) for y in df.year.unique())
    x = alt.X("year:O").title(None).axis(labelAngle=0, values=years)
    base = alt.Chart().encode(
        x=x,
        y=alt.Y("usd_billion:Q").title("US$ billion per year"),
        color=entity_color(df.country),
    )
    tooltip = [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("usd_billion:Q", title="US$ billion", format=",.1f"),
        alt.Tooltip("edition:N", title="Edition (editions differ)"),
        alt.Tooltip("status:N", title="Status"),
    ]
    lines = base.mark_line()
    points = base.mark_point(filled=True, size=60).encode(tooltip=tooltip)

    gap = _gap(df)
    bracket = (
        alt.Chart(gap).mark_rule(strokeDash=[3, 3], strokeWidth=1.5).encode(x=alt.X("year:O"), y="cn:Q", y2="us:Q")
    )
    label = (
        alt.Chart(gap)
        .mark_text(align="right", dx=-8, fontWeight=600, lineBreak="\n")
        .encode(x=alt.X("year:O"), y="mid:Q", text="label:N")
    )
    return alt.layer(lines, points, bracket, label, data=df)


def key_numbers() -> str:
    df = _data()
    last = int(df.year.max())
    y = df[df.year == last].set_index("country")
    us, cn = float(y.usd_billion["United States"]), float(y.usd_billion["China"])
    prev = int(df[(df.year < last) & (df.country == "China")].year.max())
    p = df[df.year == prev].set_index("country").usd_billion
    return (
        f"In {last} US private AI investment was ${fmt_num(us)} billion against China's ${fmt_num(cn)} billion, "
        f"{us / cn:.0f} times as much (in {prev}: {float(p['United States']) / float(p['China']):.0f} times); "
        f"values come from the {y.edition['United States']} and earlier editions, which are not strictly comparable."
    )
