"""The site built with Zensical (`make build ENGINE=zensical`) reads as the MkDocs build does.

Both builds make the same pages, and every page's article (its words and figures, in order) is
the same in both, the notebook page's less mkdocs-jupyter's own prompts and copy buttons
(`NOTEBOOK_CHROME`). What else the Zensical build lacks is declared in `explainer.zensical.build`
(`MISSING`, which ARCHITECTURE.md repeats). Zensical is installed by `make test`
(requirements/zensical.txt); without it these tests are skipped, saying so.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import ROOT, html_pages, nav

from explainer.core import files
from explainer.devtools import serving
from explainer.zensical import build as zbuild

pytest_plugins = ["browser_support"]  # the session's one browser

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("zensical") is None,
        reason="Zensical is not installed (make test and make build ENGINE=zensical install requirements/zensical.txt)",
    ),
]


class _Article(HTMLParser):
    """The words of a page's <article> (or of the element `root` names; scripts and styles aside)
    and its figures (each image's file name, each inline SVG), in order."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, root: str = "article", skip: tuple[str, ...] = ()) -> None:
        super().__init__(convert_charrefs=True)
        self.root, self.skip = root, set(skip)
        self.opened: list[int] = []  # for each open element, whether it hides its content
        self.depth = self.hidden = 0
        self.words: list[str] = []
        self.figures: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if not self.depth:
            self.depth = int(tag == self.root)
            return
        if not self.hidden:  # where links lead and images come from
            a = dict(attrs)
            self.links += [a[k] for k in ("href", "src", "srcset") if a.get(k) and tag in ("a", "img", "source")]
        if tag == "img" and not self.hidden:
            self.figures.append("img " + (dict(attrs).get("src") or "").rsplit("/", 1)[-1])
        if tag in self.VOID:
            return
        self.depth += 1
        classes = set((dict(attrs).get("class") or "").split())
        hides = int(tag in ("script", "style") or bool(classes & self.skip))
        self.opened.append(hides)
        self.hidden += hides
        if tag == "svg" and not self.hidden:
            self.figures.append("svg")

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1
            self.hidden -= self.opened.pop() if self.opened else 0

    def handle_data(self, data):
        if self.depth and not self.hidden:
            self.words += data.split()


def links(page: Path, site: Path) -> list[str]:
    """Where the article's links lead and its images come from, the site served under a path (as on
    GitHub Pages), so that a link climbing above the site's root shows."""
    parser = _Article("article" if "<article" in page.read_text(encoding="utf-8") else "body", zbuild.NOTEBOOK_CHROME)
    parser.feed(page.read_text(encoding="utf-8"))
    base = "https://site.invalid/under/" + page.relative_to(site).as_posix()
    return [urljoin(base, href).removeprefix("https://site.invalid") for href in parser.links]


def article(page: Path) -> tuple[list[str], list[str]]:
    """The article's words and figures; a page without one (a chart's embed page): its body's.
    mkdocs-jupyter's own elements (prompts, copy buttons) are left out: a notebook page of the
    Zensical build has none (`NOTEBOOK_CHROME`)."""
    html = page.read_text(encoding="utf-8")
    root = "article" if "<article" in html else "body"
    parser = _Article(root, zbuild.NOTEBOOK_CHROME)
    parser.feed(html)
    return parser.words, parser.figures


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zensical") / "site"
    # As if a MkDocs build had been there: the Zensical build must drop its fingerprint.
    files.write_atomic(files.site_stamp(out, ROOT / "build"), "a MkDocs build's inputs")
    proc = _build_zensical(out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _build_zensical(site: Path) -> subprocess.CompletedProcess:
    """`build-zensical` into `site`, as the command line runs it."""
    return subprocess.run(
        [sys.executable, "-m", "explainer", "build-zensical", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in html_pages(site)}


def test_zensical_makes_every_page_the_mkdocs_build_makes(site, zensical_site):
    assert sorted(_pages(site) - _pages(zensical_site)) == [], "pages the Zensical build does not make"
    assert sorted(_pages(zensical_site) - _pages(site)) == [], "pages only the Zensical build makes"


def test_a_zensical_site_is_never_taken_for_a_current_mkdocs_build(zensical_site):
    assert not files.site_stamp(zensical_site, ROOT / "build").exists()


def test_every_page_reads_the_same_in_both_builds(site, zensical_site):
    differ = []
    for rel in sorted(_pages(site) & _pages(zensical_site)):
        (words, figures), (z_words, z_figures) = article(site / rel), article(zensical_site / rel)
        assert words, f"{rel}: no article text found in the MkDocs build"
        if words != z_words:
            at = next((i for i, (a, b) in enumerate(zip(words, z_words)) if a != b), min(len(words), len(z_words)))
            mk, zn = " ".join(words[at : at + 8]), " ".join(z_words[at : at + 8])
            differ.append(f"{rel}: words differ at word {at}: MkDocs {mk!r}, Zensical {zn!r}")
        if figures != z_figures:
            differ.append(f"{rel}: figures differ: {figures} / {z_figures}")
        mk_links, z_links = links(site / rel, site), links(zensical_site / rel, zensical_site)
        if mk_links != z_links:
            wrong = [f"{a} / {b}" for a, b in zip(mk_links, z_links) if a != b][:3]
            counts = (len(mk_links), len(z_links))
            differ.append(f"{rel}: links or images lead elsewhere (MkDocs / Zensical): {wrong or counts}")
    assert not differ, "pages whose article differs between MkDocs and Zensical:\n" + "\n".join(differ)


def test_zensical_pages_carry_the_policy_the_share_tags_and_structured_data_in_head(site, zensical_site):
    for rel in sorted(_pages(site) & _pages(zensical_site)):
        if rel == "404.html" or "/embed/" in rel:  # neither build finishes these: the embeds carry their own
            continue
        page = (zensical_site / rel).read_text(encoding="utf-8")
        head, _, body = page.partition("</head>")
        assert head.split("<head>", 1)[1].lstrip().startswith('<meta http-equiv="Content-Security-Policy"'), rel
        assert '<meta property="og:title"' in head, f"{rel}: no share tags"
        assert "application/ld+json" not in body, f"{rel}: structured data left in the body"
        mkdocs_head = (site / rel).read_text(encoding="utf-8").partition("</head>")[0]
        assert head.count("application/ld+json") == mkdocs_head.count("application/ld+json"), rel
        image = [t for t in head.split("<meta ") if 'property="og:image"' in t]
        assert image == [t for t in mkdocs_head.split("<meta ") if 'property="og:image"' in t], f"{rel}: share card"


def test_a_failed_zensical_build_leaves_the_site_as_it_was(tmp_path, data_copy):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the last good site")
    claims = data_copy / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8") + "\n- id: [unclosed\n", encoding="utf-8")
    proc = _build_zensical(site)
    assert proc.returncode != 0
    assert "was left as it was" in proc.stderr
    assert (site / "index.html").read_text() == "the last good site"


@pytest.mark.browser
def test_zensical_search_finds_a_page_by_its_title_and_the_pages_raise_no_errors(zensical_site, browser):
    """Zensical's own search box (the project's override of Material's is left out of its theme)
    finds a page, under the Content-Security-Policy, with no script error on the way."""
    title = nav()[1][0]
    errors: list[str] = []
    with serving.serve(zensical_site) as srv:
        page = browser.new_page()
        try:
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(srv.url(""))
            page.locator(".md-search__button").first.click()
            page.keyboard.type(title)
            # Zensical draws the results in a shadow root of its own.
            page.wait_for_function(
                """title => [...document.querySelectorAll('*')].some(e => e.shadowRoot
                    && /\\d+ results?/.test(e.shadowRoot.textContent) && e.shadowRoot.textContent.includes(title))""",
                arg=title,
                timeout=15_000,
            )
        finally:
            page.close()
    assert not errors, errors
