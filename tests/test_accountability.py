"""Readers can hold the site to account: who keeps it, a way to report an error from every page and
every claim card (a prefilled form in the repository, or an honest word when there is none), and
corrections written for readers ("an earlier version said X; it now says Y, because Z"), checked
by check-data and shown where they were made. Engine behaviour is tested on tests/fixtures/mini."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from conftest import ROOT, check_data, nav, run_explainer

from explainer.core import project as projects
from explainer.core import settings
from explainer.core.project import current_project
from explainer.devtools import serving
from explainer.steps import cards, validate

MINI = ROOT / "tests" / "fixtures" / "mini"
REPO = "https://github.com/example-org/mini-explainer"

CORRECTION = """
- date: "2026-01-05"
  page: index
  claim: W1
  before: 'the card said "different figure"'
  after: 'it says "matches"'
  why: because the 2024 row had been read from the wrong line of the table.
- date: "2026-01-04"
  page: index
  before: "the page gave 2023 as the year of the figure"
  after: "it gives 2024"
  why: the source's own table is for 2024
"""


# The session's one browser (a second Playwright instance cannot start inside the first).
pytest_plugins = ["browser_support"]


def _explainer(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_explainer(*args, keep_repo=False, **env)


def _mini_project(tmp_path: Path, corrections: str) -> Path:
    """The mini explainer, outside any git repository, with an About page, a Corrections page and
    a corrections ledger."""
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    (project / "data" / "corrections.yaml").write_text("# Corrections for readers.\n" + corrections, encoding="utf-8")
    docs = project / "docs"
    (docs / "about.md").write_text(
        "---\ntitle: About\ndescription: Who keeps it.\n---\n\n# About\n\n## Who\n\n<!-- maintainers -->\n\n"
        "## Funding\n\n<!-- funding -->\n\n## Report an error\n\n<!-- report-error -->\n",
        encoding="utf-8",
    )
    (docs / "corrections.md").write_text(
        "---\ntitle: Corrections\ndescription: What changed.\n---\n\n# Corrections\n\n## Corrections\n\n"
        "<!-- corrections -->\n\n## Data changes\n\n<!-- changes -->\n",
        encoding="utf-8",
    )
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - About: about.md\n", "  - About: about.md\n  - Corrections: corrections.md\n"
        ),
        encoding="utf-8",
    )
    return project


def _build(project: Path, tmp_path: Path, rendered: Path, **env: str) -> Path:
    """The project built, starting from `rendered` (the session's build folder: charts rendered once)."""
    site = tmp_path / "site"
    shutil.copytree(rendered, tmp_path / "b")
    proc = _explainer(
        "--project", str(project), "build", "--site-dir", str(site), EXPLAINER_BUILD_DIR=str(tmp_path / "b"), **env
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return site


# --- the repository and the report links (no build) ------------------------------------------------


def test_the_repository_comes_from_the_environment_then_the_config_then_a_github_origin(tmp_path, monkeypatch):
    project = tmp_path / "p"
    project.mkdir()
    (project / "mkdocs.yml").write_text("site_name: p\nrepo_url: !ENV [REPO_URL, null]\n", encoding="utf-8")
    monkeypatch.delenv("REPO_URL", raising=False)
    projects.use(project)
    try:
        assert current_project().repo_url() is None, "no environment, no config value, no git: no repository"
        subprocess.run(["git", "init", "-q", str(project)], check=True)
        subprocess.run(
            ["git", "-C", str(project), "remote", "add", "origin", "git@github.com:someone/some-site.git"], check=True
        )
        projects._origin_on_github.cache_clear()
        assert current_project().repo_url() == "https://github.com/someone/some-site"
        (project / "mkdocs.yml").write_text("site_name: p\nrepo_url: https://github.com/a/b/\n", encoding="utf-8")
        assert current_project().repo_url() == "https://github.com/a/b"
        monkeypatch.setenv("REPO_URL", REPO)
        assert current_project().repo_url() == REPO
        subprocess.run(
            ["git", "-C", str(project), "remote", "set-url", "origin", "https://gitlab.com/x/y.git"], check=True
        )
        projects._origin_on_github.cache_clear()
        assert projects._origin_on_github(str(project)) is None, "only a GitHub origin is taken"
    finally:
        projects.use(None)
        projects._origin_on_github.cache_clear()


def test_a_report_link_opens_the_correction_form_prefilled_and_only_on_github():
    url = settings.report_url(REPO, "Correction: W1 on Widgets", {"page": "Widgets: https://x.org/", "claim": "W1"})
    parsed = urlparse(url)
    assert f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == f"{REPO}/issues/new"
    query = parse_qs(parsed.query)
    assert query["template"] == [settings.REPORT_FORM]
    assert query["page"] == ["Widgets: https://x.org/"] and query["claim"] == ["W1"]
    assert query["title"] == ["Correction: W1 on Widgets"]
    assert "claim=" not in settings.report_url(REPO, "t", {"page": "p", "claim": ""}), "an empty field is left out"
    assert settings.report_url(None, "t", {}) is None
    assert settings.report_url("https://gitlab.com/x/y", "t", {}) is None, "issue forms are GitHub's"


def test_the_issue_form_has_the_fields_the_links_fill_and_asks_for_evidence():
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / settings.REPORT_FORM).read_text(encoding="utf-8"))
    fields = {item["id"]: item for item in form["body"] if item.get("id")}
    assert set(settings.REPORT_FIELDS) <= set(fields), "every prefilled field exists in the form"
    for required in ("page", "what", "evidence"):
        assert fields[required]["validations"]["required"] is True, required
    assert form["name"] and form["description"]


