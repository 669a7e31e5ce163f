"""`make bench`: how fast the pipeline is on this machine, and how heavy each page is.

    python -m explainer bench [--skip-builds] [--skip-serve] [--skip-pages] [--report bench-report.md]
                              [--edit-page PAGE --edit-file CSV --edit-row REGEX]

Measures, in order:

1. the cold full build: build/charts and build/notebooks removed, then
   `python -m explainer build --site-dir <tmp>` (the Vega bundle in build/vendor is kept;
   a fresh clone also has to write it, measured separately with an empty build folder);
2. the same build again with nothing changed;
3. `make charts` (`python -m explainer charts`) with build/charts removed, then with nothing changed;
4. save-to-reload under `make serve`: `mkdocs serve --livereload` on a free 127.0.0.1 port, with
   EXPLAINER_DATA_DIR pointing at a scratch copy of data/ (the build never writes into data/; the
   bench edits the copy, as an author would edit data/) and that copy added to the watched paths
   with `--watch` (mkdocs.yml's `watch: [data, charts]` are the repository's folders, which this
   edit does not touch). Chromium holds the page named by --edit-page open. Two times from the
   saved edit of the number in --edit-file that --edit-row's second group matches (the
   project's Makefile names one): until the served page (fetched over HTTP)
   shows the new number, and until the page open in Chromium shows it through MkDocs' live
   reload (if it never does, the row says so, with the console error); then the same for
   reverting the edit. The serve process uses a copy of the warm build folder, so the
   repository's build/ never holds charts of the edited data;
5. per page, what a first visit costs before any interaction: the site from step 1 served
   gzip-compressed on 127.0.0.1 (explainer.serving, GitHub-Pages-like), each page loaded
   in a fresh Chromium context at 1280x800 without scrolling, until the network is quiet;
   requests and body bytes are counted by the server (bytes as sent, i.e. gzip-compressed).

Prints a table and writes the same Markdown to bench-report.md. The build folder is
settings.out_dir() (EXPLAINER_BUILD_DIR, else build/). Exits 0 unless a measurement could not be run;
a missed target is reported, not an error.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from explainer import serving, settings
from explainer.processes import stop_process_group
from explainer.serving import site_pages
from explainer.settings import CHROMIUM, CHROMIUM_ARGS

PY = sys.executable
LOAD_AT_START = [0.0, 0.0, 0.0]
MKDOCS = str(Path(sys.executable).with_name("mkdocs"))
VIEWPORT = {"width": 1280, "height": 800}

BUILD_TIMEOUT = 600  # seconds, any one build
SERVE_START_TIMEOUT = 240  # mkdocs serve's first build (runs the Methods notebook when cold)
RELOAD_TIMEOUT = 180  # one edit -> served page updated
BROWSER_GRACE = 15  # then at most this long for the open page to reload
PAGE_TIMEOUT = 30  # one page load


@dataclass
class Edit:
    """The author's edit the bench times: a number in a dataset, and a page that shows it."""

    page: str
    file: str
    row: re.Pattern  # three groups: before, the number, after


TARGETS = {"cold": 10.0, "rebuild": 3.0, "charts_unchanged": 2.0}
# Against the floor (a plain Material site of the same pages, measured in the same run).
RATIOS = {"data_save": 2.0, "markdown_save": 1.2, "unchanged_build": 1.5}
DATA_SAVE_MAX = 1.5  # seconds, median


class BenchError(Exception):
    """A measurement could not be run."""


@dataclass
class Timing:
    label: str
    seconds: float | None
    target: float | None = None
    note: str = ""

    def verdict(self) -> str:
        if self.seconds is None:
            return "not seen"
        if self.target is None:
            return ""
        return "ok" if self.seconds <= self.target else "MISSED"


def env(**extra: str) -> dict[str, str]:
    e = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    e.update(extra)
    return e


def timed(cmd: list[str], environ: dict[str, str], what: str) -> float:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=settings.project_root(), env=environ, capture_output=True, text=True, timeout=BUILD_TIMEOUT
        )
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"{what}: no result after {BUILD_TIMEOUT} s") from e
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise BenchError(f"{what}: exit {proc.returncode}\n{(proc.stdout + proc.stderr)[-3000:]}")
    return seconds


def log(msg: str) -> None:
    print(msg, flush=True)


