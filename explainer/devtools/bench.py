"""`make bench`: how fast the pipeline is on this machine, and how heavy each page is.

    python -m explainer bench [--skip-builds] [--skip-serve] [--skip-pages] [--loop-only] [--compare COMMIT]
                              [--report bench-report.md]
                              [--edit-page PAGE --edit-file CSV --edit-row REGEX]

Measures, in order:

1. the cold full build: build/charts and build/notebooks removed, then
   `python -m explainer build --site-dir <tmp>` (the Vega bundle in build/vendor is kept;
   a fresh clone also has to write it, measured separately with an empty build folder);
2. the same build again with nothing changed;
3. `make charts` (`python -m explainer charts`) with build/charts removed, then with nothing changed;
4. the author's loop from outside (4c below, alone with --loop-only): a fresh clone, the command
   `make serve` runs, a data value and a Markdown page saved 6 s and 1.5 s apart (each gap plus
   0–0.5 s), the page fetched over HTTP every 50 ms until it holds the saved value; the floor is a plain Material site's
   Markdown save in the same run (with --compare COMMIT, that commit and HEAD are also served at
   once from two clones, their data saves interleaved: before and after under the same load);
   then save-to-reload in Chromium under `make serve`:
   `mkdocs serve --livereload` on a free 127.0.0.1 port, with
   EXPLAINER_DATA_DIR pointing at a scratch copy of data/ (the build never writes into data/; the
   bench edits the copy, as an author would edit data/) and that copy added to the watched paths
   with `--watch` (the plugin also watches the repository's own data/ and charts/, which this
   edit does not touch). Chromium holds the page named by --edit-page open. Two times from the
   saved edit of the number in --edit-file that --edit-row's second group matches (the
   project's Makefile names one): until the served page (fetched over HTTP)
   shows the new number, and until the page open in Chromium shows it through MkDocs' live
   reload (if it never does, the row says so, with the console error); then the same for
   reverting the edit. The serve process uses a copy of the warm build folder, so the
   repository's build/ never holds charts of the edited data;
5. per page, what a first visit costs before any interaction: the site from step 1 served
   gzip-compressed on 127.0.0.1 (explainer.devtools.serving, GitHub-Pages-like), each page loaded
   in a fresh Chromium context at 1280x800 without scrolling, until the network is quiet;
   requests and body bytes are counted by the server (bytes as sent, i.e. gzip-compressed).

Prints a table and writes the same Markdown to bench-report.md. The build folder is
current_project().out (EXPLAINER_BUILD_DIR, else build/). Exits 0 unless a measurement could not be run;
a missed target is reported, not an error.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
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

from explainer.core.project import current_project
from explainer.core.settings import CHROMIUM, CHROMIUM_ARGS
from explainer.devtools import serving
from explainer.devtools.processes import stop_process_group
from explainer.devtools.serving import site_pages

PY = sys.executable
LOAD_AT_START = [0.0, 0.0, 0.0]
# MkDocs run by this interpreter (not the `mkdocs` script, whose first line may name another venv's Python).
MKDOCS = [sys.executable, "-m", "mkdocs"]
VIEWPORT = {"width": 1280, "height": 800}

BUILD_TIMEOUT = 600  # seconds, any one build
SERVE_START_TIMEOUT = 600  # mkdocs serve's first build (all charts and the notebook on a fresh clone)
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
    e = dict(os.environ)
    e.update(extra)
    return e


def timed(cmd: list[str], environ: dict[str, str], what: str) -> float:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=current_project().root, env=environ, capture_output=True, text=True, timeout=BUILD_TIMEOUT
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
    out = current_project().out
    site = work / "site"
    build_cmd = [PY, "-m", "explainer", "build", "--site-dir", str(site)]
    rows: list[Timing] = []

    charts = current_project().chart_files
    log(
        f"bench: cold build (removing {current_project().rel(charts)}/ and "
        f"{current_project().rel(out / 'notebooks')}/) ..."
    )
    shutil.rmtree(charts, ignore_errors=True)
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

    log(f"bench: `make charts` cold (removing {current_project().rel(charts)}/) ...")
    shutil.rmtree(charts, ignore_errors=True)
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
        self,
        port: int,
        environ: dict[str, str],
        watch: list[Path],
        logfile: Path,
        config: Path | None = None,
        cmd: list[str] | None = None,
        cwd: Path | None = None,
    ):
        self.port = port
        self.logfile = logfile
        if cmd is None:
            cmd = [*MKDOCS, "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload"]
            if config is not None:
                cmd += ["--config-file", str(config)]
            for w in watch:
                cmd += ["--watch", str(w)]
        self._log = open(logfile, "w")
        self.proc = subprocess.Popen(
            cmd,
            cwd=cwd or current_project().root,
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
    shutil.copytree(current_project().data, data)
    build = work / "serve-build"
    shutil.copytree(current_project().out, build, ignore=shutil.ignore_patterns("last-good-data*"))
    csv = data / edit.file
    original = csv.read_text(encoding="utf-8")
    m = edit.row.search(original)
    if not m:
        raise BenchError(f"no row of {edit.file} matches {edit.row.pattern!r}")
    old = int(m.group(2))
    # One unit, as in the author's loop (4c): a larger step can move a verdict the claims ledger
    # pins, check-data then refuses the save and serve rightly keeps the last good data.
    new = old + 1
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


# --- 4b: the floor: a plain Material site of the same pages ----------------------------------------
# Markers removed, no plugin but search. Its cold and unchanged builds are timed here; its
# Markdown save, served by `mkdocs serve`, is the floor of the author's loop (4c).

SAVE_TIMEOUT = 60  # one save in the loop measurement
MARKER = re.compile(r"<!--.*?-->|\{\{.*?\}\}", re.S)


def plain_copy(work: Path) -> Path:
    """A plain Material project of the same pages: markers removed, no plugin but search."""
    root = work / "floor"
    docs = root / "docs"
    docs.mkdir(parents=True)
    pages = []
    for md in sorted(current_project().docs.glob("*.md")):
        (docs / md.name).write_text(MARKER.sub("0", md.read_text(encoding="utf-8")), encoding="utf-8")
        pages.append(md.name)
    nav = "\n".join(f"  - {p}" for p in pages)
    (root / "mkdocs.yml").write_text(
        f"site_name: floor\ntheme:\n  name: material\n  font: false\nplugins:\n  - search\nnav:\n{nav}\n",
        encoding="utf-8",
    )
    return root


def floor_builds(floor: Path) -> tuple[float, float]:
    """(cold, unchanged) build of the plain site, each a new process as `make build` is."""
    cmd = [*MKDOCS, "build", "--config-file", str(floor / "mkdocs.yml"), "--site-dir", str(floor / "site")]
    cold = timed(cmd, env(), "plain Material build")
    return cold, timed(cmd, env(), "plain Material rebuild")


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


def measure_against_floor(builds: list[Timing], work: Path) -> list[Timing]:
    """The plain Material site's cold and unchanged builds, and our unchanged build against it.
    (The saves are timed from outside by measure_loop.)"""
    floor = plain_copy(work / "floor-builds")
    cold, unchanged = floor_builds(floor)
    log(f"  plain Material: cold {cold:.2f} s, unchanged {unchanged:.2f} s")
    ours_unchanged = next(t.seconds for t in builds if t.label.startswith("rebuild, nothing changed (`make build`"))
    rows = [
        Timing("plain Material, same pages: cold build (a new process)", cold),
        Timing("plain Material, same pages: unchanged build (a new process)", unchanged),
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


# --- 4c: the author's loop, measured from outside ------------------------------------------------
# As an author meets it: a fresh clone (no build/ folder), the command `make serve` runs, and the
# page fetched over HTTP every 50 ms until the saved value is in its HTML. Saves come 6 s apart
# (the author looks, then edits again) and 1.5 s apart (quick successive edits), each gap plus
# 0–0.5 s (WATCH_CYCLE), LOOP_SAVES of each; each save's time is until its value, or a later
# save's, is served. The floor is `mkdocs serve` of a plain Material site of the same pages, saved
# the same way in the same run, so a busy machine slows both: compare the ratios, not the seconds.

LOOP_SAVES = 6
LOOP_GAPS = (6.0, 1.5)
POLL = 0.05  # seconds between two fetches of the page
# A plain `mkdocs serve` looks for changes every half second. Saves exactly 6 s or 1.5 s apart would
# all land at one moment of that cycle, so a series' floor would be one draw of luck (0.53 s in one
# run, 0.75 s in the next). Each gap is lengthened by a random part of the cycle, the same for both
# sites (seeded): each save lands at its own moment, as an author's do.
WATCH_CYCLE = 0.5


def apart(gap: float) -> str:
    """How far apart a series' saves came, for the report: "6–6.5 s apart"."""
    return f"{gap:g}–{gap + WATCH_CYCLE:g} s apart"


