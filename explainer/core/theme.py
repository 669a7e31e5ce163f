"""One theme for every chart, light and dark: the page's font, fixed series colours, annotation styles.

Specs stay theme-neutral; this config is merged in when the static SVGs are rendered and,
in the browser, when a chart becomes interactive (charts.js reads `theme.json`).

The house style, as the FT and Our World in Data draw (a chart gets it by using these names):

- **Series colours are fixed by position.** `range.category` holds the colours of the named
  entities a project lists in a fixed order (the project's chart helpers pass that whole list as
  the colour scale's domain, so the first entity has the first colour on every chart);
  `range.ordinal` holds neutral hues for categories that are not entities (measures, reports,
  kinds of figure), so they never borrow an entity's colour.
- **Every pair of colours stays apart for colour-blind readers.** Each palette was chosen so
  every pair is at least `MIN_CVD_DELTA_E` apart (CIELAB ΔE) under simulated protanopia and
  deuteranopia (Machado et al. 2009, severity 1), pairing hue with lightness; marks keep at
  least 4.5:1 contrast with the background, so a line's direct label can be set in its colour
  (WCAG 1.4.3; 3:1 would do for marks alone, 1.4.11).
  `palette_problems()` and `series_colour_problems()` check both; the tests hold them to it.
- **Annotations take their colours from here**, never from the chart module: mark styles
  `annotation` (notes and labels), `reference` (rules and lines to read against), `band`
  (shaded ranges), `break` (a series break or the start of partial data), `key` (the
  symbols of an in-chart key) and `inside` (text set on a series-coloured mark).
- **One font stack with the page** (Material's system stack), so chart and text share a face.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from typing import Any

# Material for MkDocs' own stack when no web font is loaded (mkdocs.yml: theme.font: false).
FONT = "-apple-system, BlinkMacSystemFont, Helvetica, Arial, sans-serif"

MIN_CVD_DELTA_E = 20.0  # CIELAB ΔE between two series colours, as a colour-blind reader sees them
MIN_TEXT_CONTRAST = 4.5  # WCAG 1.4.3
MIN_MARK_CONTRAST = 3.0  # WCAG 1.4.11

SCHEMES: dict[str, dict[str, Any]] = {
    "light": {
        "background": "#ffffff",
        "text": "#1f2328",
        "muted": "#4b5563",
        "link": "#0b57d0",  # links on pages the theme styles alone (a chart's embed page)
        "grid": "#e3e6ea",
        "domain": "#8c959f",
        "band": "#6b7280",  # drawn at low opacity
        # entities, in the order the project lists them (six fixed slots)
        "category": ["#b84a00", "#2156a5", "#008855", "#7722ff", "#663311", "#4a4a4a"],
        # categories that are not entities
        "ordinal": ["#00796b", "#6a3d9a", "#262626", "#9c4f1a"],
    },
    "dark": {
        "background": "#1e2029",
        "text": "#e6e8ee",
        "muted": "#b7bcc8",
        "link": "#9cc3ff",
        "grid": "#363b48",
        "domain": "#7d8594",
        "band": "#9aa1ae",
        "category": ["#ff8c5a", "#5aaaf0", "#bbffcc", "#7777ff", "#ffdd33", "#b0b4bc"],
        "ordinal": ["#4db6ac", "#c39bff", "#e6e6e6", "#e0a060"],
    },
}

# Share cards (light only): a page's description under its title, and the band along the foot in the
# site's primary colour (docs/assets/css/site.css).
CARD = {"lead": "#374151", "accent": "#1d4e89"}

WIDE = {"width": 600, "height": 320}
NARROW = {"width": 300, "height": 260}
TITLE_SIZE = {"wide": 16, "narrow": 15}

# How titles wrap (Vega titles do not): a line holds `width / (em * font size) * margin` characters,
# never fewer than `min_chars`; `em` is an average glyph width of the system font, in ems, and the
# margin keeps wider system fonts (DejaVu Sans, about 10% wider than Arial) inside the chart. A
# chart narrower than the wide size sets its headline at the narrow size. The live view
# (charts.js) wraps by this same rule, read from theme.json.
TITLE_WRAP = {
    "em": 0.55,
    "margin": 0.85,
    "min_chars": 24,
    "title_size": TITLE_SIZE,
    "subtitle_size": 13,
    "wide_width": WIDE["width"],
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
            "fontSize": TITLE_SIZE["wide"],
            "fontWeight": 600,
            "anchor": "start",
            "subtitleColor": s["muted"],
            "subtitleFontSize": 13,
            "subtitlePadding": 6,
            "offset": 14,
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
        "range": {"category": s["category"], "ordinal": s["ordinal"]},
        "line": {"strokeWidth": 2.5},
        "point": {"size": 45, "filled": True},
        # A mark with no colour of its own takes the first neutral hue, never an entity's colour.
        "bar": {"color": s["ordinal"][0]},
        "mark": {"color": s["ordinal"][0]},
        "rule": {"color": s["muted"]},
        # Named styles for what is not data: a chart module asks for `style="annotation"` and the
        # colour follows the scheme (a hard-coded grey vanishes in the dark scheme).
        "style": {
            "annotation": {"color": s["muted"], "fill": s["muted"], "fontSize": 11},
            "reference": {"color": s["muted"], "stroke": s["muted"], "strokeDash": [4, 4], "strokeWidth": 1.5},
            "band": {"color": s["band"], "fill": s["band"], "opacity": 0.14},
            "key": {"color": s["muted"], "fill": s["muted"], "stroke": s["muted"]},
            # text set inside a bar or mark of a series colour: the background's colour (series
            # colours keep 4.5:1 against it, so the text keeps it too)
            "inside": {"color": s["background"], "fill": s["background"]},
            "break": {"color": s["muted"], "stroke": s["muted"], "strokeDash": [2, 3], "strokeWidth": 1.5},
        },
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


def title_chars(width: int, font_size: int) -> int:
    """How many characters of a title fit a width (TITLE_WRAP)."""
    rule = TITLE_WRAP
    return max(rule["min_chars"], int(width / (rule["em"] * font_size) * rule["margin"]))


def rewrap_title(spec: dict[str, Any], width: int) -> None:
    title = spec.get("title")
    if not isinstance(title, dict):
        return
    narrow = width < TITLE_WRAP["wide_width"]
    size = TITLE_SIZE["narrow" if narrow else "wide"]
    if narrow:
        title["fontSize"] = size
    for key, font in (("text", size), ("subtitle", TITLE_WRAP["subtitle_size"])):
        value = title.get(key)
        if value:
            text = " ".join(value) if isinstance(value, list) else value
            title[key] = wrap(text, title_chars(width, font))


def _resize(spec: dict[str, Any], size: dict[str, int]) -> None:
    """Set the size of a single or layered view; leave concatenations to their own sizes."""
    rewrap_title(spec, size["width"])
    if any(k in spec for k in ("hconcat", "vconcat", "concat")):
        return
    if "facet" in spec and "spec" in spec:
        return
    spec["width"] = size["width"]
    spec.setdefault("height", size["height"])  # a chart that sets its own height keeps it
    # The width is the whole picture's, axis labels included (as the live view sizes it), so a
    # chart with long labels does not come out wider than the phone it is drawn for.
    spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})


def browser_themes() -> dict[str, Any]:
    """What charts.js needs to re-theme interactive views on the light/dark toggle and to lay them
    out as the static images are (sizes and title wrapping: the live view is the static view)."""
    return {**{name: config(name) for name in SCHEMES}, "layout": {"wide": WIDE, "narrow": NARROW, "title": TITLE_WRAP}}


# --- colour checks: what a colour-blind reader sees, and contrast ------------------------------

# Machado, Oliveira and Fernandes (2009), severity 1.0, applied to linear RGB.
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate(hex_colour: str, kind: str) -> tuple[float, float, float]:
    """The sRGB colour (0–1) a reader with `kind` of colour blindness sees."""
    lin = [_linear(c) for c in _rgb(hex_colour)]
    return tuple(_gamma(sum(m * c for m, c in zip(row, lin))) for row in CVD[kind])


def _lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in rgb)
    xyz = (
        (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047,
        (0.2126729 * r + 0.7151522 * g + 0.0721750 * b) / 1.0,
        (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883,
    )
    f = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def delta_e(a: str, b: str, kind: str | None = None) -> float:
    """CIELAB ΔE (1976) between two colours, as seen with normal vision or with `kind` simulated."""
    ra, rb = (_rgb(a), _rgb(b)) if kind is None else (simulate(a, kind), simulate(b, kind))
    return math.dist(_lab(ra), _lab(rb))


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""

    def lum(h: str) -> float:
        r, g, b_ = (_linear(c) for c in _rgb(h))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def pair_problems(colours: list[str], where: str) -> list[str]:
    """Pairs of colours drawn together that a reader (or a colour-blind reader) cannot tell apart."""
    out = []
    for a, b in itertools.combinations(dict.fromkeys(colours), 2):
        for kind in (None, *CVD):
            d = delta_e(a, b, kind)
            if d < MIN_CVD_DELTA_E:
                seen = kind or "normal vision"
                out.append(f"{where}: {a} and {b} are ΔE {d:.0f} apart under {seen} (need {MIN_CVD_DELTA_E:.0f})")
    return out


def palette_problems(scheme: str, schemes: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Contrast and colour-blind separation of one scheme's palettes (text 4.5:1, series and marks
    4.5:1 so labels can share their line's colour, every pair of series colours apart)."""
    s = (schemes or SCHEMES)[scheme]
    bg = s["background"]
    out = []
    for key in ("text", "muted", "link"):
        if contrast(s[key], bg) < MIN_TEXT_CONTRAST:
            out.append(f"{scheme} {key} {s[key]}: contrast {contrast(s[key], bg):.1f}:1 with {bg}, under 4.5:1")
    for key in ("category", "ordinal"):
        for c in s[key]:
            if contrast(c, bg) < MIN_TEXT_CONTRAST:
                out.append(f"{scheme} {key} {c}: contrast {contrast(c, bg):.1f}:1 with {bg}, under 4.5:1")
        out += pair_problems(s[key], f"{scheme} {key}")
    if contrast(s["domain"], bg) < MIN_MARK_CONTRAST:
        out.append(f"{scheme} domain {s['domain']}: contrast {contrast(s['domain'], bg):.1f}:1 with {bg}, under 3:1")
    return out