# --- 1-3: builds -----------------------------------------------------------------------------


def measure_builds(work: Path) -> tuple[list[Timing], Path]:
    out = settings.out_dir()
    site = work / "site"
    build_cmd = [PY, "-m", "explainer", "build", "--site-dir", str(site)]
    rows: list[Timing] = []

    log(f"bench: cold build (removing {settings.rel(out / 'charts')}/ and {settings.rel(out / 'notebooks')}/) ...")
    shutil.rmtree(out / "charts", ignore_errors=True)
    shutil.rmtree(out / "notebooks", ignore_errors=True)
    rows.append(
        Timing(
            "cold full build (`make build`, no chart or notebook cache)",
            timed(build_cmd, env(), "cold build"),
            TARGETS["cold"],
        )
    )
    log(f"  {rows[-1].seconds:.1f} s")

    log("bench: rebuild, nothing changed ...")
    rows.append(
        Timing(
            "rebuild, nothing changed (`make build`, a new process)",
            timed(build_cmd, env(), "rebuild"),
            None,
            "skipped: the inputs' fingerprint matches the site's",
        )
    )
    log(f"  {rows[-1].seconds:.1f} s")
    rows.append(
        Timing(
            "rebuild, nothing changed, forced (`build --force`, caches warm)",
            timed([*build_cmd, "--force"], env(), "forced rebuild"),
            None,
            "Python, MkDocs and mkdocs-jupyter start-up, then every page rendered again",
        )
    )
    log(f"  {rows[-1].seconds:.1f} s")

    log(f"bench: `make charts` cold (removing {settings.rel(out / 'charts')}/) ...")
    shutil.rmtree(out / "charts", ignore_errors=True)
    rows.append(Timing("`make charts`, cold", timed([PY, "-m", "explainer", "charts"], env(), "charts cold")))
    log(f"  {rows[-1].seconds:.1f} s")

    log("bench: `make charts`, nothing changed ...")
    rows.append(
        Timing(
            "`make charts`, nothing changed",
            timed([PY, "-m", "explainer", "charts"], env(), "charts unchanged"),
            TARGETS["charts_unchanged"],
        )
    )
    log(f"  {rows[-1].seconds:.2f} s")

    log("bench: fresh clone (empty build folder, Vega bundle included) ...")
    fresh = work / "fresh-build"
    seconds = timed(
        [PY, "-m", "explainer", "build", "--site-dir", str(work / "site-fresh")],
        env(EXPLAINER_BUILD_DIR=str(fresh)),
        "fresh-clone build",
    )
    rows.append(
        Timing("full build from a fresh clone (empty build/, writes the Vega bundle too)", seconds, TARGETS["cold"])
    )
    log(f"  {seconds:.1f} s")
    shutil.rmtree(work / "site-fresh", ignore_errors=True)
    shutil.rmtree(fresh, ignore_errors=True)
    return rows, site


# --- 4: save-to-reload under serve -------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 10) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def fmt_units(n: int) -> str:
    return f"{n:,}"


