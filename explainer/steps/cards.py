"""Share cards: what a link to a page shows in social media and chat apps.

Every page gets `og:` and `twitter:` tags and a 1200×630 PNG rendered offline with vl-convert:
its lead chart's card (rendered with the chart, one per chart, shared by every page it leads), or,
for a page without a chart, a title card (its title and description), cached on its spec.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from explainer.core import files, settings, theme

WIDTH, HEIGHT = 1200, 630
CARDS = "assets/cards"
ACCENT = "#1d4e89"  # the site's primary colour (explainer/mkdocs/theme/assets/css/site.css)


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Words in lines of at most `width` characters; a text too long ends its last line with "…"."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return lines


def _title_spec(title: str, site: str, description: str = "") -> dict:
    """The title in large type, then what the page is about (its description), then the site's
    name, unless the title already is the site's name (the home page): a card never says the same
    thing twice."""
    title_lines = _wrap(title, 30, 3)
    about = _wrap(description, 52, 7 - 2 * len(title_lines)) if description.strip() else []
    texts = [
        {"t": t, "y": 110 + 76 * i, "size": 64, "weight": 700, "color": "#1f2328"} for i, t in enumerate(title_lines)
    ]
    top = 110 + 76 * len(title_lines) + 24
    texts += [{"t": t, "y": top + 48 * i, "size": 36, "weight": 400, "color": "#374151"} for i, t in enumerate(about)]
    if site and site.strip().casefold() != title.strip().casefold():
        texts.append({"t": site, "y": HEIGHT - 70, "size": 32, "weight": 400, "color": "#4b5563"})

    def layer(rows: list[dict]) -> dict:
        first = rows[0]
        return {
            "data": {"values": [{"t": r["t"], "y": r["y"]} for r in rows]},
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "alphabetic",
                "fontSize": first["size"],
                "fontWeight": first["weight"],
                "color": first["color"],
            },
            "encoding": {
                "x": {"value": 80},
                "y": {"field": "y", "type": "quantitative", "scale": None},
                "text": {"field": "t"},
            },
        }

    groups: dict[tuple, list[dict]] = {}
    for row in texts:
        groups.setdefault((row["size"], row["weight"], row["color"]), []).append(row)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": WIDTH,
        "height": HEIGHT,
        "autosize": {"type": "none"},
        "padding": 0,
        "background": "#ffffff",
        "view": {"stroke": None},
        "layer": [
            {  # a band in the site's primary colour along the foot
                "data": {"values": [{}]},
                "mark": {"type": "rect", "color": ACCENT},
                "encoding": {
                    "x": {"value": 0},
                    "x2": {"value": WIDTH},
                    "y": {"value": HEIGHT - 18},
                    "y2": {"value": HEIGHT},
                },
            },
            *(layer(rows) for rows in groups.values()),
        ],
    }


def chart_spec(chart_spec: dict) -> dict:
    """A chart, fitted to the card (padding, title and legend inside its 1200×630)."""
    spec = theme.with_config(chart_spec, "light", theme.WIDE, background="#ffffff")
    spec = {k: v for k, v in spec.items() if k not in ("width", "height", "autosize")}
    spec.update(width=WIDTH, height=HEIGHT, autosize={"type": "fit", "contains": "padding"}, padding=24)
    return spec


def title_card(page_slug: str, title: str, description: str = "", refresh: bool = True) -> Path:
    """A title card's PNG, rendered when its spec changed since the last build (with `refresh`
    off, as under serve, only when there is none yet: a share card need not hold up a reload)."""
    import vl_convert as vlc

    site = str(settings.site_config().get("site_name") or "")
    spec = _title_spec(title, site, description)
    out = settings.out_dir() / "cards"
    key = files.fingerprint([], json.dumps(spec, sort_keys=True))[:16]
    png = out / f"{page_slug}.png"
    stamp = out / f"{page_slug}.key"
    if not png.exists() or (refresh and not (stamp.exists() and stamp.read_text() == key)):
        data = vlc.vegalite_to_png(spec, scale=1)
        files.write_atomic(png, data)
        files.write_atomic(stamp, key.encode())
    return png


def slug(page_url: str) -> str:
    return files.slug(page_url) or "home"


def meta_tags(title: str, description: str, page_url: str, image_uri: str) -> str:
    """The tags; `image_uri` is the card's path in the site."""
    base = settings.site_base()
    site = str(settings.site_config().get("site_name") or "")
    # The card's image and the page's address must be absolute: with no public address known
    # (settings.site_url) they are left out rather than pointed at a local one.
    image = base + image_uri if base else ""
    tags = {
        "og:type": "article",
        "og:site_name": site,
        "og:title": title,
        "og:description": description,
        "og:url": base + page_url if base else "",
        "og:image": image,
        "og:image:width": str(WIDTH) if image else "",
        "og:image:height": str(HEIGHT) if image else "",
    }
    out = [f'<meta property="{k}" content="{html.escape(v, quote=True)}">' for k, v in tags.items() if v]
    out += [
        f'<meta name="twitter:card" content="{"summary_large_image" if image else "summary"}">',
        f'<meta name="twitter:title" content="{html.escape(title, quote=True)}">',
        f'<meta name="twitter:description" content="{html.escape(description, quote=True)}">',
    ]
    if image:
        out.append(f'<meta name="twitter:image" content="{html.escape(image, quote=True)}">')
    return "".join(out)
