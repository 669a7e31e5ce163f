"""The frame: pages in the essay's order, every page in the nav, the two commands documented."""

from __future__ import annotations

import re
import subprocess

from conftest import ROOT, SECTION_PAGES, essay_headings, nav

from explainer.content import cite


def test_nav_follows_the_essay_order():
    assert [t for t, _ in SECTION_PAGES] == essay_headings(), "section pages must follow the essay's headings, in order"
    titles = [t for t, _ in nav()]
    first, last = titles.index(SECTION_PAGES[0][0]), titles.index(SECTION_PAGES[-1][0])
    assert titles[first : last + 1] == [t for t, _ in SECTION_PAGES], "the sections stand together in the nav"
    # The annotated essay, when there is one, stands between the home page and the sections.
    annotated = [t for t, f in nav() if "<!-- annotated-essay -->" in (ROOT / "docs" / f).read_text(encoding="utf-8")]
    assert titles[0] == "Home" and titles[1:first] == annotated, "the home page first, then the essay, its sections"


def test_every_markdown_page_is_in_the_nav():
    in_nav = {f for _, f in nav()}
    on_disk = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert on_disk - in_nav == set(), "pages missing from the nav"
    assert all((ROOT / "docs" / f).exists() for f in in_nav)


def test_every_page_has_front_matter_that_parses_with_a_title_and_a_description():
    """Front matter that is not valid YAML is shown to readers as page text by MkDocs (and
    rejected by Zensical): parse it, as both do."""
    for _, f in nav():
        if not f.endswith(".md"):
            continue
        text = (ROOT / "docs" / f).read_text(encoding="utf-8")
        assert cite.split_front_matter(text)[0], f"{f}: no front matter"
        meta = cite.front_matter(text)  # raises on front matter that is not valid YAML
        assert str(meta.get("title") or "").strip(), f"{f}: no title"
        desc = str(meta.get("description") or "")
        assert 50 <= len(desc) <= 200, f"{f}: description missing or not 50-200 characters"


def test_section_pages_are_real_prose_in_our_words():
    essay = (ROOT / "data" / "essay.txt").read_text(encoding="utf-8")
    essay_sentences = {s.strip() for s in re.split(r"(?<=[.!?])\s+", essay) if len(s.split()) > 12}
    for _, f in SECTION_PAGES:
        text = (ROOT / "docs" / f).read_text(encoding="utf-8")
        prose = re.sub(r"<!--.*?-->|\{\{.*?\}\}", "", text)
        assert len(prose.split()) > 250, f"{f}: too short to explain its section"
        assert not re.search(r"lorem ipsum|TODO|TBD|placeholder", prose, re.I), f"{f}: placeholder text"
        copied = [s for s in essay_sentences if s in text]
        assert not copied, f"{f} copies long essay sentences: {copied[:1]}"


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:600]
    assert head.index("make serve") < head.index("make test")


def test_make_help_lists_every_target():
    out = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    targets = re.findall(r"^([a-z-]+):[^=\n]*##", (ROOT / "Makefile").read_text(), re.M)
    assert len(targets) >= 10
    for t in targets:
        assert f"make {t} " in out, f"make help does not list {t}"


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