def _default_sigint() -> None:
    """In the child: Ctrl-C's default action, so mkdocs serve shuts down cleanly on SIGINT even when
    this process was started with SIGINT ignored (a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Serve:
    """`mkdocs serve` on 127.0.0.1 in its own process group, stopped by its id."""

    def __init__(
        self, port: int, environ: dict[str, str], watch: list[Path], logfile: Path, config: Path | None = None
    ):
        self.port = port
        self.logfile = logfile
        cmd = [MKDOCS, "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload"]
        if config is not None:
            cmd += ["--config-file", str(config)]
        for w in watch:
            cmd += ["--watch", str(w)]
        self._log = open(logfile, "w")
        self.proc = subprocess.Popen(
            cmd,
            cwd=settings.project_root(),
            env=environ,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_default_sigint,
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def wait_serving(self, page: str, needle: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"mkdocs serve exited ({self.proc.returncode}):\n{self.log_tail()}")
            body = fetch(self.base + page, timeout=5)
            if body and needle in body:
                return
            time.sleep(0.5)
        raise BenchError(f"mkdocs serve did not serve {page} with {needle!r} within {timeout} s:\n{self.log_tail()}")

    def log_text(self) -> str:
        self._log.flush()
        return self.logfile.read_text(errors="replace")

    def log_tail(self, n: int = 3000) -> str:
        return self.log_text()[-n:]

    def stop(self) -> None:
        stop_process_group(self.proc)
        self._log.close()


def page_has(page, text: str) -> bool | None:
    """Whether the page open in Chromium shows `text`; None while it is (re)loading."""
    try:
        return page.evaluate(
            "t => document.readyState === 'complete' && document.body !== null"
            " ? document.body.innerText.includes(t) : null",
            text,
        )
    except Exception:  # noqa: BLE001 - the live reload swaps the document under us
        return None


def wait_for_update(
    server: Serve, path: str, page, text: str, present: bool, timeout: float, grace: float
) -> tuple[float | None, float | None]:
    """Seconds until the served page (HTTP) and the page open in Chromium (live reload) show
    `text` (present=True) or no longer show it (present=False).

    Polls both; once the server has the new page, the browser gets `grace` seconds more."""
    t0 = time.perf_counter()
    served = browser = None
    last_fetch = -1.0
    while True:
        now = time.perf_counter() - t0
        if browser is None and page_has(page, text) is present:
            browser = time.perf_counter() - t0
        if served is None and now - last_fetch >= 0.2:
            last_fetch = now
            body = fetch(server.base + path, timeout=10)
            if body is not None and (text in body) is present:
                served = time.perf_counter() - t0
        if served is not None and browser is not None:
            break
        if now > timeout or (served is not None and now > served + grace):
            break
        time.sleep(0.05)
    return served, browser


def measure_serve(work: Path, edit: Edit) -> list[Timing]:  # noqa: PLR0915 - one measurement, in order
    from playwright.sync_api import sync_playwright

    data = work / "serve-data"
    shutil.copytree(settings.data_dir(), data)
    build = work / "serve-build"
    shutil.copytree(settings.out_dir(), build, ignore=shutil.ignore_patterns("last-good-data*"))
    csv = data / edit.file
    original = csv.read_text(encoding="utf-8")
    m = edit.row.search(original)
    if not m:
        raise BenchError(f"no row of {edit.file} matches {edit.row.pattern!r}")
    old = int(m.group(2))
    new = old + 1789
    edited = edit.row.sub(lambda mm: f"{mm.group(1)}{new}{mm.group(3)}", original, count=1)

    port = free_port()
    log(f"bench: mkdocs serve on 127.0.0.1:{port} (EXPLAINER_DATA_DIR={data}, --watch {data}) ...")
    server = Serve(port, env(EXPLAINER_DATA_DIR=str(data), EXPLAINER_BUILD_DIR=str(build)), [data], work / "serve.log")
    rows: list[Timing] = []
    try:
        t0 = time.perf_counter()
        server.wait_serving(edit.page, fmt_units(old), SERVE_START_TIMEOUT)
        log(f"  serving after {time.perf_counter() - t0:.1f} s")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport=VIEWPORT)
                console: list[str] = []
                page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
                page.goto(server.base + edit.page, wait_until="load", timeout=PAGE_TIMEOUT * 1000)
                if wait_for_update(server, edit.page, page, fmt_units(old), True, 10, 10)[1] is None:
                    raise BenchError(f"the page open in Chromium does not show {fmt_units(old)} before the edit")
                time.sleep(2)  # let the watcher settle after the first build
                # The author's loop: a file saved with nothing changed in it.
                builds_before = server.log_text().count("Documentation built in")
                csv.write_text(original, encoding="utf-8")
                deadline = time.monotonic() + RELOAD_TIMEOUT
                while (
                    time.monotonic() < deadline and server.log_text().count("Documentation built in") == builds_before
                ):
                    time.sleep(0.2)
                built = re.findall(r"Documentation built in ([\d.]+) seconds", server.log_text())[builds_before:]
                if not built:
                    raise BenchError(f"no rebuild within {RELOAD_TIMEOUT} s of saving a file unchanged")
                rows.append(
                    Timing(
                        "rebuild, nothing changed (`make serve`, a file saved unchanged)",
                        float(built[0]),
                        TARGETS["rebuild"],
                        "MkDocs' own build time",
                    )
                )
                time.sleep(1)
                # The old figure also appears as the essay's own figure, so the revert is seen by the
                # new number going away.
                for label, content, present in (("edit", edited, True), ("revert", original, False)):
                    builds_before = server.log_text().count("Documentation built in")
                    reloads_before = server.log_text().count("Reloading browsers")
                    csv.write_text(content, encoding="utf-8")  # the author saves the file
                    served, reloaded = wait_for_update(
                        server, edit.page, page, fmt_units(new), present, RELOAD_TIMEOUT, BROWSER_GRACE
                    )
                    if served is None:
                        raise BenchError(
                            f"the served page did not update within {RELOAD_TIMEOUT} s "
                            f"of the {label}:\n{server.log_tail()}"
                        )
                    built = re.findall(r"Documentation built in ([\d.]+) seconds", server.log_text())[builds_before:]
                    change = (
                        f"{edit.file}: {fmt_units(old)} → {fmt_units(new)}"
                        if label == "edit"
                        else f"the edit reverted, {fmt_units(new)} → {fmt_units(old)}"
                    )
                    rows.append(
                        Timing(
                            f"save → served page updated (`make serve`; {change})",
                            served,
                            None,
                            f"MkDocs rebuild {built[-1]} s" if built else "",
                        )
                    )
                    if reloaded is not None:
                        rows.append(Timing(f"save → page open in Chromium updated by live reload ({label})", reloaded))
                    else:
                        signalled = server.log_text().count("Reloading browsers") > reloads_before
                        csp = [c for c in console if "Content Security Policy" in c or "Content-Security-Policy" in c]
                        why = ("; console: " + (csp or console)[0][:110] + "…") if console else ""
                        rows.append(
                            Timing(
                                f"save → page open in Chromium updated by live reload ({label})",
                                None,
                                None,
                                f"NO RELOAD within {served + BROWSER_GRACE:.0f} s"
                                f"{' (server said Reloading browsers)' if signalled else ''}{why}",
                            )
                        )
                        page.reload(wait_until="load", timeout=PAGE_TIMEOUT * 1000)  # as the author would, by hand
                    log(
                        f"  {label}: served page updated after {served:.1f} s; "
                        f"open page {f'reloaded after {reloaded:.1f} s' if reloaded is not None else 'did NOT reload'}"
                    )
                    time.sleep(1)
            finally:
                browser.close()
    finally:
        csv.write_text(original, encoding="utf-8")
        server.stop()
    return rows


# --- 4b: the author's loop against its floor ------------------------------------------------------
# The author's loop, measured beside its floor: a plain Material site of the same pages.
#
# `make bench` reports, each as the median of a few saves: a Markdown page saved and a data value
# saved, until `make serve` serves the changed page; the same Markdown save on a plain Material
# site built from the same pages (markers removed, no plugin but search); and the plain site's
# cold and unchanged builds. The targets are ratios to that floor, measured in the same run on
# the same machine, so a slow or busy machine moves both.

SAVES = 3  # saves per measurement; the median is reported
SAVE_TIMEOUT = 60  # one save in the loop measurement
MARKER = re.compile(r"<!--.*?-->|\{\{.*?\}\}", re.S)


@dataclass
class Loop:
    label: str
    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def plain_copy(work: Path) -> Path:
    """A plain Material project of the same pages: markers removed, no plugin but search."""
    root = work / "floor"
    docs = root / "docs"
    docs.mkdir(parents=True)
    pages = []
    for md in sorted(settings.docs_dir().glob("*.md")):
        (docs / md.name).write_text(MARKER.sub("0", md.read_text(encoding="utf-8")), encoding="utf-8")
        pages.append(md.name)
    nav = "\n".join(f"  - {p}" for p in pages)
    (root / "mkdocs.yml").write_text(
        f"site_name: floor\ntheme:\n  name: material\n  font: false\nplugins:\n  - search\nnav:\n{nav}\n",
        encoding="utf-8",
    )
    return root


def project_copy(work: Path) -> Path:
    """The explainer's config, pages and theme overrides, so a test save cannot touch the real ones."""
    root = work / "project"
    root.mkdir()
    for name in ("docs", "overrides"):
        if (settings.project_root() / name).exists():
            shutil.copytree(settings.project_root() / name, root / name)
    shutil.copytree(settings.data_dir(), root / "data")
    shutil.copytree(settings.charts_dir(), root / "charts", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(settings.project_root() / settings.CONFIG_FILE, root / settings.CONFIG_FILE)
    return root


def floor_builds(floor: Path) -> tuple[float, float]:
    """(cold, unchanged) build of the plain site, each a new process as `make build` is."""
    cmd = [MKDOCS, "build", "--config-file", str(floor / "mkdocs.yml"), "--site-dir", str(floor / "site")]
    cold = timed(cmd, env(), "plain Material build")
    return cold, timed(cmd, env(), "plain Material rebuild")


def _saves(server: Serve, page: str, path: Path, edits: list[tuple[str, str, str]]) -> list[float]:
    """Seconds from each save (old text → new) to the served page showing `shown`; the file is
    restored afterwards."""
    original = path.read_text(encoding="utf-8")
    out = []
    try:
        for old, new, shown in edits:
            if old not in original:
                raise BenchError(f"{path.name}: no {old!r} to edit")
            _settle(server)  # the previous rebuild and the work it set off (notebook, images) are done
            t0 = time.perf_counter()
            path.write_text(original.replace(old, new, 1), encoding="utf-8")
            while shown not in (fetch(server.base + page, timeout=10) or ""):
                if time.perf_counter() - t0 > SAVE_TIMEOUT:
                    raise BenchError(f"{page} did not show {shown!r} within {SAVE_TIMEOUT} s of saving {path.name}")
                time.sleep(0.02)
            out.append(time.perf_counter() - t0)
    finally:
        path.write_text(original, encoding="utf-8")
    return out


def _settle(server: Serve, quiet: float = 1.0, limit: float = 30.0) -> None:
    """Wait until the server's log has been silent for `quiet` seconds (at most `limit`)."""
    time.sleep(0.5)
    deadline = time.monotonic() + limit
    size, since = len(server.log_text()), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.1)
        now = len(server.log_text())
        if now != size:
            size, since = now, time.monotonic()


