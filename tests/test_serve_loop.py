"""The author's loop under `make serve`: one save, one rebuild.

A saved data value is rebuilt once; the work that follows in the background (a chart's other
images, a notebook page re-run on the new data) is put into the served site in place, never by
a second rebuild that would hold up the author's next save. Run on a copy of the tiny explainer
(tests/fixtures/mini) with a notebook page added, each serve in its own build folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import copy_mini

from explainer.devtools import bench

pytestmark = pytest.mark.slow

START_TIMEOUT = 240
TIMEOUT = 120
ROW = re.compile(r"^2024,Atlantis,(\d+),", re.M)

NOTEBOOK = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Notes

# %%
from explainer.core import data as D

w = D.load("widgets")
print("units in 2024:", int(w[w.year == 2024].units.iloc[0]))
"""


PLAIN = """---
title: Plain
description: A page of prose that reads no data.
---

# Plain

Prose only, no marker.

## A section

More prose.
"""

LINKER = """---
title: Linker
description: A page that links to a section of another.
---

# Linker

See [the section](plain.md#a-section).
"""
REBUILT = re.compile(r"rebuilt in .*? (\d+) pages [\d.]+ s \(([^;)]*); (\d+) unchanged reused\)")


def _get(url: str) -> str:
    return bench.fetch(url) or ""


