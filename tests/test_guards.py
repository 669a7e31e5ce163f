"""The guards (explainer/content/guards.py): each class of error an editor found fails the build, naming
the file and the line, on a copy of the fixture explainer (tests/fixtures/mini) with the error planted."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from explainer.content import guards
from explainer.core import settings

MINI = ROOT / "tests" / "fixtures" / "mini"
LOCAL = re.compile(r"127\.0\.0\.1|localhost")


@pytest.fixture(autouse=True, scope="module")
def _rendered_charts(mini_build, tmp_path_factory):
    """The builds here share one build folder, seeded with the session's rendered charts."""
    cache = tmp_path_factory.getbasetemp() / "charts-cache"
    if not cache.exists():
        shutil.copytree(mini_build[1], cache)


def _project(tmp_path: Path, page_extra: str = "") -> Path:
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    if page_extra:
        page = project / "docs" / "index.md"
        page.write_text(page.read_text(encoding="utf-8") + page_extra, encoding="utf-8")
    return project


def _build(project: Path, cache: Path, **env: str) -> tuple[subprocess.CompletedProcess, Path]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_") and k != "SITE_URL"}
    site = project.parent / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "explainer", "--project", str(project), "build", "--site-dir", str(site)],
        cwd=project,
        env={**environ, "EXPLAINER_BUILD_DIR": str(cache), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc, site


def _line_of(project: Path, text: str) -> int:
    lines = (project / "docs" / "index.md").read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if text in line)


# --- what is written reaches the reader ----------------------------------------------------------


def test_a_value_whose_unit_the_prose_repeats_fails_at_its_marker(tmp_path_factory):
    """`{{ claim W1 }}` formats as "120 widgets"; prose that adds "widgets" again is named."""
    tmp = tmp_path_factory.mktemp("unit")
    project = _project(tmp, "\nThe data give {{ claim W1 }} widgets, and {{ essay W1 }}.\n")
    proc, _ = _build(project, tmp_path_factory.getbasetemp() / "charts-cache")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    line = _line_of(project, "{{ claim W1 }} widgets")
    assert re.search(rf"docs/index\.md:{line}: .*'120 widgets widgets'; write the unit once", out), out


def test_a_wrapped_line_read_as_a_list_number_and_a_doubled_unit_fail_the_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hijack")
    planted = (
        "\nThe census counts every widget made in Atlantis. Its last count is for\n"
        "2024. Later years are not yet published.\n"
        "\nAtlantis made 1.2× times as many widgets as in 2023, a rise of 20%%.\n"
    )
    project = _project(tmp, planted)
    proc, _ = _build(project, tmp_path_factory.getbasetemp() / "charts-cache")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    hijack = _line_of(project, "2024. Later years")
    doubled = _line_of(project, "1.2× times")
    assert re.search(rf"docs/index\.md:{hijack}: a wrapped line begins '2024\.'", out), out
    assert f"docs/index.md:{doubled}: a unit is written twice: '1.2× times'" in out, out
    assert f"docs/index.md:{doubled}: a unit is written twice: '20%%'" in out, out