def test_a_year_slip_counted_elsewhere_is_never_shown_as_plainly_right():
    from explainer.content import fragments as pages
    from explainer.core import claims as C
    from explainer.core.records import Claim

    claim = {"id": "W2", "year_slip": "W1", "quote": "q", "figure": {"value": 54, "unit": "percent", "year": 2025}}
    slipped = C.Result(Claim.from_dict({**claim, "compare": {}}), "different year", 54.4, "2024", computed=True)
    assert pages.card_tone(slipped) == "warn"
    assert pages.bottom_line(slipped) == "The figure is right, but for 2024, not 2025."
    plain = C.Result(Claim.from_dict({**claim, "year_slip": None}), "matches", 54.4, "2025", computed=True)
    assert pages.card_tone(plain) == "ok" and pages.bottom_line(plain) == "The data give the essay's figure: 54.4%."
    wrong = C.Result(plain.claim, "different figure", 70.0, "2025", computed=True)
    assert pages.bottom_line(wrong) == "The data give 70.0%, not the essay's 54%."


# --- the corrections ledger, checked ------------------------------------------------------------------


def test_an_empty_or_comments_only_ledger_is_valid(tmp_path):
    ledger = tmp_path / "corrections.yaml"
    for text in ("", "# nothing corrected yet\n", "[]\n"):
        ledger.write_text(text, encoding="utf-8")
        assert validate.check_corrections(ledger, {"W1"}, MINI / "docs") == [], text
    assert validate.check_corrections(tmp_path / "missing.yaml", {"W1"}, MINI / "docs") == []


def test_every_problem_in_the_ledger_is_reported_at_once_with_its_line(tmp_path):
    ledger = tmp_path / "corrections.yaml"
    ledger.write_text(
        "# header\n"
        + CORRECTION
        + "- date: 2026-01-03\n  page: nowhere\n  claim: W9\n  before: ''\n  after: x\n  colour: red\n"
        + '- date: "2026-02-30"\n  page: index\n  before: a\n  after: b\n  why: c\n'
        + '- date: "2999-01-01"\n  page: index\n  before: a\n  after: b\n  why: c\n',
        encoding="utf-8",
    )
    problems = validate.check_corrections(ledger, {"W1"}, MINI / "docs")
    by_rule: dict[str, list] = {}
    for p in problems:
        by_rule.setdefault(p.rule, []).append(p)
    lines = ledger.read_text(encoding="utf-8").splitlines()
    third = next(i for i, ln in enumerate(lines, 1) if "2026-01-03" in ln)
    assert {p.line for p in problems if "correction 3" in p.place} == {third}
    assert all(re.match(r".*corrections\.yaml:\d+: correction \d", str(p)) for p in problems), problems
    assert len(by_rule["corrections-date"]) == 3, "unquoted, impossible and future dates"
    assert [p.place for p in by_rule["corrections-page"]] == ["correction 3 field 'page'"]
    assert [p.place for p in by_rule["corrections-claim"]] == ["correction 3 field 'claim'"]
    messages = " ".join(p.message for p in by_rule["corrections-field"])
    assert "'colour'" in messages and messages.count("missing or empty") == 2, messages  # before, why
    assert not [p for p in problems if "correction 1" in p.place or "correction 2" in p.place]