def heading_edits(md: Path) -> list[tuple[str, str]]:
    heading = next(ln for ln in md.read_text(encoding="utf-8").splitlines() if ln.startswith("## "))
    return [(heading, f"{heading} benchsave{i}", f"benchsave{i}") for i in range(1, SAVES + 1)]


def measure(work: Path, page: str, data_file: str, row: re.Pattern) -> list[Loop]:
    """The three loops: Markdown save on the floor, Markdown save and data save on the explainer."""
    md_name = page.strip("/").split("/")[-1] + ".md" if page.strip("/") else "index.md"
    loops = []

    floor = plain_copy(work)
    port = free_port()
    log(f"bench: plain Material serve (the floor) on 127.0.0.1:{port} ...")
    server = Serve(port, env(), [], work / "floor-serve.log", floor / "mkdocs.yml")
    try:
        server.wait_serving(page, "<h1", SERVE_START_TIMEOUT)
        loops.append(
            Loop(
                "plain Material: Markdown page saved → served",
                _saves(server, page, floor / "docs" / md_name, heading_edits(floor / "docs" / md_name)),
            )
        )
    finally:
        server.stop()

    project = project_copy(work)
    data = project / "data"
    build = work / "loop-build"
    shutil.copytree(settings.out_dir(), build, ignore=shutil.ignore_patterns("last-good-data*"))
    port = free_port()
    log(f"bench: explainer serve on 127.0.0.1:{port} ...")
    server = Serve(
        port,
        env(EXPLAINER_DATA_DIR=str(data), EXPLAINER_CHARTS_DIR=str(project / "charts"), EXPLAINER_BUILD_DIR=str(build)),
        [],
        work / "loop-serve.log",
        project / settings.CONFIG_FILE,
    )
    try:
        server.wait_serving(page, "<h1", SERVE_START_TIMEOUT)
        time.sleep(3)
        md = project / "docs" / md_name
        loops.append(Loop("explainer: Markdown page saved → served", _saves(server, page, md, heading_edits(md))))
        csv = data / data_file
        m = row.search(csv.read_text(encoding="utf-8"))
        if not m:
            raise BenchError(f"no row of {data_file} matches {row.pattern!r}")
        base = int(m.group(2))
        # The page shows the new value with thousands separators: wait for that text.
        edits = [
            (m.group(0), f"{m.group(1)}{base + 1789 * i}{m.group(3)}", f"{base + 1789 * i:,}")
            for i in range(1, SAVES + 1)
        ]
        loops.append(Loop("explainer: data value saved → served", _saves(server, page, csv, edits)))
    finally:
        server.stop()
    return loops


