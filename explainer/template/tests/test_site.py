"""The built site (`make test` builds it first): every page of the nav, each chart drawn as a
static image readers see without JavaScript, the theme's stylesheet and script, no marker left."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
CHARTS = sorted(p.stem for p in (ROOT / "charts").glob("*.py") if not p.stem.startswith("_"))


@pytest.fixture(scope="module")
def built() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail("no site/ to test: run `make build` (or `make test`) first")
    return SITE


def _nav_pages() -> list[str]:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)

    def walk(items):
        for item in items:
            for value in item.values() if isinstance(item, dict) else [item]:
                yield from walk(value) if isinstance(value, list) else [value]

    return list(walk(config["nav"]))


def test_every_page_of_the_nav_is_built(built):
    for page in _nav_pages():
        stem = page.removesuffix(".md")
        html = built / ("index.html" if stem == "index" else f"{stem}/index.html")
        assert html.is_file(), f"{page}: no {html.relative_to(ROOT)}"


def test_every_chart_is_a_static_image_with_the_theme(built):
    for chart in CHARTS:
        assert (built / "assets" / "charts" / f"{chart}.light.svg").is_file(), chart
        page = (built / "charts" / chart / "index.html").read_text(encoding="utf-8")
        assert f"{chart}.light.svg" in page
        assert "assets/css/site.css" in page and "assets/js/charts.js" in page


def test_no_marker_is_left_unexpanded(built):
    for html in built.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "{{" not in text and "<!-- chart:" not in text, html.relative_to(ROOT)