def fresh_clone(work: Path, commit: str | None = None) -> Path:
    """A clone of the project's repository at HEAD (or `commit`): what an author starts from (no build/)."""
    root = current_project().root
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True)
    if top.returncode != 0:
        raise BenchError("the author's loop is measured on a fresh clone: the project is not a git repository")
    dst = work / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", top.stdout.strip(), str(dst)], check=True)
    if commit:
        subprocess.run(["git", "checkout", "--quiet", "--detach", commit], cwd=dst, check=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "-uno"], cwd=root, capture_output=True, text=True).stdout
    if dirty.strip():
        log("  note: the working tree has uncommitted changes; the clone measures the last commit")
    return dst / root.relative_to(top.stdout.strip()) if root != Path(top.stdout.strip()) else dst


def timed_saves(
    server: Serve, page: str, path: Path, saves: list[tuple[str, str]], gap: float
) -> tuple[list[float], int]:
    """Write each (text, needle) `gap` seconds after the last; seconds from each save until the
    served page holds its needle or a later save's, and the rebuilds the saves set off. The file
    is restored afterwards."""
    import threading

    original = path.read_text(encoding="utf-8")
    needles = [n for _, n in saves]
    seen: dict[str, float] = {}
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            t = time.perf_counter()
            body = fetch(server.base + page, timeout=SAVE_TIMEOUT) or ""
            now = time.perf_counter()
            for n in needles:
                if n not in seen and n in body:
                    seen[n] = now
            stop.wait(max(0.0, POLL - (now - t)))

    _settle(server, quiet=3.0, limit=120.0)  # what the last series set off is done
    stagger = random.Random(f"{gap}")  # the same lengthened gaps for the floor and this project
    since, builds = len(server.log_text()), [0]
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    saved: list[float] = []
    try:
        for text, _ in saves:
            if saved:
                time.sleep(max(0.0, saved[-1] + gap + stagger.uniform(0, WATCH_CYCLE) - time.perf_counter()))
            saved.append(time.perf_counter())
            path.write_text(text, encoding="utf-8")
        deadline = time.perf_counter() + SAVE_TIMEOUT
        while needles[-1] not in seen and time.perf_counter() < deadline:
            time.sleep(0.05)
        _settle(server, quiet=3.0, limit=120.0)  # the rebuilds and what they set off, before the restore
        builds[0] = server.log_text()[since:].count("Building documentation")
    finally:
        stop.set()
        poller.join(timeout=SAVE_TIMEOUT)
        path.write_text(original, encoding="utf-8")
    if needles[-1] not in seen:
        raise BenchError(f"{page} did not show {needles[-1]!r} within {SAVE_TIMEOUT} s of the last save")
    out = []
    for k, t in enumerate(saved):
        out.append(min(seen[n] for n in needles[k:] if n in seen) - t)
    return out, builds[0]


