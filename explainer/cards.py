"""Share cards: what a link to a page shows in social media and chat apps.

Every page gets `og:` and `twitter:` tags and a 1200×630 PNG rendered offline with vl-convert:
its lead chart's card (rendered with the chart, one per chart, shared by every page it leads), or,
for a page without a chart, a title card, cached on its spec.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from explainer import files, settings, theme

WIDTH, HEIGHT = 1200, 630
CARDS = "assets/cards"


def _title_spec(title: str, site: str) -> dict:
    lines = []
    for word in title.split():
        if lines and len(lines[-1]) + len(word) < 30:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": WIDTH,
        "height": HEIGHT,
        "autosize": {"type": "none"},
        "padding": 0,
        "background": "#ffffff",
        "view": {"stroke": None},
        "layer": [
            {
                "data": {"values": [{"t": line, "i": i} for i, line in enumerate(lines)]},
                "mark": {"type": "text", "align": "left", "fontSize": 64, "fontWeight": 700, "color": "#1f2328"},
                "encoding": {
                    "x": {"value": 80},
                    "y": {
                        "field": "i",
                        "type": "quantitative",
                        "scale": {"domain": [-1, 7], "reverse": True},
                        "axis": None,
                    },
                    "text": {"field": "t"},
                },
            },
            {
                "data": {"values": [{"t": site}]},
                "mark": {"type": "text", "align": "left", "fontSize": 32, "color": "#4b5563"},
                "encoding": {"x": {"value": 80}, "y": {"value": HEIGHT - 70}, "text": {"field": "t"}},
            },
        ],
    }


def chart_spec(chart_spec: dict) -> dict:
    """A chart, fitted to the card (padding, title and legend inside its 1200×630)."""
    spec = theme.with_config(chart_spec, "light", theme.WIDE, background="#ffffff")
    spec = {k: v for k, v in spec.items() if k not in ("width", "height", "autosize")}
    spec.update(width=WIDTH, height=HEIGHT, autosize={"type": "fit", "contains": "padding"}, padding=24)
    return spec


def title_card(page_slug: str, title: str, refresh: bool = True) -> Path:
    """A title card's PNG, rendered when its spec changed since the last build (with `refresh`
    off, as under serve, only when there is none yet: a share card need not hold up a reload)."""
    import vl_convert as vlc

    site = str(settings.site_config().get("site_name") or "")
    spec = _title_spec(title, site)
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