class Serve:
    """`mkdocs serve` (the measuring tools' harness, bench.Serve) on a copy of the fixture with a
    notebook page added."""

    def __init__(self, tmp: Path):
        self.root = copy_mini(tmp / "mini")
        (self.root / "docs" / "notes.py").write_text(NOTEBOOK, encoding="utf-8")
        (self.root / "docs" / "plain.md").write_text(PLAIN, encoding="utf-8")
        (self.root / "docs" / "linker.md").write_text(LINKER, encoding="utf-8")
        config = self.root / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        jupyter = '  - mkdocs-jupyter:\n      include: ["notes.py"]\n      execute: true\n'
        text = text.replace("  - explainer\n", "  - explainer\n" + jupyter)
        config.write_text(text + "  - Notes: notes.py\n  - Plain: plain.md\n  - Linker: linker.md\n", encoding="utf-8")
        self.logfile = tmp / "serve.log"
        environ = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")}
        environ.update(EXPLAINER_BUILD_DIR=str(tmp / "build"))
        self.server = bench.Serve(bench.free_port(), environ, [], self.logfile, config=config, cwd=self.root)
        self.port, self.proc = self.server.port, self.server.proc

    def get(self, path: str = "") -> str:
        return _get(f"http://127.0.0.1:{self.port}/{path}")

    def log(self) -> str:
        return self.server.log_text()

    def wait(self, ok, what: str, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not ok():
            if self.proc.poll() is not None:
                pytest.fail(f"mkdocs serve exited ({self.proc.returncode}) waiting for {what}:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} within {timeout} s:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def quiet(self, seconds: float = 3.0, timeout: float = TIMEOUT) -> None:
        """Until the log has said nothing new for `seconds`."""
        deadline = time.monotonic() + timeout
        size, since = len(self.log()), time.monotonic()
        while time.monotonic() - since < seconds and time.monotonic() < deadline:
            time.sleep(0.2)
            if len(self.log()) != size:
                size, since = len(self.log()), time.monotonic()

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Serve(tmp_path_factory.mktemp("loop"))
    try:
        s.wait(lambda: "units in 2024: 120" in s.get("notes/") and "Widgets" in s.get(), "first build", START_TIMEOUT)
        s.quiet()
        yield s
    finally:
        s.stop()


def test_a_first_serve_shows_each_chart_first_and_finishes_its_other_images_in_place(served):
    """A fresh serve renders what a page shows first (the wide images) before it serves; the narrow
    images, the PNG and the share card follow in the background, put in place without a rebuild,
    and the pages' narrow image sizes are corrected to the rendered ones."""
    served.wait(lambda: "served in place: the other images of" in served.log(), "the first serve's other images")
    log = served.log()
    first = log.index("built in ")
    assert log.index("served in place: the other images of") > first, log
    assert len(re.findall(r"rebuilt in \d", log[: log.index("served in place: the other images of")])) == 1, log
    build = served.logfile.parent / "build" / "charts"
    meta = json.loads((build / "widgets.meta.json").read_text(encoding="utf-8"))
    w, h = meta["size"]["narrow"]
    served.wait(
        lambda: f'widgets.narrow.dark.svg" width="{w}" height="{h}"' in served.get(), "the corrected narrow size"
    )
    for kind in ("narrow.light.svg", "png", "card.png"):
        body = urllib.request.urlopen(f"http://127.0.0.1:{served.port}/assets/charts/widgets.{kind}", timeout=10).read()
        assert body == (build / f"widgets.{kind}").read_bytes(), kind


def test_one_save_is_one_rebuild_and_the_background_work_is_served_in_place(served):
    csv = served.root / "data" / "widgets.csv"
    good = csv.read_text(encoding="utf-8")
    start = len(served.log())
    try:
        csv.write_text(ROW.sub("2024,Atlantis,4321,", good, count=1), encoding="utf-8")
        served.wait(lambda: "4,321" in served.get(), "new value on the page")
        # The notebook re-runs on the new data and its page shows it, without another rebuild.
        served.wait(lambda: "units in 2024: 4321" in served.get("notes/"), "notebook page on the new data")
        served.quiet()
        log = served.log()[start:]
        rebuilds = re.findall(r"^.*rebuilt in .*$", log, re.M)
        assert len(rebuilds) == 1, "one save set off more than one rebuild:\n" + log
        assert log.count("Building documentation") == 1, log
        assert "served in place: the other images of widgets" in log, log
        assert "served in place: notes/ with the notebook's new output" in log, log
        # What the background finished is what is served: the chart's other images.
        build = served.logfile.parent / "build" / "charts"
        for kind in ("light.svg", "dark.svg", "narrow.light.svg", "png", "card.png"):
            served_file = urllib.request.urlopen(
                f"http://127.0.0.1:{served.port}/assets/charts/widgets.{kind}", timeout=10
            ).read()
            assert served_file == (build / f"widgets.{kind}").read_bytes(), f"widgets.{kind} is not the finished one"
        page = served.get("notes/")
        assert "Re-running" not in page, "the notebook page still says it is re-running"
    finally:
        csv.write_text(good, encoding="utf-8")
    served.wait(lambda: "units in 2024: 120" in served.get("notes/"), "notebook page back on the old data")
    served.quiet()
    assert len(re.findall(r"rebuilt in ", served.log()[start:])) == 2, served.log()[start:]


def _steady(html: str) -> str:
    """A served page less the dev server's reload script (its epochs move with every rebuild)."""
    return re.sub(r"livereload\(\d+, \d+\)", "livereload()", html)


def _rebuilt(log: str) -> tuple[set[str], int]:
    """The pages the one rebuild in `log` rendered, and how many it reused as rendered."""
    lines = REBUILT.findall(log)
    assert len(lines) == 1, "expected one rebuild line naming the pages rendered:\n" + log
    count, rendered, reused = lines[0]
    assert int(count) == len(rendered.split(", ")), log
    return set(rendered.split(", ")), int(reused)


def test_a_save_re_renders_only_the_pages_that_read_it(served):
    """A saved page renders that page alone, a new heading included (and the pages that link to its
    sections); a saved table renders the pages that read it (its chart's, a page whose figures or
    claims come from it), and the others are served as they were."""
    plain, csv = served.root / "docs" / "plain.md", served.root / "data" / "widgets.csv"
    good_plain, good_csv = plain.read_text(encoding="utf-8"), csv.read_text(encoding="utf-8")
    home = _steady(served.get())
    try:
        start = len(served.log())
        plain.write_text(good_plain.replace("no marker.", "no marker, and a word added."), encoding="utf-8")
        served.wait(lambda: "a word added" in served.get("plain/"), "the saved page")
        served.quiet()
        rendered, reused = _rebuilt(served.log()[start:])
        assert rendered - {"notes.py"} == {"plain.md"}, rendered  # a notebook page is always rendered
        assert reused >= 2
        assert _steady(served.get()) == home, "a page the save did not touch changed"

        # A heading renamed: the page itself, and the page whose link into it MkDocs checks.
        start = len(served.log())
        plain.write_text(good_plain.replace("## A section", "## A section renamed"), encoding="utf-8")
        served.wait(lambda: "A section renamed" in served.get("plain/"), "the renamed heading")
        served.quiet()
        log = served.log()[start:]
        rendered, reused = _rebuilt(log)
        assert rendered - {"notes.py"} == {"plain.md", "linker.md"}, rendered
        assert "#a-section" in log and "linker.md" in log, "the broken anchor was not reported:\n" + log
        assert _steady(served.get()) == home, "a page the save did not touch changed"

        start, before = len(served.log()), served.get("plain/")
        csv.write_text(ROW.sub("2024,Atlantis,6543,", good_csv, count=1), encoding="utf-8")
        served.wait(lambda: "6,543" in served.get(), "the new value on the page that shows it")
        served.wait(lambda: "units in 2024: 6543" in served.get("notes/"), "notebook page on the new data")
        served.quiet()
        log = served.log()[start:]
        rendered, reused = _rebuilt(re.sub(r"^.*served in place.*$", "", log, flags=re.M))
        assert {"index.md", "charts/widgets.md"} <= rendered, rendered
        assert "plain.md" not in rendered and reused >= 1, rendered
        assert _steady(served.get("plain/")) == _steady(before), "a page that reads no data changed on a data save"
        assert any(v in served.get("charts/widgets/") for v in ("6,543", "6543")), "the chart page is not current"
    finally:
        plain.write_text(good_plain, encoding="utf-8")
        csv.write_text(good_csv, encoding="utf-8")
    served.wait(lambda: "units in 2024: 120" in served.get("notes/"), "notebook page back on the old data")
    served.wait(lambda: "no marker." in served.get("plain/"), "the page as it was")
    served.quiet()


def test_a_save_while_the_notebook_reruns_is_not_lost(served):
    """Two saves in quick succession: the notebook page ends on the last one (a run that finds its
    inputs changed meanwhile runs again), and each save is still one rebuild."""
    csv = served.root / "data" / "widgets.csv"
    good = csv.read_text(encoding="utf-8")
    start = len(served.log())
    try:
        csv.write_text(ROW.sub("2024,Atlantis,5001,", good, count=1), encoding="utf-8")
        served.wait(lambda: "5,001" in served.get(), "first value on the page")
        csv.write_text(ROW.sub("2024,Atlantis,5002,", good, count=1), encoding="utf-8")
        served.wait(lambda: "5,002" in served.get(), "second value on the page")
        served.wait(lambda: "units in 2024: 5002" in served.get("notes/"), "notebook page on the last save")
        served.quiet()
        assert len(re.findall(r"rebuilt in ", served.log()[start:])) == 2, served.log()[start:]
    finally:
        csv.write_text(good, encoding="utf-8")
    served.wait(lambda: "units in 2024: 120" in served.get("notes/"), "notebook page back on the old data")


def test_background_work_waits_for_the_authors_pause(served):
    """Saves in quick succession each get their rebuild at once: the other images and the notebook
    re-run wait until the author pauses, then run once, on the last save."""
    csv = served.root / "data" / "widgets.csv"
    good = csv.read_text(encoding="utf-8")
    start = len(served.log())
    try:
        for n in (7001, 7002, 7003):
            csv.write_text(ROW.sub(f"2024,Atlantis,{n},", good, count=1), encoding="utf-8")
            served.wait(lambda n=n: f"{n:,}" in served.get(), f"{n} on the page")
            time.sleep(0.3)  # well within the quiet time the background work waits for
        served.wait(lambda: "units in 2024: 7003" in served.get("notes/"), "notebook page on the last save")
        served.quiet()
        log = served.log()[start:]
        rebuilds = [m.start() for m in re.finditer(r"rebuilt in ", log)]
        assert len(rebuilds) == 3, log
        background = [m.start() for m in re.finditer(r"served in place|notebook re-run", log)]
        assert background and min(background) > rebuilds[-1], "background work ran between quick saves:\n" + log
        assert log.count("notebook re-run with the latest data") == 1, log
    finally:
        csv.write_text(good, encoding="utf-8")
    served.wait(lambda: "units in 2024: 120" in served.get("notes/"), "notebook page back on the old data")
    served.quiet()


def test_the_served_folder_is_updated_in_place_and_a_removed_page_goes(served):
    """From the second build on the served folder is not emptied and copied again; what a build
    no longer makes (a page deleted) is removed, as MkDocs' emptying would."""
    extra = served.root / "docs" / "extra.md"
    start = len(served.log())
    extra.write_text("# Extra\n\nA page made to be deleted.\n", encoding="utf-8")
    served.wait(lambda: "A page made to be deleted" in served.get("extra/"), "the new page")
    served.quiet()
    extra.unlink()
    served.wait(lambda: served.log()[start:].count("rebuilt in") >= 2, "the rebuild after the deletion")
    served.quiet()
    assert "A page made to be deleted" not in served.get("extra/"), "a deleted page is still served"
    assert "Widgets" in served.get() and "units in 2024: 120" in served.get("notes/")
    theme_css = re.search(r'href="(assets/stylesheets/main\.[^"]+\.css)"', served.get())
    assert theme_css and served.get(theme_css.group(1)), "the theme's files are no longer served"


def test_the_second_pass_from_the_spec_matches_a_full_render(tmp_path, monkeypatch, mini_build):
    """Under serve a saved value writes the chart's spec and table first, its wide images beside the
    pages and the rest after the reload, each from the spec the first pass wrote: the result is
    byte for byte what a full render gives, and a pass whose data changed meanwhile is left to the
    next rebuild."""
    from explainer.steps import render

    project = copy_mini(tmp_path / "mini")
    for k in [k for k in os.environ if k.startswith("EXPLAINER_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("EXPLAINER_PROJECT", str(project))
    if True:
        csv = project / "data" / "widgets.csv"
        good = csv.read_text(encoding="utf-8")
        monkeypatch.setenv("EXPLAINER_BUILD_DIR", str(tmp_path / "full"))
        csv.write_text(ROW.sub("2024,Atlantis,777,", good, count=1), encoding="utf-8")
        render.run(["widgets"], log=lambda *_: None)
        full = {k: render.artifact("widgets", k).read_bytes() for k in render.ARTIFACTS}

        # The last build before the save: the session's (conftest.mini_build), copied.
        shutil.copytree(mini_build[1], tmp_path / "served")
        monkeypatch.setenv("EXPLAINER_BUILD_DIR", str(tmp_path / "served"))
        csv.write_text(good, encoding="utf-8")
        assert render.run(["widgets"], log=lambda *_: None)[0].status == "unchanged"
        csv.write_text(ROW.sub("2024,Atlantis,777,", good, count=1), encoding="utf-8")
        outcome = render.run(["widgets"], log=lambda *_: None, first=True)[0]
        assert outcome.status == "built" and outcome.wide_later
        # The first pass writes the spec and the table; the wide images follow beside the pages.
        assert render.artifact("widgets", "light.svg").read_bytes() != full["light.svg"]
        assert render.finish_wide("widgets") is not None
        assert render.artifact("widgets", "light.svg").read_bytes() == full["light.svg"]
        assert render.artifact("widgets", "narrow.light.svg").read_bytes() != full["narrow.light.svg"]
        entry = render.finish_one("widgets")
        assert entry is not None and entry["key"] and entry["partial"] is None
        for kind in render.ARTIFACTS:
            assert render.artifact("widgets", kind).read_bytes() == full[kind], f"widgets.{kind} differs"

        # Saved again before the second pass ran: it does nothing, and the chart is not taken as done.
        csv.write_text(good, encoding="utf-8")
        render.run(["widgets"], log=lambda *_: None, first=True)
        csv.write_text(ROW.sub("2024,Atlantis,778,", good, count=1), encoding="utf-8")
        assert render.finish_one("widgets") is None
        assert render.finish_wide("widgets") is None
        assert render.run(["widgets"], log=lambda *_: None)[0].status == "built"


def test_a_charts_corrected_size_reaches_every_picture_of_it(tmp_path):
    """When a chart's wide image comes out a new size after a save, every page showing it gets the
    new size, its light and dark images alike; its narrow images and other charts are left alone."""
    from explainer.steps import prepare

    page = tmp_path / "a" / "index.html"
    page.parent.mkdir()
    page.write_text(
        '<source media="(max-width: 600px)" srcset="../assets/charts/w.narrow.dark.svg" width="300" height="400">'
        '<source media="(prefers-color-scheme: dark)" srcset="../assets/charts/w.dark.svg" width="600" height="420">'
        '<img src="../assets/charts/w.light.svg" alt="A chart &quot;quoted&quot;" width="600" height="420"'
        ' loading="lazy">'
        '<img src="../assets/charts/other.light.svg" alt="x" width="600" height="420">',
        encoding="utf-8",
    )
    assert prepare._correct_sizes(tmp_path, prepare._WIDE, {"w": (600, 431)}) == 1
    html = page.read_text(encoding="utf-8")
    assert 'w.dark.svg" width="600" height="431"' in html
    assert 'alt="A chart &quot;quoted&quot;" width="600" height="431" loading' in html
    assert 'w.narrow.dark.svg" width="300" height="400"' in html
    assert 'other.light.svg" alt="x" width="600" height="420"' in html
