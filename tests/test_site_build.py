"""The built site: strict, one page per section in order, nothing from a third-party host."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import yaml
from conftest import ROOT, SECTION_PAGES, html_pages
from mkdocs.config import load_config


class Refs(HTMLParser):
    """Every URL a page makes the browser load (not plain links)."""

    LOADS = {
        "script": "src",
        "img": "src",
        "source": "srcset",
        "iframe": "src",
        "audio": "src",
        "video": "src",
        "embed": "src",
    }

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.LOADS and a.get(self.LOADS[tag]):
            self.urls += [u.strip().split(" ")[0] for u in a[self.LOADS[tag]].split(",")]
        if (
            tag == "link"
            and a.get("href")
            and set((a.get("rel") or "").split())
            & {"stylesheet", "icon", "preload", "modulepreload", "preconnect", "dns-prefetch", "manifest"}
        ):
            self.urls.append(a["href"])
        if tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content", "")
        if "style" in a and "url(" in a["style"]:
            self.urls += re.findall(r"url\(['\"]?([^'\")]+)", a["style"])


def parse(page: Path) -> Refs:
    r = Refs()
    r.feed(page.read_text(encoding="utf-8"))
    return r


def is_third_party(url: str) -> bool:
    return bool(re.match(r"^(https?:)?//", url)) and not re.match(r"^https?://(127\.0\.0\.1|localhost)[:/]", url)


def test_one_page_per_section_in_order(site):
    for _, md in SECTION_PAGES:
        assert (site / md[:-3] / "index.html").exists()
    index = (site / "index.html").read_text(encoding="utf-8")
    nav_links = re.findall(r'class="md-nav__link[^"]*"\s+href="([^"]+)"', index) or re.findall(
        r'href="([a-z-]+/)" class="md-nav__link', index
    )
    order = [l.strip("./") for l in nav_links if l.strip("./")]
    wanted = [md[:-3] for _, md in SECTION_PAGES]
    seen = [o.rstrip("/") for o in order if o.rstrip("/") in wanted]
    assert seen[: len(wanted)] == wanted


def test_no_page_loads_anything_from_a_third_party_host(site):
    offenders = {}
    for page in html_pages(site):
        bad = [u for u in parse(page).urls if is_third_party(u)]
        if bad:
            offenders[str(page.relative_to(site))] = bad
    assert offenders == {}
    for css in site.rglob("*.css"):
        urls = re.findall(r"url\(['\"]?([^'\")]+)", css.read_text(encoding="utf-8"))
        assert not [u for u in urls if is_third_party(u)], css.name
        assert "@import" not in css.read_text(encoding="utf-8") or "fonts.googleapis" not in css.read_text(
            encoding="utf-8"
        )
    # Our own scripts name no CDN. (Material's bundle mentions one for Mermaid diagrams, which
    # this site does not use; the browser tests check that no request leaves the site.)
    for js in [*(site / "assets" / "js").rglob("*.js"), *(site / "assets" / "vendor").rglob("*.js")]:
        text = js.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"cdn\.jsdelivr|unpkg\.com|cdnjs\.cloudflare|fonts\.googleapis|fonts\.gstatic", text), (
            js.name
        )
    for page in html_pages(site):
        inline = " ".join(
            re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page.read_text(encoding="utf-8"), re.S)
        )
        assert not re.search(r"https?://(?!127\.0\.0\.1|localhost|www\.w3\.org)[\w.-]+/\S*\.m?js", inline), page


def test_every_page_has_a_meta_description(site):
    for page in html_pages(site):
        if page.name == "404.html":
            continue
        assert len(parse(page).meta.get("description", "")) > 40, page


def test_custom_404_and_favicon(site):
    text = (site / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in text and "Fact-check" in text
    assert (site / "assets" / "favicon.svg").exists()
    assert (
        'rel="icon" href="assets/favicon.svg"' in (site / "index.html").read_text()
        or "favicon.svg" in (site / "index.html").read_text()
    )


def test_light_and_dark_palettes_with_a_toggle_that_follows_the_os():
    palette = load_config(str(ROOT / "mkdocs.yml"))["theme"]["palette"]
    media = {p["media"] for p in palette}
    assert {"(prefers-color-scheme: light)", "(prefers-color-scheme: dark)"} <= media
    assert {p["scheme"] for p in palette} == {"default", "slate"}
    assert all(p.get("toggle") for p in palette)


def test_site_url_and_repo_url_are_overridable(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://example.org/roads/")
    monkeypatch.setenv("REPO_URL", "https://example.org/repo")
    cfg = load_config(str(ROOT / "mkdocs.yml"))
    assert cfg["site_url"] == "https://example.org/roads/" and cfg["repo_url"] == "https://example.org/repo"


def test_pins_keep_mkdocs_below_2_and_material_below_10():
    lock = (ROOT / "requirements" / "main.txt").read_text()
    assert re.search(r"^mkdocs==1\.", lock, re.M) and re.search(r"^mkdocs-material==9\.", lock, re.M)
    assert "--hash=sha256:" in lock
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"mkdocs>=1.6,<2"' in pyproject and '"mkdocs-material>=9.7,<10"' in pyproject


class _RawLoader(yaml.SafeLoader):
    """Reads mkdocs.yml as written: !ENV tags become None."""


_RawLoader.add_constructor("!ENV", lambda loader, node: None)


def _mini_site(tmp_path: Path, extra_page: str) -> Path:
    """A two-page fixture site using the project's own strict validation settings."""
    raw = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_RawLoader)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\n## Known anchor\n\nText.\n")
    (docs / "broken.md").write_text(extra_page)
    config = {
        "site_name": "fixture",
        "strict": raw["strict"],
        "validation": raw["validation"],
        "theme": {"name": "material"},
        "markdown_extensions": ["toc", "attr_list"],
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return tmp_path


def _build(tmp_path: Path) -> subprocess.CompletedProcess:
    # Not -q: quiet mode hides warnings from strict mode's count as well as from the log.
    return subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=tmp_path, capture_output=True, text=True)


def test_a_broken_internal_link_fails_the_build_naming_page_and_link(tmp_path):
    site = _mini_site(tmp_path, "# Broken\n\nSee [the missing page](missing.md).\n")
    proc = _build(site)
    assert proc.returncode != 0
    assert "broken.md" in proc.stderr and "missing.md" in proc.stderr


def test_a_broken_anchor_fails_the_build_naming_page_and_anchor(tmp_path):
    site = _mini_site(tmp_path, "# Broken\n\nSee [a section](index.md#no-such-anchor).\n")
    proc = _build(site)
    assert proc.returncode != 0
    assert "broken.md" in proc.stderr and "no-such-anchor" in proc.stderr


def test_the_fixture_site_builds_when_links_are_good(tmp_path):
    site = _mini_site(tmp_path, "# Fine\n\nSee [the anchor](index.md#known-anchor).\n")
    proc = _build(site)
    assert proc.returncode == 0, proc.stderr
