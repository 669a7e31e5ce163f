"""What the build promises, checked end to end (offline, all on 127.0.0.1):

(a) two builds of the same commit are byte-identical;
(b) a failed build leaves the previous site untouched and no temporary folder behind;
(c) under `make serve`, a bad edit to a dataset is printed and shown on the page while the last
    good data keep being served, and the page recovers when the edit is fixed;
(d) the same for a bad edit to a chart module.

Every build and serve here uses its own build folder (EXPLAINER_BUILD_DIR) and scratch copies of
data/ and charts/ (EXPLAINER_DATA_DIR, EXPLAINER_CHARTS_DIR), so the repository is only read. Every wait
is bounded.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, nav, tree_digest

from explainer.devtools.processes import stop_process_group

pytestmark = pytest.mark.slow

EPOCH = "1700000000"  # SOURCE_DATE_EPOCH for every build here
BUILD_TIMEOUT = 300
SERVE_START_TIMEOUT = 180
REBUILD_TIMEOUT = 90
REBUILD_FAILED = "An error happened during the rebuild"  # mkdocs serve's words when a rebuild aborts
PAGE = "two-different-roads/"
CHART = "robot_installations"
CSV_ROW = re.compile(r"^2024,China,(\d+),", re.M)
GOOD_VALUE = "295,000"  # China's 2024 installations as the page prints them


def env(**extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")}
    e.update({"EXPLAINER_PROJECT": str(ROOT), "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH})
    e.update(extra)
    return e


def build(site: Path, build_dir: Path, *extra: str, **environ: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "explainer", "build", "--site-dir", str(site), *extra],
        cwd=ROOT,
        env=env(EXPLAINER_BUILD_DIR=str(build_dir), **environ),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )


def files(tree: Path) -> dict[str, Path]:
    return {p.relative_to(tree).as_posix(): p for p in sorted(tree.rglob("*")) if p.is_file()}


def explain(rel: str, a: bytes, b: bytes) -> str:
    """Where two versions of a file first differ, with enough context to find the cause."""
    if rel.endswith(".gz"):
        ia, ib = gzip.decompress(a), gzip.decompress(b)
        if ia == ib:
            mtimes = f"mtime {a[4:8].hex()} vs {b[4:8].hex()}"
            return f"{rel}: same content once decompressed; the gzip headers differ ({mtimes})"
        return f"{rel} (decompressed): " + explain(rel[:-3], ia, ib).split(": ", 1)[1]
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return (
        f"{rel}: {len(a)} vs {len(b)} bytes, first difference at byte {i}: "
        f"{a[max(0, i - 60) : i + 60]!r} vs {b[max(0, i - 60) : i + 60]!r}"
    )


# --- builds, shared by the tests of this module ---------------------------------------------------


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The site built twice from cold, each with its own empty build folder, the same SOURCE_DATE_EPOCH."""
    base = tmp_path_factory.mktemp("builds")
    data_before = tree_digest(ROOT / "data")
    out = []
    for name in ("first", "second"):
        site, cache = base / name / "site", base / name / "build"
        proc = build(site, cache)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        out.append((site, cache))
    assert tree_digest(ROOT / "data") == data_before, "a build wrote into data/"
    return out


def test_two_builds_of_the_same_commit_are_byte_identical(two_builds):
    (site_a, _), (site_b, _) = two_builds
    fa, fb = files(site_a), files(site_b)
    assert sorted(fa) == sorted(fb), f"only in one build: {sorted(set(fa) ^ set(fb))}"
    differ = [
        explain(rel, fa[rel].read_bytes(), fb[rel].read_bytes())
        for rel in fa
        if fa[rel].read_bytes() != fb[rel].read_bytes()
    ]
    assert not differ, "files differ between two builds:\n" + "\n".join(differ)


# --- (b) a failed build ----------------------------------------------------------------------------


