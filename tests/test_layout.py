"""The frame: pages in the essay's order, every page in the nav, the two commands documented."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from mkdocs.config import load_config

from conftest import ROOT, SECTION_PAGES


def nav() -> list[tuple[str, str]]:
    cfg = load_config(str(ROOT / "mkdocs.yml"))
    return [(list(item)[0], list(item.values())[0]) for item in cfg["nav"]]


def test_nav_follows_the_essay_order():
    essay = (ROOT / "tests" / "essay.txt").read_text(encoding="utf-8")
    headings = [ln.strip() for ln in essay.splitlines() if ln.strip() in {t for t, _ in SECTION_PAGES}]
    titles = [t for t, _ in nav()]
    sections = [t for t in titles if t in headings]
    assert sections == headings, "section pages must follow the essay's headings, in order"
    assert titles[0] == "Home" and titles[-3:] == ["Fact-check", "Sources", "Methods"]
    assert [f for _, f in nav()][1:8] == [f for _, f in SECTION_PAGES]


def test_every_markdown_page_is_in_the_nav():
    in_nav = {f for _, f in nav()}
    on_disk = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert on_disk - in_nav == set(), "pages missing from the nav"
    assert all((ROOT / "docs" / f).exists() for f in in_nav)


def test_every_page_has_a_title_and_a_meta_description():
    for md in (ROOT / "docs").glob("*.md"):
        front = re.match(r"^---\n(.*?)\n---\n", md.read_text(encoding="utf-8"), re.S)
        assert front, f"{md.name}: no front matter"
        assert re.search(r"^title: \S", front.group(1), re.M), f"{md.name}: no title"
        desc = re.search(r"^description: (.+)$", front.group(1), re.M)
        assert desc and 50 <= len(desc.group(1)) <= 200, f"{md.name}: description missing or not 50-200 characters"


def test_section_pages_are_real_prose_in_our_words():
    essay = (ROOT / "tests" / "essay.txt").read_text(encoding="utf-8")
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
    out = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    targets = re.findall(r"^([a-z-]+):[^=\n]*##", (ROOT / "Makefile").read_text(), re.M)
    assert len(targets) >= 10
    for t in targets:
        assert f"make {t} " in out, f"make help does not list {t}"


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