def measure_against_floor(work: Path, edit: Edit, builds: list[Timing]) -> list[Timing]:
    floor = plain_copy(work / "floor-builds")
    cold, unchanged = floor_builds(floor)
    log(f"  plain Material: cold {cold:.2f} s, unchanged {unchanged:.2f} s")
    loops = {
        lp.label.split(":")[0] + ":" + lp.label.split(":")[1].split(" saved")[0]: lp
        for lp in measure(work, edit.page, edit.file, edit.row)
    }
    floor_md = loops["plain Material: Markdown page"]
    ours_md = loops["explainer: Markdown page"]
    ours_data = loops["explainer: data value"]
    ours_unchanged = next(t.seconds for t in builds if t.label.startswith("rebuild, nothing changed (`make build`"))

    def times(lp) -> str:
        return "saves: " + ", ".join(f"{x:.2f}" for x in lp.times) + " s"

    rows = [
        Timing("plain Material, same pages: cold build (a new process)", cold),
        Timing("plain Material, same pages: unchanged build (a new process)", unchanged),
        Timing(
            f"plain Material: Markdown page saved → served (median of {len(floor_md.times)})",
            floor_md.median,
            None,
            times(floor_md),
        ),
        Timing(
            f"Markdown page saved → served (median of {len(ours_md.times)})",
            ours_md.median,
            RATIOS["markdown_save"] * floor_md.median,
            f"target {RATIOS['markdown_save']:g} × the floor; {times(ours_md)}",
        ),
        Timing(
            f"data value saved → served (median of {len(ours_data.times)})",
            ours_data.median,
            min(DATA_SAVE_MAX, RATIOS["data_save"] * floor_md.median),
            f"target {DATA_SAVE_MAX:g} s and {RATIOS['data_save']:g} × the floor's Markdown save; {times(ours_data)}",
        ),
    ]
    if ours_unchanged is not None:
        rows.append(
            Timing(
                "unchanged build against the floor (`make build`)",
                ours_unchanged,
                RATIOS["unchanged_build"] * unchanged,
                f"target {RATIOS['unchanged_build']:g} × the plain build ({unchanged:.2f} s)",
            )
        )
    return rows