def _values(spec: dict[str, Any], field: str) -> set[Any]:
    """The values a field takes in a spec's inline data (all datasets that have the field)."""
    found: set[Any] = set()
    for rows in (spec.get("datasets") or {}).values():
        for r in rows:
            if isinstance(r, dict) and field in r and r[field] is not None:
                found.add(r[field])
    return found


def _colour_scales(node: Any):
    """Every colour-like encoding with a field: (field, scale)."""
    if isinstance(node, dict):
        enc = node.get("encoding")
        if isinstance(enc, dict):
            for ch in ("color", "stroke", "fill"):
                e = enc.get(ch)
                if isinstance(e, dict) and isinstance(e.get("field"), str):
                    yield e["field"], e.get("scale") or {}
        for v in node.values():
            yield from _colour_scales(v)
    elif isinstance(node, list):
        for v in node:
            yield from _colour_scales(v)


def _fixed_colours(node: Any, path: str = "") -> list[str]:
    """Colours typed into a spec (not from the theme): they cannot follow the light/dark scheme."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("datasets", "config", "usermeta"):
                continue
            if isinstance(v, str) and _HEX.match(v) and k in ("color", "fill", "stroke", "value"):
                out.append(f"{path}.{k}={v}")
            else:
                out += _fixed_colours(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _fixed_colours(v, f"{path}[{i}]")
    return out


def series_colour_problems(spec: dict[str, Any], scheme: str, schemes: dict[str, dict[str, Any]] | None = None):
    """What a chart's colours fail: colours typed into the spec instead of taken from the theme, and
    series drawn together whose colours a colour-blind reader cannot tell apart."""
    s = (schemes or SCHEMES)[scheme]
    out = [f"colour typed into the spec (use a theme style): {p}" for p in _fixed_colours(spec)]
    seen: set[tuple[str, ...]] = set()
    for field, scale in _colour_scales(spec):
        rng = scale.get("range", "category")
        palette = s.get(rng) if isinstance(rng, str) else rng
        if not isinstance(palette, list):
            continue
        domain = scale.get("domain")
        present = _values(spec, field)
        if isinstance(domain, list):
            used = [palette[i % len(palette)] for i, v in enumerate(domain) if v in present]
        else:
            used = palette[: len(present)]
        key = tuple(used)
        if key in seen:
            continue
        seen.add(key)
        out += pair_problems(used, f"{scheme} colour of '{field}'")
    return out