def test_two_corrections_run_together_are_refused_not_merged(tmp_path):
    """A merge that drops the '- date:' line between two entries must not file the second entry's
    text under the first one's claim: a key given twice is an error at the repeated key's line."""
    ledger = tmp_path / "corrections.yaml"
    ledger.write_text(
        '- date: "2026-01-05"\n  page: index\n  claim: W1\n  before: a\n  after: b\n  why: c\n'
        "  page: index\n  before: d\n  after: e\n  why: f\n",
        encoding="utf-8",
    )
    problems = validate.check_corrections(ledger, {"W1"}, MINI / "docs")
    assert [(p.line, p.rule) for p in problems] == [(7, "yaml")], problems
    assert "'page' is given twice" in problems[0].message


def test_check_data_reads_the_ledger_and_names_file_and_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI / "data", data)
    text = CORRECTION + '- date: "2026-01-01"\n  page: gone\n  before: a\n  after: b\n  why: c\n'
    (data / "corrections.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index('- date: "2026-01-01"') + 1
    status, out = check_data(MINI, EXPLAINER_DATA_DIR=str(data))
    assert status == 1
    assert f"corrections.yaml:{line}: correction 3 field 'page': 'gone' is not a page in docs/" in out, out


# --- data changes, from the data's history ----------------------------------------------------------


def test_data_changes_list_revised_figures_and_moved_verdicts_and_leave_out_the_rest(tmp_path, monkeypatch):
    from explainer.content import changelog

    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    monkeypatch.setenv("EXPLAINER_BUILD_DIR", str(tmp_path / "b"))
    for var in ("EXPLAINER_DATA_DIR", "EXPLAINER_PROJECT", "REPO_URL"):
        monkeypatch.delenv(var, raising=False)
    csv = project / "data" / "widgets.csv"

    def commit(message: str) -> None:
        git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org"]
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", message], check=True)

    subprocess.run(["git", "init", "-q", str(project)], check=True)
    commit("first")
    sources = project / "data" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("Invented for", "Made up for"), encoding="utf-8")
    commit("a note reworded")
    csv.write_text(csv.read_text(encoding="utf-8").replace("2024,Atlantis,120", "2024,Atlantis,150"), encoding="utf-8")
    commit("the 2024 figure revised")
    csv.write_text(
        csv.read_text(encoding="utf-8").replace(
            "2023,Atlantis,100,widget-census-2024,reported", "2023,Atlantis,100,widget-census-2024,revised"
        )
        + "2025,Atlantis,130,widget-census-2024,reported\n",
        encoding="utf-8",
    )
    commit("a status changed and a row added")
    mini = projects.Project.load(project)
    shown = {c.subject: c for c in changelog.reader_changes(mini)}
    assert set(shown) == {"first", "the 2024 figure revised", "a status changed and a row added"}
    assert [c.subject for c in shown.values() if c.first] == ["first"]
    revised = shown["the 2024 figure revised"]
    assert revised.figures == [("widgets.csv", 1, 0, 0, 0)]
    assert ("W1", "matches", "different figure") in revised.verdicts
    assert shown["a status changed and a row added"].figures == [("widgets.csv", 0, 1, 0, 1)]
    words = changelog.figures_words(shown["a status changed and a row added"], mini)
    assert words.endswith(": 1 figure added, 1 read at a new source or given a new status"), words
    assert "widgets.csv" not in words, "readers read the table's title, not its file name"
    page = changelog.html("feed.xml", lambda cid: f"#claim-{cid}", mini)
    assert '<a href="#claim-W1">W1</a>: from <b>matches</b> to <b>different figure</b>' in page
    assert "<p>The data as first published: " in page
    assert "a note reworded" not in page and "/commit/" not in page, "no repository: no commit links"
    assert "the 2024 figure revised" not in page, "what changed in words, not the commit's subject"
    assert "are listed; the repository's history holds the earlier ones" not in page, "the whole history is shown"
    # Only the latest changes readers can see are listed, and a note reworded takes no place among them.
    sources.write_text(sources.read_text(encoding="utf-8").replace("Made up for", "Invented for"), encoding="utf-8")
    commit("a note reworded back")
    monkeypatch.setattr(changelog, "MAX_ENTRIES", 2)
    assert [c.subject for c in changelog.reader_changes(mini)] == [
        "a status changed and a row added",
        "the 2024 figure revised",
    ]
    page = changelog.html("feed.xml", lambda cid: f"#claim-{cid}", mini)
    assert "<p>The latest 2 are listed; the repository's history holds the earlier ones.</p>" in page
    assert "<p>The data as first published: " not in page
    monkeypatch.setattr(changelog, "MAX_ENTRIES", 30)
    # A change made on a branch and merged is one entry, not one for the commit and one for the merge.
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    main = subprocess.run([*git, "branch", "--show-current"], capture_output=True, text=True).stdout.strip()
    subprocess.run([*git, "checkout", "-q", "-b", "side"], check=True)
    csv.write_text(csv.read_text(encoding="utf-8").replace("2024,Atlantis,150", "2024,Atlantis,160"), encoding="utf-8")
    commit("revised on a branch")
    subprocess.run([*git, "checkout", "-q", main], check=True)
    subprocess.run([*git, "merge", "-q", "--no-ff", "-m", "merge the branch", "side"], check=True)
    revisions = [c for c in changelog.reader_changes(mini) if c.figures == [("widgets.csv", 1, 0, 0, 0)]]
    assert len(revisions) == 2, [c.subject for c in revisions]  # the first revision, and the merged one