def test_the_fixture_and_its_fixed_text_pass(tmp_path_factory):
    """The fixture as it stands builds: every word it writes reaches the page."""
    tmp = tmp_path_factory.mktemp("clean")
    project = _project(tmp, "\nIts last count is for 2024.\nLater years are not yet published.\n")
    proc, site = _build(project, tmp_path_factory.getbasetemp() / "charts-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "last count is for 2024." in (site / "index.html").read_text(encoding="utf-8")


def test_a_word_the_rendered_page_drops_is_named_with_its_line():
    md = "# Title\n\nFirst paragraph.\n\nThe year was\n2025. It rose.\n\nA [link](https://example.org) kept.\n"
    shown = "<h1>Title</h1><p>First paragraph.</p><p>The year was</p><ol><li>It rose.</li></ol><p>A link kept.</p>"
    problems = guards.rendered_text(md, md, shown, "docs/x.md", first_line=3)
    assert [(p.line, p.rule) for p in problems] == [(8, "rendered-text")]
    assert "'2025.'" in problems[0].message
    # A word lost anywhere else is named too, with the words the page shows instead.
    problems = guards.rendered_text(md, md, shown.replace("First", "Last"), "docs/x.md", first_line=3)
    assert any(p.line == 5 and "'first'" in p.message and "'last'" in p.message for p in problems), problems
    # Markdown that renders faithfully passes: lists, code, tables, links, footnotes, admonitions.
    ok = (
        "1. one\n2. two\n\n- a\n    1. nested\n\n`<b>` code\n\n| A | B |\n|---|--:|\n| 1 | 2 |\n\n"
        '!!! note "Heads up"\n    Body.\n\nText[^1].\n\n[^1]: Foot.\n'
    )
    html = (
        "<ol><li>one</li><li>two</li></ol><ul><li>a<ol><li>nested</li></ol></li></ul><p><code>&lt;b&gt;</code> "
        "code</p><table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>"
        '<div class="admonition note"><p class="admonition-title">Heads up</p><p>Body.</p></div>'
        '<p>Text<sup>1</sup>.</p><div class="footnote"><ol><li>Foot.</li></ol></div>'
    )
    assert guards.rendered_text(ok, ok, html, "docs/ok.md") == []
    # Link targets with parentheses, tags over several lines, scripts and code are not prose.
    ok = (
        'See [Foo](https://en.wikipedia.org/wiki/Foo_(bar) "t").\n\n<iframe\n  src="x">\n</iframe>\n\n'
        '<script>var hidden = 1;</script>\n\n```html\n<iframe src="a"></iframe>\n```\n'
    )
    html = (
        '<p>See <a href="x">Foo</a>.</p><iframe src="x"></iframe><script>var h;</script>'
        '<pre><code>&lt;iframe src="a"&gt;&lt;/iframe&gt;</code></pre>'
    )
    assert guards.rendered_text(ok, ok, html, "docs/ok.md") == []


def test_doubled_units_are_caught_whichever_side_writes_the_unit():
    assert guards.doubled_unit("2.3×", "about ", " times as much")
    assert guards.doubled_unit("$5 billion", "of ", " billion")
    assert guards.doubled_unit("$5 billion", "of $", " in 2024")
    assert guards.doubled_unit("54%", "of ", "% of")
    assert guards.doubled_unit("54%", "of ", " percent")
    assert guards.doubled_unit("2.3×", "about ", " as much") is None
    assert guards.doubled_unit("54", "of ", "% of") is None
    assert guards.doubled_unit("2024", "in ", " the year") is None


# --- no local address in a build ------------------------------------------------------------------


@pytest.mark.parametrize(
    "remote, url",
    [
        ("https://github.com/Owner/Repo.git", "https://owner.github.io/Repo/"),
        ("https://github.com/owner/repo", "https://owner.github.io/repo/"),
        ("git@github.com:owner/repo.git", "https://owner.github.io/repo/"),
        ("ssh://git@github.com/owner/repo.git", "https://owner.github.io/repo/"),
        ("https://github.com/owner/owner.github.io.git", "https://owner.github.io/"),
        ("https://gitlab.com/owner/repo.git", None),
        ("/srv/git/repo.git", None),
        (None, None),
    ],
)
def test_the_github_pages_address_is_derived_from_the_remote(remote, url):
    assert settings.github_pages_url(remote) == url


def _local_addresses(site: Path) -> list[str]:
    """Every mention of a local host in the output, less the fixture's invented source
    (http://127.0.0.1:9/…: a source address is data, and keeps the link checks offline)."""
    found = []
    for p in site.rglob("*"):
        if p.is_file() and p.suffix not in (".png", ".zip", ".gz", ".map"):
            text = p.read_text("utf-8", "replace").replace("http://127.0.0.1:9/widget-census-2024", "")
            text = text.replace("(127.0.0.1:9)", "").replace("(127.0.0.1)", "")  # its label names its host
            text = text.replace(">127.0.0.1:9</a>", "")  # and the Sources page's "Where we read it"
            found += [f"{p.relative_to(site)}: {m.group(0)}" for m in LOCAL.finditer(text)]
    return found


def test_a_build_without_site_url_writes_no_local_address(tmp_path_factory):
    """No SITE_URL and no GitHub remote: no canonical link, no absolute share tags, a relative
    sitemap, and the build log says so once. (Source maps are the theme's own code comments.)"""
    tmp = tmp_path_factory.mktemp("nourl")
    project = _project(tmp)
    proc, site = _build(project, tmp_path_factory.getbasetemp() / "charts-cache")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert out.count("no public address for the site") == 1, out
    assert _local_addresses(site) == []
    assert guards.local_addresses(site, ["http://127.0.0.1:9/widget-census-2024"]) == []
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'rel="canonical"' not in home and 'property="og:url"' not in home
    chart_page = (site / "charts" / "widgets" / "index.html").read_text(encoding="utf-8")
    assert "<iframe" not in chart_page and "built without its public address" in chart_page


def test_a_build_in_a_github_repository_uses_its_pages_address(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("remote")
    project = _project(tmp)
    git = ["git", "-C", str(project)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "remote", "add", "origin", "git@github.com:someone/widgets.git"], check=True)
    proc, site = _build(project, tmp_path_factory.getbasetemp() / "charts-cache")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "site address https://someone.github.io/widgets/ (from the git remote origin" in out
    assert _local_addresses(site) == []
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://someone.github.io/widgets/">' in home
    assert 'content="https://someone.github.io/widgets/' in home  # og:url, og:image
    chart_page = (site / "charts" / "widgets" / "index.html").read_text(encoding="utf-8")
    assert "https://someone.github.io/widgets/charts/widgets/embed/" in chart_page
    assert "https://someone.github.io/widgets/" in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_a_local_address_written_into_a_page_fails_the_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("local")
    project = _project(tmp, "\nSee [the preview](http://127.0.0.1:8000/preview/).\n")
    proc, _ = _build(project, tmp_path_factory.getbasetemp() / "charts-cache")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert re.search(r"site/index\.html:\d+: a local address is written into the build: .*127\.0\.0\.1:8000", out), out


# --- tables readers can read -------------------------------------------------------------------------

_CHART = '''"""Widgets made in Atlantis
Atlantis made more widgets in 2024 than in 2023.
"""

import altair as alt

from explainer.core.data import load

SOURCES = ["widget-census-2024"]
{table}

def build() -> alt.Chart:
    df = load("widgets")
    df["x"] = df.year + 0.25  # a plotting column
    df["connect"] = True
    return alt.Chart(df).mark_bar().encode(x="x:Q", y="units:Q")
'''


def test_a_charts_table_shows_the_readers_columns_only(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("table")
    project = _project(tmp)
    (project / "charts" / "widgets.py").write_text(_CHART.format(table=""), encoding="utf-8")
    proc, site = _build(project, tmp / "cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (site / "index.html").read_text(encoding="utf-8")
    table = page[page.index("<table>") : page.index("</table>")]
    heads = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table)
    assert heads == ["Year", "Place", "Widgets made", "Source", "Status"], heads
    assert '<td class="num">120</td>' in table and "<td>2024</td>" in table
    assert ">Atlantis statistics" in table and ">widget-census-2024<" not in table  # by name, not id


def test_a_table_naming_a_plotting_column_fails_the_chart_naming_its_line(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("table-bad")
    project = _project(tmp)
    chart = project / "charts" / "widgets.py"
    chart.write_text(_CHART.format(table='TABLE = ["year", "units", "x"]'), encoding="utf-8")
    proc, _ = _build(project, tmp / "cache")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    line = next(i for i, text in enumerate(chart.read_text().split("\n"), 1) if text.startswith("TABLE"))
    assert re.search(rf"charts/widgets\.py:{line}: .*TABLE shows column 'x', which is in no schema", out), out


def test_table_figures_are_shown_as_precisely_as_they_are_known():
    from explainer.content.fragments import fmt_table_date, fmt_table_number

    assert fmt_table_number(8.74395e21) == "8.74395 × 10²¹"  # not 8,743,950,000,000,000,327,680
    assert fmt_table_number(3.7e-05) == "3.7 × 10⁻⁵"  # not 0
    assert fmt_table_number(0.30000000000000004) == "0.3"
    assert fmt_table_number(1355.6) == "1,355.6" and fmt_table_number(23000.0) == "23,000"
    assert fmt_table_number(2024, "year") == "2024"
    assert fmt_table_date("2024-07-01", "year") == "2024" and fmt_table_date("2024-04-01", "month") == "April 2024"
    assert fmt_table_date("2024-12-27") == "2024-12-27"


def test_figures_in_tables_are_right_aligned_over_the_themes_rule():
    css = (ROOT / "explainer" / "mkdocs" / "theme" / "assets" / "css" / "site.css").read_text(encoding="utf-8")
    assert ".md-typeset table:not([class]) td.num:not([align])" in css


def test_under_serve_a_guard_shows_its_problem_on_the_page():
    """`make serve` stays forgiving: the page renders, with the problem in a box at its top."""
    from types import SimpleNamespace

    from explainer.mkdocs.plugin import ExplainerPlugin

    plugin = ExplainerPlugin()
    plugin.serve = True
    md = "The last count is for\n2024. Later years are not yet published.\n"
    plugin.written["index.md"] = (md, md, 5)
    page = SimpleNamespace(file=SimpleNamespace(src_uri="index.md", generated_by=None))
    shown = "<p>The last count is for</p><ol><li>Later years are not yet published.</li></ol>"
    out = plugin.on_page_content(shown, page=page, config=None, files=None)
    assert out.endswith(shown) and 'class="admonition failure build-error"' in out
    assert "docs/index.md:6: a wrapped line begins &#x27;2024.&#x27;" in out
