"""One theme for every chart, light and dark: the site's fonts and a colour-blind-safe palette.

Specs stay theme-neutral; this config is merged in when the static SVGs are rendered and,
in the browser, when a chart becomes interactive (charts.js reads `theme.json`). Colours
follow Okabe and Ito's palette, darkened for white and lightened for the dark scheme so
each keeps at least 3:1 contrast against its background (WCAG 1.4.11).
"""

from __future__ import annotations

import copy
from typing import Any

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

SCHEMES: dict[str, dict[str, Any]] = {
    "light": {
        "background": "#ffffff",
        "text": "#1f2328",
        "muted": "#4b5563",
        "grid": "#e3e6ea",
        "domain": "#8c959f",
        "category": ["#c2410c", "#0861a8", "#00795a", "#a43f7f", "#7a5d00", "#5b6270", "#6a3fb5", "#9a3412"],
    },
    "dark": {
        "background": "#1e2029",
        "text": "#e6e8ee",
        "muted": "#b7bcc8",
        "grid": "#363b48",
        "domain": "#7d8594",
        "category": ["#ff9466", "#6cc0ff", "#45d6a6", "#ee9fd6", "#e8c552", "#c3c8d2", "#b9a0ff", "#ffb38a"],
    },
}

WIDE = {"width": 600, "height": 320}
NARROW = {"width": 300, "height": 260}

# How titles wrap (Vega titles do not): at most `width * margin / px_per_char` characters of
# `base_size` px text a line, never fewer than `min_chars`; a `sizes[key]` px line holds
# proportionally fewer. px_per_char is an average glyph width of the system font; the margin
# keeps wider system fonts (DejaVu Sans, about 10% wider than Arial) inside the chart. The live
# view (charts.js) wraps by this same rule, read from theme.json.
TITLE_WRAP = {
    "px_per_char": 7.2,
    "margin": 0.85,
    "min_chars": 30,
    "base_size": 13,
    "sizes": {"text": 16, "subtitle": 13},
}


def config(scheme: str) -> dict[str, Any]:
    """The Vega-Lite config for one scheme (background transparent: the page shows through)."""
    s = SCHEMES[scheme]
    return {
        "background": None,
        "font": FONT,
        "padding": 8,
        "view": {"stroke": None},
        "title": {
            "color": s["text"],
            "fontSize": 16,
            "fontWeight": 600,
            "anchor": "start",
            "subtitleColor": s["muted"],
            "subtitleFontSize": 13,
            "offset": 12,
        },
        "axis": {
            "labelColor": s["muted"],
            "titleColor": s["muted"],
            "labelFontSize": 12,
            "titleFontSize": 12,
            "titleFontWeight": 500,
            "gridColor": s["grid"],
            "domainColor": s["domain"],
            "tickColor": s["domain"],
            "labelFlush": False,
        },
        "legend": {
            "labelColor": s["text"],
            "titleColor": s["muted"],
            "labelFontSize": 12,
            "titleFontSize": 12,
            "symbolSize": 90,
        },
        "header": {"labelColor": s["text"], "titleColor": s["muted"], "labelFontSize": 12},
        "text": {"color": s["text"], "fontSize": 12},
        "range": {"category": s["category"]},
        "line": {"strokeWidth": 2.5},
        "point": {"size": 45, "filled": True},
        "bar": {"color": s["category"][1]},
        "mark": {"color": s["category"][1]},
        "rule": {"color": s["muted"]},
    }


def with_config(
    spec: dict[str, Any], scheme: str, size: dict[str, int] | None = None, background: str | None = None
) -> dict[str, Any]:
    """A copy of a spec with a scheme's config merged in (and, optionally, a size for static renders)."""
    out = copy.deepcopy(spec)
    cfg = config(scheme)
    if background:
        cfg["background"] = background
    own = out.get("config", {})
    out["config"] = {
        k: (
            {**cfg[k], **own[k]}
            if isinstance(cfg.get(k), dict) and isinstance(own.get(k), dict)
            else own.get(k, cfg.get(k))
        )
        for k in {*cfg, *own}
    }
    if size:
        _resize(out, size)
    return out


def wrap(text: str, chars: int) -> list[str]:
    """Break a title line into lines of at most `chars` characters (Vega titles do not wrap)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > chars:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def rewrap_title(spec: dict[str, Any], width: int) -> None:
    title = spec.get("title")
    if not isinstance(title, dict):
        return
    rule = TITLE_WRAP
    chars = max(rule["min_chars"], int(width * rule["margin"] / rule["px_per_char"]))
    for key, size in rule["sizes"].items():
        value = title.get(key)
        if value:
            text = " ".join(value) if isinstance(value, list) else value
            title[key] = wrap(text, int(chars * rule["base_size"] / size))


def _resize(spec: dict[str, Any], size: dict[str, int]) -> None:
    """Set the size of a single or layered view; leave concatenations to their own sizes."""
    rewrap_title(spec, size["width"])
    if any(k in spec for k in ("hconcat", "vconcat", "concat")):
        return
    if "facet" in spec and "spec" in spec:
        return
    spec["width"] = size["width"]
    spec.setdefault("height", size["height"])  # a chart that sets its own height keeps it


def browser_themes() -> dict[str, Any]:
    """What charts.js needs to re-theme interactive views on the light/dark toggle and to lay them
    out as the static images are (sizes and title wrapping: the live view is the static view)."""
    return {**{name: config(name) for name in SCHEMES}, "layout": {"wide": WIDE, "narrow": NARROW, "title": TITLE_WRAP}}