def measure_loop(work: Path, edit: Edit, commit: str | None = None) -> tuple[list[Timing], list[str]]:  # noqa: PLR0915
    page = edit.page
    md_name = page.strip("/").split("/")[-1] + ".md" if page.strip("/") else "index.md"
    clone = fresh_clone(work, commit)
    floor = plain_copy(work / "loop-floor")

    # Unbuffered, so the log says what happened when it happened (rebuilds are counted from it).
    environ = {k: v for k, v in env(PYTHONUNBUFFERED="1").items() if not k.startswith("EXPLAINER_")}
    epoch = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=clone, capture_output=True, text=True)
    environ["SOURCE_DATE_EPOCH"] = epoch.stdout.strip() or "0"
    port = free_port()
    log(f"bench: the author's loop: `make serve` in a fresh clone ({clone}), on 127.0.0.1:{port} ...")
    cmd = [PY, "-m", "explainer", "serve", "--dev-addr", f"127.0.0.1:{port}"]  # what `make serve` runs
    t0 = time.perf_counter()
    ours = Serve(port, environ, [], work / "loop-serve.log", cmd=cmd, cwd=clone)
    servers = [ours]
    try:
        ours.wait_serving(page, "<h1", SERVE_START_TIMEOUT)
        cold = time.perf_counter() - t0
        first = re.search(r"(?:re)?built in [\d.]+ s: (.*)", ours.log_text())
        log(f"  serving after {cold:.1f} s" + (f" ({first.group(1)})" if first else ""))
        fport = free_port()
        floor_server = Serve(fport, env(PYTHONUNBUFFERED="1"), [], work / "loop-floor.log", floor / "mkdocs.yml")
        servers.append(floor_server)
        floor_server.wait_serving(page, "<h1", SERVE_START_TIMEOUT)

        csv = clone / "data" / edit.file
        text = csv.read_text(encoding="utf-8")
        m = edit.row.search(text)
        if not m:
            raise BenchError(f"no row of {edit.file} matches {edit.row.pattern!r}")
        base = int(m.group(2))

        def data_saves(series: int) -> list[tuple[str, str]]:
            out = []
            for i in range(1, LOOP_SAVES + 1):
                # A step of one unit: the saved figure stays within the precision the text writes it
                # at, so the claims ledger still validates and the page shows the new figure (a larger
                # step can move a verdict and fail check-data: serve then keeps the last good data).
                v = base + i + 10 * series
                out.append((edit.row.sub(lambda mm, v=v: f"{mm.group(1)}{v}{mm.group(3)}", text, count=1), f"{v:,}"))
            return out

        def md_saves(md: Path, series: int) -> list[tuple[str, str]]:
            body = md.read_text(encoding="utf-8")
            heading = next(ln for ln in body.splitlines() if ln.startswith("## "))
            return [
                (body.replace(heading, f"{heading} benchword{series}q{i}q", 1), f"benchword{series}q{i}q")
                for i in range(1, LOOP_SAVES + 1)
            ]

        results: dict[tuple[str, float], tuple[list[float], float]] = {}
        for series, gap in enumerate(LOOP_GAPS):
            log(f"bench: saves {apart(gap)} ...")
            for who, server, path, saves in (
                ("floor", floor_server, floor / "docs" / md_name, md_saves(floor / "docs" / md_name, series)),
                ("markdown", ours, clone / "docs" / md_name, md_saves(clone / "docs" / md_name, series)),
                ("data", ours, csv, data_saves(series)),
            ):
                since = len(server.log_text())
                times, builds = timed_saves(server, page, path, saves, gap)
                per_save = round(builds / LOOP_SAVES, 2)
                results[(who, gap)] = (times, per_save)
                log(
                    f"  {who}: median {statistics.median(times):.2f} s ({', '.join(f'{x:.2f}' for x in times)}),"
                    f" {per_save:g} rebuilds per save"
                )
                # Where the rebuilds' time went, as the serve log says it (checks, charts, pages).
                stages = re.findall(r"rebuilt in ([\d.]+ s).*?: (checks .*)", server.log_text()[since:])
                for total, line in stages[-3:]:
                    log(f"    rebuilt in {total}: {line}")
    finally:
        for server in servers:
            server.stop()

    rows = [Timing("fresh clone: `make serve` until the page is served (cold, set-up excluded)", cold, TARGETS["cold"])]
    if first:
        rows[-1].note = first.group(1)
    table = [
        "| | this project | plain Material, same run | ratio | target | rebuilds per save |",
        "|---|---|---|---|---|---|",
    ]
    for gap in LOOP_GAPS:
        floor_times, _ = results[("floor", gap)]
        fmed = statistics.median(floor_times)
        for who, label, ratio in (
            ("data", "data value saved → page served", RATIOS["data_save"]),
            ("markdown", "Markdown saved → page served", RATIOS["markdown_save"]),
        ):
            times, per_save = results[(who, gap)]
            med = statistics.median(times)
            rows.append(
                Timing(
                    f"{label}, saves {apart(gap)} (median of {len(times)}, HTTP every 50 ms)",
                    med,
                    ratio * fmed,
                    f"{med / fmed:.2f}× the floor ({fmed:.2f} s), target {ratio:g}×; {per_save:g} rebuilds per save",
                )
            )
            table.append(
                f"| {label}, saves {apart(gap)} (median of {len(times)}) | {med:.2f} s "
                f"({min(times):.2f}–{max(times):.2f} s) | {fmed:.2f} s | {med / fmed:.2f}× | ≤ {ratio:g}× "
                f"| {per_save:g} |"
            )
    return rows, table