# --- 5: page weight ------------------------------------------------------------------------------


@dataclass
class PageWeight:
    page: str
    requests: int
    sent: int
    raw: int
    vega: bool
    biggest: str


def measure_pages(site: Path) -> list[PageWeight]:
    from playwright.sync_api import sync_playwright

    rows = []
    log(f"bench: page weight of {len(site_pages(site))} pages, Chromium 1280x800, no scrolling ...")
    with serving.serve(site) as stats, sync_playwright() as pw:
        base = stats.url()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for p in site_pages(site):
                ctx = browser.new_context(viewport=VIEWPORT)
                page = ctx.new_page()
                mark = stats.mark()
                page.goto(base + p, wait_until="load", timeout=PAGE_TIMEOUT * 1000)
                try:
                    page.wait_for_load_state("networkidle", timeout=PAGE_TIMEOUT * 1000)
                except Exception:  # noqa: BLE001 - counted anyway; quiet is checked below
                    pass
                # Quiet: no new request reached the server for 1 s (bounded).
                last, quiet_since, deadline = stats.mark(), time.monotonic(), time.monotonic() + 15
                while time.monotonic() < deadline and time.monotonic() - quiet_since < 1.0:
                    time.sleep(0.1)
                    now = stats.mark()
                    if now != last:
                        last, quiet_since = now, time.monotonic()
                hits = stats.since(mark)
                ctx.close()
                big = max(hits, key=lambda h: h.sent)
                rows.append(
                    PageWeight(
                        "/" + p,
                        len(hits),
                        sum(h.sent for h in hits),
                        sum(h.raw for h in hits),
                        any(h.path.endswith("vega-bundle.js") for h in hits),
                        f"{big.path.split('?')[0]} ({big.sent / 1024:.0f} KiB)",
                    )
                )
                log(f"  /{p}: {len(hits)} requests, {rows[-1].sent / 1024:.0f} KiB")
        finally:
            browser.close()
    return rows


# --- the report --------------------------------------------------------------------------------------