def _bad_nav_config(tmp: Path) -> Path:
    """A copy of mkdocs.yml whose nav names a page that does not exist (strict mode fails on it)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    text = re.sub(r"^watch:\n(  - .*\n)+", "", text, flags=re.M)
    text = text.replace("  - Methods: methods.py", "  - Methods: methods.py\n  - Missing: no-such-page.md")
    text += f"\ndocs_dir: {ROOT / 'docs'}\n"
    cfg = tmp / "config" / "mkdocs.yml"
    cfg.parent.mkdir()
    cfg.write_text(text, encoding="utf-8")
    return cfg


def _bad_data(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    csv = data / f"{CHART}.csv"
    csv.write_text(CSV_ROW.sub("2024,China,many,", csv.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    return data


@pytest.mark.parametrize("breakage", ["nav names a missing page", "a dataset does not validate"])
def test_a_failed_build_leaves_the_previous_site_untouched(two_builds, tmp_path, breakage):
    _, cache = two_builds[0]
    build_dir = tmp_path / "build"
    shutil.copytree(cache, build_dir)
    out = tmp_path / "out"
    site = out / "site"
    proc = build(site, build_dir)
    assert proc.returncode == 0, proc.stderr[-3000:]
    before = tree_digest(site)
    mtimes = {p: p.stat().st_mtime_ns for p in site.rglob("*")}

    if breakage == "nav names a missing page":
        proc = build(site, build_dir, "--config-file", str(_bad_nav_config(tmp_path)))
        expected = "no-such-page.md"
    else:
        proc = build(site, build_dir, EXPLAINER_DATA_DIR=str(_bad_data(tmp_path)))
        expected = f"{CHART}.csv:"
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert expected in output, output[-3000:]
    assert "was left as it was" in output
    assert tree_digest(site) == before, "the failed build changed site/"
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*")} == mtimes, "the failed build touched site/"
    assert sorted(p.name for p in out.iterdir()) == ["site"], "temporary folders left behind"


# --- (c), (d) under serve -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""
    except (urllib.error.URLError, OSError):
        return 0, b""


def _default_sigint() -> None:
    """In the child: Ctrl-C's default action, so mkdocs serve shuts down cleanly on SIGINT even when
    this process was started with SIGINT ignored (a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Served:
    """`mkdocs serve` on a free 127.0.0.1 port, with scratch copies of data/ and charts/ watched."""

    def __init__(self, tmp: Path, warm_build: Path):
        self.data = tmp / "data"
        self.charts = tmp / "charts"
        self.docs = tmp / "docs"
        shutil.copytree(ROOT / "data", self.data)
        shutil.copytree(ROOT / "charts", self.charts, ignore=shutil.ignore_patterns("__pycache__"))
        # The pages and the config too, so a test can make an author's bad edit to a page.
        shutil.copytree(ROOT / "docs", self.docs)
        shutil.copytree(ROOT / "overrides", tmp / "overrides")
        shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
        build_dir = tmp / "build"
        shutil.copytree(warm_build, build_dir, ignore=shutil.ignore_patterns("last-good-data*"))
        self.port = _free_port()
        self.logfile = tmp / "serve.log"
        self._log = open(self.logfile, "w")
        cmd = [
            sys.executable,  # this interpreter's MkDocs (a venv's `mkdocs` script may name another copy's)
            "-m",
            "mkdocs",
            "serve",
            "--config-file",
            str(tmp / "mkdocs.yml"),
            "--dev-addr",
            f"127.0.0.1:{self.port}",
            "--livereload",
            "--watch",
            str(self.data),
            "--watch",
            str(self.charts),
        ]
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_default_sigint,
            env=env(
                EXPLAINER_DATA_DIR=str(self.data),
                EXPLAINER_CHARTS_DIR=str(self.charts),
                EXPLAINER_BUILD_DIR=str(build_dir),
            ),
        )

    def url(self, path: str = PAGE) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def log(self) -> str:
        self._log.flush()
        return self.logfile.read_text(errors="replace")

    def page(self) -> str:
        status, body = _get(self.url())
        return html.unescape(body.decode("utf-8", "replace")) if status == 200 else ""

    def wait_for(self, ok, what: str, timeout: float, since: int = 0) -> str:
        """Poll the page until ok(text) holds; returns the text. Fails with the serve log after
        `timeout`, or as soon as MkDocs reports (after log offset `since`) that the rebuild failed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"mkdocs serve exited ({self.proc.returncode}) waiting for {what}:\n{self.log()[-4000:]}")
            text = self.page()
            if text and ok(text):
                return text
            new = self.log()[since:]
            if since and REBUILD_FAILED in new:
                time.sleep(1)  # a rebuild that was queued behind it might still succeed
                text = self.page()
                if text and ok(text):
                    return text
                lines = [ln for ln in self.log()[since:].splitlines() if not ln.startswith(("INFO", "[IPKernelApp]"))]
                pytest.fail(
                    f"MkDocs aborted the rebuild instead of serving a page with the {what}; the browser "
                    f"keeps the previous page and shows nothing:\n" + "\n".join(lines[-12:])
                )
            time.sleep(0.3)
        pytest.fail(f"no {what} within {timeout} s:\n{self.log()[-4000:]}")

    def settle(self, timeout: float = REBUILD_TIMEOUT) -> None:
        """Wait until no rebuild is under way (the last one reloaded the browsers or failed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log()
            last = log.rfind("Building documentation")
            tail = log[last:] if last >= 0 else log
            if "Serving on" in log and any(
                done in tail for done in ("Serving on", "Reloading browsers", REBUILD_FAILED)
            ):
                return
            time.sleep(0.3)
        pytest.fail(f"mkdocs serve still rebuilding after {timeout} s:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        stop_process_group(self.proc)
        self._log.close()


@pytest.fixture(scope="module")
def served(two_builds, tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("serve"), two_builds[0][1])
    try:
        s.wait_for(lambda t: GOOD_VALUE in t and f'id="chart-{CHART}"' in t, "first build", SERVE_START_TIMEOUT)
        yield s
    finally:
        s.stop()


def _figure(text: str, chart: str = CHART) -> str:
    m = re.search(rf'<figure class="chart" id="chart-{chart}".*?</figure>', text, re.S)
    return m.group(0) if m else ""


def test_serve_shows_a_bad_dataset_edit_and_keeps_the_last_good_data(served):
    served.settle()
    csv = served.data / f"{CHART}.csv"
    good = csv.read_text(encoding="utf-8")
    line = good.count("\n", 0, CSV_ROW.search(good).start()) + 1
    good_page = served.page()
    good_figure = _figure(good_page)
    assert good_figure and GOOD_VALUE in good_page and "build-error" not in good_page
    svg = served.url(f"assets/charts/{CHART}.light.svg")
    _, good_svg = _get(svg)
    log_start = len(served.log())
    try:
        csv.write_text(CSV_ROW.sub("2024,China,many,", good, count=1), encoding="utf-8")
        text = served.wait_for(lambda t: "build-error" in t, "error box after the bad edit", REBUILD_TIMEOUT, log_start)
        problem = f"{CHART}.csv:{line}: column 'units': 'many' is not a valid integer"
        assert problem in text, "the page does not name the file, line and column"
        assert "The data did not validate: showing the last good data" in text
        assert problem in served.log()[log_start:], "the error was not printed"
        # The last good version is what is served: the figure, its numbers, its files.
        assert _figure(text) == good_figure
        assert GOOD_VALUE in text
        assert _get(svg) == (200, good_svg)
    finally:
        csv.write_text(good, encoding="utf-8")
    text = served.wait_for(lambda t: "build-error" not in t, "recovery after the fix", REBUILD_TIMEOUT)
    assert GOOD_VALUE in text and _figure(text) == good_figure


def test_serve_keeps_chart_pages_current_and_renders_only_those_that_changed(served):
    """A saved value reaches the chart's own page too; the other charts' pages are reused as
    rendered (MkDocs would re-render every one of them on every save)."""
    served.settle()
    csv = served.data / f"{CHART}.csv"
    good = csv.read_text(encoding="utf-8")
    own, other = f"charts/{CHART}/", "charts/model_gap/"

    # The server's live-reload script names the build it was served from; the rest must not change.
    def unchanged(url):
        status, body = _get(url)
        return status, re.sub(rb"livereload\(\d+, \d+\)", b"", body)

    other_before = unchanged(served.url(other))
    good_figure = _figure(served.page())
    log_start = len(served.log())
    try:
        csv.write_text(CSV_ROW.sub("2024,China,296789,", good, count=1), encoding="utf-8")
        served.wait_for(lambda t: "296,789" in t, "the new value", REBUILD_TIMEOUT, log_start)
        # The chart's page follows once the chart is finished (its other images, after the reload).
        deadline = time.monotonic() + REBUILD_TIMEOUT
        while "296,789" not in (figure := _figure(html.unescape(_get(served.url(own))[1].decode()))):
            assert time.monotonic() < deadline, f"the chart's page never showed the new value:\n{figure[:300]}"
            time.sleep(0.3)
        assert GOOD_VALUE not in figure
        served.settle()
        assert unchanged(served.url(other)) == other_before and other_before[0] == 200
        # A reused page is still found by the site's search.
        index = json.loads(_get(served.url("search/search_index.json"))[1])
        assert any(d["location"].startswith(other) for d in index["docs"]), "the reused page left the search index"
        rebuilt = re.findall(r"rebuilt in .*?, (\d+) pages", served.log()[log_start:])
        assert rebuilt, "no rebuild logged"
        chart_count = len(list(served.charts.glob("[!_]*.py")))
        assert int(rebuilt[0]) <= len(nav()) + chart_count // 2, f"rendered {rebuilt[0]} pages for one dataset"
    finally:
        csv.write_text(good, encoding="utf-8")
    # Restored and finished (the narrow images follow the first pass): as the next test expects it.
    served.wait_for(lambda t: _figure(t) == good_figure, "the value restored", REBUILD_TIMEOUT)
    served.settle()
    status, body = _get(served.url(own))
    assert status == 200 and GOOD_VALUE in _figure(html.unescape(body.decode()))


def test_serve_shows_a_bad_chart_edit_and_keeps_the_last_good_chart(served):
    served.settle()
    module = served.charts / f"{CHART}.py"
    good = module.read_text(encoding="utf-8")
    good_page = served.page()
    good_figure = _figure(good_page)
    assert good_figure and "build-error" not in good_page
    svg = served.url(f"assets/charts/{CHART}.light.svg")
    _, good_svg = _get(svg)
    log_start = len(served.log())
    broken = good.replace(
        "def build() -> alt.Chart:\n",
        "def build() -> alt.Chart:\n    raise RuntimeError('broken on purpose by the test')\n",
        1,
    )
    assert broken != good
    try:
        module.write_text(broken, encoding="utf-8")
        text = served.wait_for(
            lambda t: "build-error" in t, "chart error box after the bad edit", REBUILD_TIMEOUT, log_start
        )
        assert f"Chart '{CHART}' failed to build" in text
        assert "build() failed: RuntimeError: broken on purpose by the test" in text
        assert "build() failed: RuntimeError: broken on purpose by the test" in served.log()[log_start:]
        # The last good chart keeps being served: its files, and its figure on the page.
        assert _get(svg) == (200, good_svg)
        assert _figure(text) == good_figure, "the page shows the error box but not the last good figure"
    finally:
        module.write_text(good, encoding="utf-8")
    text = served.wait_for(lambda t: "build-error" not in t, "recovery after the fix", REBUILD_TIMEOUT)
    assert _figure(text) == good_figure


def _edit_and_repair(served, path: Path, old: str, new: str, check, what: str) -> None:
    """Make a bad edit, let `check(page text, log since the edit)` judge the page served, repair it."""
    served.settle()
    good = path.read_text(encoding="utf-8")
    assert old in good, f"fixture text {old!r} not in {path.name}"
    log_start = len(served.log())
    try:
        path.write_text(good.replace(old, new, 1), encoding="utf-8")
        text = served.wait_for(lambda t: "build-error" in t or "marker-error" in t, what, REBUILD_TIMEOUT, log_start)
        check(text, served.log()[log_start:])
    finally:
        path.write_text(good, encoding="utf-8")
    text = served.wait_for(
        lambda t: "build-error" not in t and "marker-error" not in t, f"recovery after the {what}", REBUILD_TIMEOUT
    )
    assert GOOD_VALUE in text and _figure(text)


def _line(path: Path, needle: str) -> int:
    return path.read_text(encoding="utf-8")[: path.read_text(encoding="utf-8").index(needle)].count("\n") + 1


def test_serve_shows_a_bad_chart_marker_in_its_place_and_keeps_the_rest(served):
    page = served.docs / PAGE.replace("/", ".md")
    needle = f"<!-- chart: {CHART} -->"
    line = _line(page, needle)

    def check(text, log):
        i = text.find("build-error")
        assert f"docs/{PAGE[:-1]}.md:{line}: this marker failed" in text, text[i - 200 : i + 1500]
        assert "unknown chart id 'nope'" in text
        assert 'id="claim-C04"' in text and GOOD_VALUE in text, "the rest of the page must still render"
        assert "unrecognised marker" not in text, "one error, reported once"
        assert log.count("unknown chart id 'nope'") == 1

    _edit_and_repair(served, page, needle, "<!-- chart: nope -->", check, "error for a bad chart marker")


def test_serve_shows_a_data_marker_that_matches_no_row_in_its_place(served):
    page = served.docs / PAGE.replace("/", ".md")
    needle = "{{ data robot_installations.units year=2024 country=China }}"
    line = _line(page, needle)

    def check(text, log):
        assert 'class="marker-error"' in text and "0 rows match" in text
        assert f"docs/{PAGE[:-1]}.md:{line}:" in log, "the log does not name the line counted from the top"
        assert _figure(text), "the charts must still render"
        content = re.sub(
            r'<mark class="marker-error".*?</mark>|<div class="admonition failure.*?</div>', "", text, flags=re.S
        )
        assert "{{" not in content, "no raw markers left"
        assert "unrecognised marker" not in text, "one error, reported once"

    _edit_and_repair(served, page, needle, needle.replace("2024", "1999"), check, "error for a data marker")


def test_serve_survives_a_syntax_error_in_a_chart_module(served):
    module = served.charts / f"{CHART}.py"

    def check(text, log):
        assert f"Chart '{CHART}' failed to build" in text
        assert "SyntaxError" in text and f"charts/{CHART}.py:" in text, "the error names the file and line"
        assert _figure(text), "the last good chart stays"

    _edit_and_repair(served, module, "def build() -> alt.Chart:", "def build( -> alt.Chart:", check, "syntax error")


def test_serve_shows_a_broken_link_and_keeps_serving(served):
    page = served.docs / PAGE.replace("/", ".md")
    needle = "## What the data show"
    line = _line(page, needle)

    def check(text, log):
        assert f"docs/{PAGE[:-1]}.md:{line}: links to no-such-page.md" in text
        assert _figure(text) and GOOD_VALUE in text
        status, _ = _get(served.url("sources/"))
        assert status == 200, "the rest of the site keeps serving"

    _edit_and_repair(
        served, page, needle, needle + " [see](no-such-page.md)", check, "box for a link to a missing page"
    )