def compare_commits(work: Path, edit: Edit, other: str) -> list[str]:
    """Before and after under the same load: `other` and HEAD served at once from two fresh clones,
    their data saves interleaved (each clone's LOOP_GAPS[0] s apart, one offset by half that, the
    offset swapped in a second series). Returns report lines: each commit's median of both series."""
    import threading

    servers: dict[str, tuple[Serve, Path]] = {}
    results: dict[tuple[str, int], tuple[list[float], int]] = {}
    gap = LOOP_GAPS[0]
    try:
        for name, commit in ((other, other), ("HEAD", None)):
            folder = work / f"compare-{len(servers)}"
            folder.mkdir()
            clone = fresh_clone(folder, commit)
            environ = {k: v for k, v in env(PYTHONUNBUFFERED="1").items() if not k.startswith("EXPLAINER_")}
            epoch = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=clone, capture_output=True, text=True)
            environ["SOURCE_DATE_EPOCH"] = epoch.stdout.strip() or "0"
            port = free_port()
            cmd = [PY, "-m", "explainer", "serve", "--dev-addr", f"127.0.0.1:{port}"]
            servers[name] = (Serve(port, environ, [], folder / "serve.log", cmd=cmd, cwd=clone), clone)
        log(f"bench: {other} and HEAD served at once, data saves interleaved, {gap:g} s apart each ...")
        for server, _ in servers.values():
            server.wait_serving(edit.page, "<h1", SERVE_START_TIMEOUT)

        def run(name: str, delay: float, series: int) -> None:
            server, clone = servers[name]
            time.sleep(delay)
            csv = clone / "data" / edit.file
            text = csv.read_text(encoding="utf-8")
            m = edit.row.search(text)
            if not m:
                raise BenchError(f"no row of {edit.file} matches {edit.row.pattern!r}")
            saves = []
            for i in range(1, LOOP_SAVES + 1):
                v = int(m.group(2)) + i + 10 * series  # one unit a save, as in measure_loop
                saves.append((edit.row.sub(lambda mm, v=v: f"{mm.group(1)}{v}{mm.group(3)}", text, count=1), f"{v:,}"))
            results[(name, series)] = timed_saves(server, edit.page, csv, saves, gap)

        for series in (0, 1):
            threads = [
                threading.Thread(target=run, args=(other, gap / 2 if series else 0.0, series)),
                threading.Thread(target=run, args=("HEAD", 0.0 if series else gap / 2, series)),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        for server, _ in servers.values():
            server.stop()
    lines = [
        f"| data value saved → page served, {gap:g} s apart, both served at once | median of "
        f"{2 * LOOP_SAVES} | rebuilds per save |",
        "|---|---|---|",
    ]
    for name in (other, "HEAD"):
        if (name, 0) not in results or (name, 1) not in results:
            raise BenchError(f"the comparison did not finish for {name}")
        times = results[(name, 0)][0] + results[(name, 1)][0]
        builds = results[(name, 0)][1] + results[(name, 1)][1]
        lines.append(f"| {name} | {statistics.median(times):.2f} s | {builds / len(times):.2f} |")
        log(f"  {name}: median {statistics.median(times):.2f} s, {builds / len(times):.2f} rebuilds per save")
    return lines


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


def report(
    timings: list[Timing], weights: list[PageWeight], errors: list[str], started: float, loop: list[str] = ()
) -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    lines = [
        "# Benchmark",
        "",
        f"Machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; load average at the start "
        f"{LOAD_AT_START[0]:.2f}, at the end {load[0]:.2f}. Build folder: "
        f"{current_project().rel(current_project().out)}/. "
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
    if loop:
        lines += [
            "",
            "## The author's loop, from outside (fresh clone, HTTP polling every 50 ms)",
            "",
            "Both sites served in the same run on this machine; under load the seconds grow, so read the ratios.",
            "",
            *loop,
        ]
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


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 - the measurements, in order
    ap = argparse.ArgumentParser(prog="python -m explainer bench", description=__doc__.splitlines()[0])
    ap.add_argument("--skip-builds", action="store_true", help="measure serve and pages only (pages from site/)")
    ap.add_argument("--skip-serve", action="store_true")
    ap.add_argument("--skip-pages", action="store_true")
    ap.add_argument("--loop-commit", help="measure the author's loop on this commit (default: HEAD), e.g. to compare")
    ap.add_argument(
        "--compare",
        metavar="COMMIT",
        help="also serve COMMIT and HEAD at once from two fresh clones, data saves interleaved: before and after",
    )
    ap.add_argument(
        "--loop-only", action="store_true", help="only the author's loop from outside (fresh clone, saves, floor)"
    )
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
    loop: list[str] = []
    site = None
    only_loop = args.loop_only
    try:
        try:
            if args.skip_builds or only_loop:
                site = current_project().root / "site"
            else:
                rows, site = measure_builds(work)
                timings += rows
                timings += measure_against_floor(timings, work)
        except BenchError as e:
            errors.append(str(e).splitlines()[0])
            print(f"bench: {e}", file=sys.stderr)
        if not args.skip_serve and edit is None:
            errors.append("save-to-reload: not measured (name the edit: --edit-page, --edit-file, --edit-row)")
        elif not args.skip_serve:
            try:
                rows, loop = measure_loop(work, edit, args.loop_commit)
                timings += rows
            except Exception as e:  # noqa: BLE001 - reported, and the other measurements still run
                errors.append(f"author's loop: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
                print(f"bench: author's loop: {e}", file=sys.stderr)
            if args.compare:
                try:
                    loop += ["", f"Before and after under the same load ({args.compare} against HEAD):", ""]
                    loop += compare_commits(work, edit, args.compare)
                except Exception as e:  # noqa: BLE001 - reported, and the other measurements still run
                    errors.append(f"comparison: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
                    print(f"bench: comparison: {e}", file=sys.stderr)
            if not only_loop:
                try:
                    timings += measure_serve(work, edit)
                except Exception as e:  # noqa: BLE001 - reported, and the other measurements still run
                    errors.append(f"save-to-reload: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
                    print(f"bench: save-to-reload: {e}", file=sys.stderr)
        if not (args.skip_pages or only_loop) and site is not None and (site / "index.html").exists():
            try:
                weights = measure_pages(site)
            except Exception as e:  # noqa: BLE001
                errors.append(f"page weight: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
                print(f"bench: page weight: {e}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(timings, weights, errors, started, loop)
    print()
    print(text, end="")
    args.report.write_text(text, encoding="utf-8")
    print(f"\nbench: report written to {current_project().rel(args.report)}")
    return 1 if errors else 0