def md_table(head: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]

    def line(cells):
        return (
            "| "
            + " | ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells))
            + " |"
        )

    sep = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|"
    return [line(head), sep] + [line(r) for r in rows]


def report(timings: list[Timing], weights: list[PageWeight], errors: list[str], started: float) -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    lines = [
        "# Benchmark",
        "",
        f"Machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; load average at the start "
        f"{LOAD_AT_START[0]:.2f}, at the end {load[0]:.2f}. Build folder: {settings.rel(settings.out_dir())}/. "
        f"Bench took {time.perf_counter() - started:.0f} s.",
        "",
        "## Times",
        "",
    ]
    rows = []
    for t in timings:
        rows.append(
            [
                t.label,
                "-" if t.seconds is None else f"{t.seconds:.2f} s",
                "" if t.target is None else f"≤ {round(t.target, 2):g} s",
                t.verdict(),
                t.note,
            ]
        )
    lines += md_table(["measurement", "time", "target", "", "note"], rows, {1})
    if weights:
        lines += ["", "## First visit, per page (1280x800, no scrolling, gzip as on GitHub Pages)", ""]
        wrows = [
            [
                w.page,
                str(w.requests),
                f"{w.sent / 1024:.1f}",
                f"{w.raw / 1024:.1f}",
                "yes" if w.vega else "no",
                w.biggest,
            ]
            for w in weights
        ]
        lines += md_table(
            ["page", "requests", "transferred KiB (gzip)", "uncompressed KiB", "Vega bundle", "largest"],
            wrows,
            {1, 2, 3},
        )
        lines += ["", "Bytes are response bodies as sent by the server (compressed when gzipped); headers excluded."]
    if errors:
        lines += ["", "## Measurements that failed to run", ""] + [f"- {e}" for e in errors]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m explainer bench", description=__doc__.splitlines()[0])
    ap.add_argument("--skip-builds", action="store_true", help="measure serve and pages only (pages from site/)")
    ap.add_argument("--skip-serve", action="store_true")
    ap.add_argument("--skip-pages", action="store_true")
    ap.add_argument("--report", type=Path, default=Path("bench-report.md"))
    ap.add_argument("--edit-page", help="the page that shows the edited number, e.g. 'section/'")
    ap.add_argument("--edit-file", help="the dataset file to edit, e.g. 'widgets.csv'")
    ap.add_argument("--edit-row", help="a regex with three groups, the number second: '^(2024,Atlantis,)(\\d+)(,)'")
    args = ap.parse_args(argv)
    edit = Edit(args.edit_page, args.edit_file, re.compile(args.edit_row, re.M)) if args.edit_row else None

    started = time.perf_counter()
    LOAD_AT_START[:] = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    timings: list[Timing] = []
    weights: list[PageWeight] = []
    errors: list[str] = []
    site = None
    try:
        try:
            if args.skip_builds:
                site = settings.project_root() / "site"
            else:
                rows, site = measure_builds(work)
                timings += rows
        except BenchError as e:
            errors.append(str(e).splitlines()[0])
            print(f"bench: {e}", file=sys.stderr)
        if not args.skip_serve and not args.skip_builds and edit is not None:
            try:
                timings += measure_against_floor(work, edit, timings)
            except Exception as e:  # noqa: BLE001 - reported, and the other measurements still run
                errors.append(f"author's loop: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
                print(f"bench: author's loop: {e}", file=sys.stderr)
        if not args.skip_serve and edit is None:
            errors.append("save-to-reload: not measured (name the edit: --edit-page, --edit-file, --edit-row)")
        elif not args.skip_serve:
            try:
                timings += measure_serve(work, edit)
            except Exception as e:  # noqa: BLE001 - reported, and the other measurements still run
                errors.append(f"save-to-reload: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
                print(f"bench: save-to-reload: {e}", file=sys.stderr)
        if not args.skip_pages and site is not None and (site / "index.html").exists():
            try:
                weights = measure_pages(site)
            except Exception as e:  # noqa: BLE001
                errors.append(f"page weight: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
                print(f"bench: page weight: {e}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(timings, weights, errors, started)
    print()
    print(text, end="")
    args.report.write_text(text, encoding="utf-8")
    print(f"\nbench: report written to {settings.rel(args.report)}")
    return 1 if errors else 0