def test_an_old_commit_s_data_are_evaluated_without_touching_the_data_being_read(tmp_path, monkeypatch):
    """The Corrections page evaluates the claims on an old state of the data (changelog.evaluate_tree)
    while a serve thread may be reading the current data: neither sees the other's folder."""
    import os
    import threading

    from explainer.content import changelog
    from explainer.core import claims

    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("planted"))
    old = tmp_path / "old"
    shutil.copytree(root / "data", old)
    widgets = old / "widgets.csv"
    widgets.write_text(widgets.read_text(encoding="utf-8").replace("2024,Atlantis,120", "2024,Atlantis,150"))
    for var in ("EXPLAINER_DATA_DIR", "EXPLAINER_PROJECT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("EXPLAINER_BUILD_DIR", str(tmp_path / "b"))
    project = projects.Project.load(root)
    projects.use(project)
    try:
        assert changelog.evaluate_tree(project.reading(old))["W1"] == "different figure"
        seen_old: list[str] = []
        stop = threading.Event()

        def evaluate_old() -> None:
            while not stop.is_set():
                seen_old.append(changelog.evaluate_tree(project.reading(old))["W1"])

        thread = threading.Thread(target=evaluate_old)
        thread.start()
        try:
            for _ in range(30):
                assert current_project().data == root / "data"
                assert {r.id: r.verdict for r in claims.evaluate_all()}["W1"] == "matches"
                assert "EXPLAINER_DATA_DIR" not in os.environ
        finally:
            stop.set()
            thread.join()
        assert seen_old and set(seen_old) == {"different figure"}
    finally:
        projects.use(None)


def test_check_data_in_process_checks_the_project_it_is_given(tmp_path, monkeypatch):
    """validate.check_all(project) reads that project's data, charts and pages (not the process's)
    and names files as its author sees them."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("planted"))
    for var in ("EXPLAINER_DATA_DIR", "EXPLAINER_PROJECT", "EXPLAINER_CHARTS_DIR"):
        monkeypatch.delenv(var, raising=False)
    project = projects.Project.load(root)
    assert validate.check_all(project) == []
    ledger = root / "data" / "claims.yaml"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("dataset: widgets", "dataset: sprockets", 1))
    problems = validate.check_all(project)
    assert any(p.file == "data/claims.yaml" and p.rule == "evidence" and "sprockets" in p.message for p in problems), [
        str(p) for p in problems
    ]
    assert current_project().root != root, "the process's project is not the one checked"


# --- what readers see ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_with_a_repository_every_page_and_card_links_a_prefilled_report(tmp_path, mini_build):
    site = _build(_mini_project(tmp_path, CORRECTION), tmp_path, mini_build[1], REPO_URL=REPO)
    for page in site.rglob("index.html"):
        if "embed" not in page.parent.name:  # embed pages are made for an <iframe>
            assert 'class="report-error"' in page.read_text(encoding="utf-8"), page
    home = (site / "index.html").read_text(encoding="utf-8")
    # The header links to the repository (Material shows it once repo_url is set).
    assert f'href="{REPO}"' in home and "md-source" in home
    reports = [html.unescape(h) for h in re.findall(r'<a class="report-error" href="([^"]+)"', home)]
    cards = re.findall(r'<div class="claim claim--[^"]*" id="claim-', home)
    assert cards and len(reports) == 1 + len(cards), "one under the title, one on each card"
    page_report, card_report = (parse_qs(urlparse(h).query) for h in reports[:2])
    assert page_report["template"] == [settings.REPORT_FORM] and "claim" not in page_report
    assert page_report["page"][0].startswith("Widgets: ")
    assert card_report["claim"] == ["W1"] and card_report["title"] == ["Correction: W1 on Widgets"]
    card = home[home.index('id="claim-W1"') :]
    card = card[: card.index("</div>")]
    assert "Report an error in this card" in card
    assert "4 January 2026" not in card, "a page's correction that names no claim stays off the card"
    # Corrections: on the card, at the page's foot, under the title, on the Corrections page and in the feed.
    assert (
        '<strong>Corrected on <time datetime="2026-01-05">5 January 2026</time>:</strong> an earlier version said '
        "the card said &quot;different figure&quot;; it now says it says &quot;matches&quot;, because the 2024 row "
        "had been read from the wrong line of the table.</p>"
    ) in card, "the sentence readers read, with no doubled 'because' and one full stop"
    foot = home[home.index('id="page-corrections"') :]
    assert foot.index("5 January 2026") < foot.index("4 January 2026"), "newest first"
    assert "it now says it gives 2024, because the source&#x27;s own table is for 2024." in foot
    assert '<a href="#page-corrections">Corrected 5 January 2026</a>' in home
    assert 'the card for <a href="#claim-W1">claim W1</a>' in foot, "the foot points to the card standing on the page"
    ids = re.findall(r'\sid="([^"]+)"', home)
    assert len(ids) == len(set(ids)), "a correction on the card and at the foot is still one id"
    page = (site / "corrections" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="correction"') == 2 and "#claim-W1" in page
    feed = ET.fromstring((site / "assets" / "corrections.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    summaries = [e.findtext("a:summary", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert summaries[0].startswith("Corrected on 5 January 2026: an earlier version said the card said")
    link = feed.find("a:entry/a:link", ns).get("href")
    assert f'id="{link.split("#")[1]}"' in home, "the feed links the correction where it stands"
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert f'href="{REPO}"' in about and "open a blank report" in about
    assert "have not published a statement of funding" in about, "no funding invented"


@pytest.mark.slow
def test_without_a_repository_no_page_links_to_one_and_about_says_so(tmp_path, mini_build):
    site = _build(_mini_project(tmp_path, ""), tmp_path, mini_build[1])
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "issues/new" not in text and 'class="report-error"' not in text, page
        assert "md-source" not in text, f"{page}: a repository link with no repository"
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert "built without the address of its repository" in about
    assert "No correction has been made yet." in (site / "corrections" / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_repository_link_asks_nothing_of_another_host(tmp_path, browser, mini_build):
    """The header's repository link is a plain link: the theme's script would otherwise ask GitHub's
    API for the repository's stars, a request off the site (and a console error under the CSP)."""
    from browser_support import open_page

    site = _build(_mini_project(tmp_path, ""), tmp_path, mini_build[1], REPO_URL=REPO)
    with serving.serve(site) as srv, open_page(browser) as (page, rec):
        page.goto(srv.origin + "/")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        assert page.locator("a.md-source").first.get_attribute("href") == REPO
        assert rec.off_site(srv.origin) == [], rec.off_site(srv.origin)
        assert rec.problems() == []


# --- this site ------------------------------------------------------------------------------------


def test_the_about_page_is_in_the_nav_and_how_we_checked_promises_no_missing_link():
    assert "about.md" in [f for _, f in nav()]
    about = (ROOT / "docs" / "about.md").read_text(encoding="utf-8")
    for block in ("maintainers", "funding", "report-error"):
        assert f"<!-- {block} -->" in about, block
    checked = (ROOT / "docs" / "how-we-checked.md").read_text(encoding="utf-8")
    assert "link at the top of each page" not in checked
    assert "<!-- report-error -->" in checked, "what it says about reporting follows the build"


def test_the_home_card_says_more_than_the_title():
    spec = cards._title_spec("Widgets", "Widgets", "A one-page explainer that checks one claim about widgets.")
    texts = [v["t"] for layer in spec["layer"] for v in layer["data"]["values"] if "t" in v]
    assert texts.count("Widgets") == 1, "the site's name is not repeated under a title that is the same"
    assert "A one-page explainer that checks one claim about" in " ".join(texts)
    long = cards._title_spec("T", "S", "word " * 200)
    lines = [v["t"] for layer in long["layer"] for v in layer["data"]["values"] if "t" in v]
    assert len(lines) <= 8 and lines[-2].endswith("…"), lines
