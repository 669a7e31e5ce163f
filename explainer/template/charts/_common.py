"""Helpers the chart modules share (a file starting with `_` is not a chart). Chart modules import
them relatively: `from ._common import year_axis`."""

import altair as alt


def year_axis(field: str = "year") -> alt.X:
    """Years along the bottom, as plain labels (2024, not 2,024)."""
    return alt.X(f"{field}:O").title(None).axis(labelAngle=0)
