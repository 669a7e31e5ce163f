"""One build's preparation, shared by `make build` and `make serve`.

Validate the data, build the charts that changed, and list the generated files the site
serves. Under `make serve` a bad edit does not take the site down: the problems are
returned for the pages to show, and the last data that validated (a copy kept in
build/last-good-data, which serve always reads) and the last charts that built keep being
served. What a session keeps between rebuilds is a `BuildState` the plugin owns.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from explainer.content import cite, fragments
from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import files, settings
from explainer.core import project as projects
from explainer.core.problems import Problem
from explainer.core.project import Project
from explainer.steps import package, render, validate


@dataclass
class BuildState:
    """What one build, or one serve session from rebuild to rebuild, keeps: owned by the MkDocs
    plugin (one per session) and passed to the steps here, never held in a module."""

    serve: bool = False
    pool: render.Pool | None = None  # serve: chart workers kept warm between rebuilds (render.Pool)
    primed: bool = False  # serve: the first build validated everything (priming the per-dataset checks)
    times: dict[str, float] = field(default_factory=dict)  # the last preparation's steps, for the log line
    partial: list[str] = field(default_factory=list)  # charts rendered in part: finished after the reload
    seen: dict[str, float] = field(default_factory=dict)  # the author's files and their times (`changes`)
    packaged: dict[str, str] = field(default_factory=dict)  # the data package's inputs at its last write
    notebook_run: threading.Thread | None = None  # serve: the notebook re-running in the background
    # A build: the charts whose PNG and share card render in `build_pool` while the pages are
    # rendered, waited for (`wait_for_charts`) before the site's files are copied.
    build_pool: render.Pool = field(default_factory=render.Pool)
    later: list[str] = field(default_factory=list)
    later_futures: dict = field(default_factory=dict)
    # A serve rebuild: the charts whose wide images render beside the pages (`finish_wide`).
    wide_futures: dict = field(default_factory=dict)
    # Under serve: held by a rebuild (from on_pre_build to on_post_build) and by background work
    # writing into the served site, so the two never write into it at once.
    site_lock: threading.RLock = field(default_factory=threading.RLock)
    # Under serve: when the last rebuild began or ended, and whether one is under way (`building`,
    # `built`), for background work to wait until the author is quiet (`wait_until_quiet`); the
    # charts whose other images are still to be rendered, and whether a thread is rendering them.
    last_activity: float = 0.0
    rebuilding: bool = False
    to_finish: set[str] = field(default_factory=set)
    finishing: bool = False
    finish_lock: threading.Lock = field(default_factory=threading.Lock)

    def building(self) -> None:
        """A rebuild begins (serve)."""
        self.rebuilding, self.last_activity = True, time.monotonic()

    def built(self) -> None:
        """A rebuild ended, well or not (serve)."""
        self.rebuilding, self.last_activity = False, time.monotonic()

    def wait_until_quiet(self, quiet: float = settings.SERVE_QUIET_S) -> None:
        """Block until no rebuild is under way and none began or ended for `quiet` seconds: what a
        save leaves to do in the background waits for the author's pause, so a quick series of saves
        never queues behind it (nor shares the machine with it)."""
        while True:
            idle = time.monotonic() - self.last_activity
            if not self.rebuilding and idle >= quiet:
                return
            time.sleep(max(0.05, quiet - idle) if not self.rebuilding else 0.1)

    def close(self) -> None:
        """The warm chart workers end with the server, not after it."""
        if self.pool is not None:
            self.pool.close()
        self.build_pool.close()


def serve_project(project: Project) -> Project:
    """The project as `serve` reads it: its own data validated, and pages, charts and the notebook
    reading the last data that validated (a copy in the build folder, refreshed by every rebuild
    whose data validate), so a bad edit never takes the served site down."""
    return project.reading(project.out / "last-good-data")


def notebook_fingerprint(project: Project) -> str:
    """A hash of the data and the chart code: what a notebook page's output depends on."""
    return files.fingerprint([*project.own_data.glob("*"), *project.charts.rglob("*.py")])[:16]


def _validation_key(project: Project) -> str:
    """Everything check_all reads: the data, the chart modules, the page names and its own code."""
    inputs = [
        *project.data.glob("*"),
        *project.charts.glob("*.py"),
        *(Path(m.__file__) for m in (validate, C, D, settings)),
    ]
    pages = "\n".join(sorted(p.name for p in project.docs.glob("*.md")))
    return files.fingerprint(inputs, pages)[:24]


def _check_data(project: Project, state: BuildState) -> list:
    """validate.check_all, skipped when exactly these inputs were validated before (except on the
    first build of a serve session, which primes the per-dataset checks a later edit reuses)."""
    marker = project.out / "validated" / _validation_key(project)
    if marker.exists() and not (state.serve and not state.primed):
        return []
    state.primed = True
    problems = validate.check_all(project)
    if not problems:
        shutil.rmtree(marker.parent, ignore_errors=True)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return problems


def prepare(project: Project, state: BuildState, log, data_ready=None) -> tuple[str, dict[str, str]]:
    """Returns (data problems as text, {chart id: error}) -- both empty when all is well.
    `project` is the one the build reads: for serve, `serve_project(...)`, whose data folder is the
    last good copy of its own, refreshed here when the own data validate. `data_ready()`, if given,
    is called once the data the build reads are in place and before the charts render."""
    t0 = time.perf_counter()
    problems = _check_data(project.own(), state)
    state.times["checks"] = time.perf_counter() - t0
    banner = ""
    unchecked = project.data.with_name(project.data.name + ".unchecked")  # a copy made of data that failed
    if problems:
        text = "\n".join(str(p) for p in problems)
        for p in problems:
            log.error(str(p))
        banner = text
        if not state.serve:
            return banner, {}
        if project.data == project.own_data:
            return banner, {}
        if not project.data.exists() or unchecked.exists():
            # No data has validated yet: the pages read the author's data as they are, no chart is built.
            _snapshot(project.own_data, project.data)
            unchecked.touch()
            return banner, {}
        # serve: keep building from the last data that validated
    elif project.data != project.own_data:
        _snapshot(project.own_data, project.data)
        unchecked.unlink(missing_ok=True)

    if data_ready is not None:
        data_ready()
    pool = state.pool if state.serve else state.build_pool
    if state.serve:
        pool.get(project)  # started (and warmed) now, so the first saved edit finds it ready
    t0 = time.perf_counter()
    # A line per chart for a build; under serve only failures and the count (the rest is noise).
    # A build renders what the pages show first and the PNGs and share cards beside the pages.
    outcomes = render.run(
        log=log.debug if state.serve else log.info,
        error=log.error,
        pool=pool,
        first=state.serve,
        project=project,
        later=True,
    )
    state.times["charts"] = time.perf_counter() - t0
    state.times["charts_built"] = sum(o.status == "built" for o in outcomes)
    state.partial[:] = [o.chart_id for o in outcomes if o.status == "built"] if state.serve else []
    state.later[:] = [o.chart_id for o in outcomes if o.later]
    state.wide_futures.clear()
    wide = [o.chart_id for o in outcomes if o.wide_later]
    if wide:
        state.wide_futures.update(render.start_wide(wide, pool, project=project))
    state.later_futures.clear()
    if state.later:
        state.later_futures.update(
            render.start_finishing(state.later, state.build_pool, pngs_only=True, project=project)
        )
    return banner, {o.chart_id: "\n".join(str(p) for p in o.problems) for o in outcomes if o.status == "failed"}


def wait_for_charts(state: BuildState, log) -> list[str]:
    """A build: wait for the PNGs and share cards rendered beside the pages; returns the charts
    whose files could not be finished (the build must then fail: every file is in a build)."""
    if not state.later_futures:
        return []
    t0 = time.perf_counter()
    finished = set(render.collect_finished(dict(state.later_futures), log=log.error))
    state.later_futures.clear()
    state.build_pool.close()
    state.times["charts_later_wait"] = time.perf_counter() - t0
    return [c for c in state.later if c not in finished]


def start_changelog(project: Project):
    """A build with no changelog cache (a fresh clone): the data's git history, read commit by
    commit (the claims evaluated on each state of the data), is worked out in a process of its own
    while the data are checked and the charts render. Returns its future (wait on it before the
    generated files are listed), or None when there is nothing to work out ahead."""
    from explainer.content import changelog

    if changelog.cache_path(project).exists() or not fragments.block_pages().get("changes"):
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=projects.use,
        initargs=(project,),
    )
    future = executor.submit(changelog.changes)
    executor.shutdown(wait=False)  # the process ends when its one task is done
    return future


def finish_charts(project: Project, state: BuildState, swap, log) -> None:
    """Under serve, after the reload: the rest of the charts just rendered in part (narrow SVGs,
    the PNG, the share card) in the warm workers, once the author pauses (`wait_until_quiet`), then
    `swap(ids)` puts them into the served site in place (see swap_chart_files): finishing them never
    costs another rebuild, and quick saves never wait for it. Charts left from several saves are
    finished together, each once."""
    if state.pool is None:
        return
    with state.finish_lock:
        state.to_finish.update(state.partial)
        state.partial[:] = []
        if not state.to_finish or state.finishing:
            return
        state.finishing = True
    pool = state.pool

    def work() -> None:
        try:
            while True:
                state.wait_until_quiet()
                with state.finish_lock:
                    ids = sorted(state.to_finish)
                    state.to_finish.clear()
                    if not ids:
                        state.finishing = False
                        return
                # From the spec the first pass wrote: the chart modules are not run again, and a
                # chart saved again meanwhile is left to the rebuild that save set off.
                finished = render.finish(ids, pool, project, log=log.error)
                if finished:
                    swap(finished)
        except BaseException:
            with state.finish_lock:
                state.finishing = False
            raise

    threading.Thread(target=work, daemon=True).start()


def finish_wide(project: Project, state: BuildState, site_dir: Path, shown: dict[str, tuple[int, int]], log) -> None:
    """A serve rebuild, before it ends: wait for the wide images rendered beside the pages, put
    them into the served site (each file replaced atomically) and correct their sizes in the pages
    where they differ from `shown` (the sizes the pages were written with, by chart)."""
    if not state.wide_futures:
        return
    t0 = time.perf_counter()
    sizes = render.collect_wide(dict(state.wide_futures), log=log.error)
    state.wide_futures.clear()
    target = site_dir / settings.SITE_CHARTS
    for chart_id in sizes:
        for kind in ("light.svg", "dark.svg"):
            src = render.artifact(chart_id, kind, project)
            if src.exists():
                files.write_atomic(target / src.name, src.read_bytes())
    changed = {c: s for c, s in sizes.items() if tuple(shown.get(c, ())) != tuple(s)}
    if changed:
        _correct_sizes(site_dir, _WIDE, changed)
    state.times["wide_wait"] = time.perf_counter() - t0


# A chart's wide image in a page: `<img src=".../id.light.svg" alt="..." width= height=>`, or a
# `<source srcset=".../id.dark.svg" width= height=>` (the narrow ones: `_NARROW`).
_WIDE = re.compile(
    r'((?:src|srcset)="[^"]*?/([\w.-]+)\.(?:light|dark)\.svg"(?: alt="[^"]*")? )width="\d+" height="\d+"'
)
_NARROW = re.compile(r'(srcset="[^"]*?/([\w.-]+)\.narrow\.(?:light|dark)\.svg") width="\d+" height="\d+"')


def swap_chart_files(project: Project, ids: list[str], site_dir: Path) -> int:
    """Copy the charts' finished files from the build folder into the served site (each file
    replaced atomically), and correct the narrow images' sizes in the pages that show them.
    Returns how many pages were corrected. The caller holds the session's `BuildState.site_lock`."""
    target = site_dir / settings.SITE_CHARTS
    sizes = {}
    for chart_id in ids:
        for kind in render.SECOND_PASS:
            src = render.artifact(chart_id, kind, project)
            if src.exists():
                files.write_atomic(target / src.name, src.read_bytes())
        meta = render.artifact(chart_id, "meta.json", project)
        if meta.exists():
            sizes[chart_id] = render.read_meta(chart_id).size.narrow
    if not sizes:
        return 0
    return _correct_sizes(site_dir, _NARROW, sizes)


def _correct_sizes(site_dir: Path, pattern: re.Pattern, sizes: dict[str, tuple[int, int]]) -> int:
    """Put each chart's image size (`sizes`, by chart id) into the site's pages where `pattern`
    finds its image (group 1: what precedes the size, group 2: the chart id); returns the pages
    corrected."""

    def size(m: re.Match) -> str:
        if m.group(2) not in sizes:
            return m.group(0)
        w, h = sizes[m.group(2)]
        return f'{m.group(1).rstrip()} width="{w}" height="{h}"'

    corrected = 0
    needles = tuple(f"/{i}." for i in sizes)
    for html in site_dir.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        if not any(n in text for n in needles):
            continue
        new = pattern.sub(size, text)
        if new != text:
            files.write_atomic(html, new)
            corrected += 1
    return corrected


def changes(project: Project, state: BuildState) -> list[str]:
    """The author's files (pages, data, chart modules) changed since the last call."""
    root = project.root
    now = {}
    for folder in (project.docs, project.own_data, project.charts):
        for p in folder.rglob("*"):
            if p.is_file() and "__pycache__" not in p.parts:
                now[project.rel(p) if p.is_relative_to(root) else str(p)] = p.stat().st_mtime
    seen = state.seen
    changed = sorted(k for k, v in now.items() if seen.get(k) != v) if seen else []
    changed += sorted(k for k in seen if k not in now)
    seen.clear()
    seen.update(now)
    return changed


def _snapshot(src: Path, dst: Path) -> None:
    """Make `dst` a copy of `src`, file by file: each changed file replaced atomically, files gone
    from `src` removed. Whoever reads `dst` meanwhile (a chart worker, the notebook's kernel) sees
    each file whole, the old or the new, and never a missing folder."""
    dst.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for path in src.rglob("*"):
        rel = path.relative_to(src)
        if path.is_dir():
            (dst / rel).mkdir(parents=True, exist_ok=True)
            continue
        wanted.add(rel)
        target = dst / rel
        st = path.stat()
        try:
            old = target.stat()
            if old.st_size == st.st_size and old.st_mtime_ns == st.st_mtime_ns:
                continue
        except OSError:
            pass
        tmp = target.with_name(f".{target.name}.copying")
        shutil.copy2(path, tmp)
        os.replace(tmp, target)
    for path in sorted(dst.rglob("*"), reverse=True):
        rel = path.relative_to(dst)
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not (src / rel).is_dir():
            shutil.rmtree(path, ignore_errors=True)


def generated_files(project: Project, state: BuildState) -> Iterator[tuple[str, Path]]:
    """(URI in the site, file) for every generated asset: chart artifacts, the Vega bundle, the datasets."""
    charts = project.chart_files
    # A build's PNGs and share cards still being rendered (wait_for_charts) are listed too.
    later = {render.artifact(c, kind, project).name for c in state.later for kind in ("png", "card.png")}
    names = {p.name for p in charts.glob("*") if p.is_file()} | later
    for name in sorted(names):
        if not name.startswith(".") and not name.endswith(".meta.json"):
            yield f"{settings.SITE_CHARTS}/{name}", charts / name
    yield "assets/vendor/vega-bundle.js", project.out / "vendor" / "vega-bundle.js"
    for name in D.dataset_names(project):
        yield f"{settings.SITE_DATA}/{name}.csv", D.dataset_path(name, project)
        yield f"{settings.SITE_DATA}/{name}{settings.SCHEMA_SUFFIX}", D.schema_path(name, project)
    yield f"{settings.SITE_DATA}/{settings.REGISTRY_FILE}", project.data / settings.REGISTRY_FILE
    yield f"{settings.SITE_DATA}/{settings.CLAIMS_FILE}", project.data / settings.CLAIMS_FILE
    yield from package.write(project.out / "package", state.packaged)
    yield from cite.write(project.out / "package")
    if fragments.block_pages().get("changes"):
        from explainer.content import changelog

        feed = project.out / "corrections.xml"
        files.write_if_changed(feed, changelog.atom(project).encode())
        yield "assets/corrections.xml", feed


LINK_RE = re.compile(r"\]\(([^)\s#]+\.md)(#[^)\s]*)?\)")


def broken_links(markdown: str, src: str, first_line: int, known: set[str]) -> list[Problem]:
    """Links from a page to pages that do not exist, `known` being the site's files (under serve
    they are shown, not fatal)."""
    base = posixpath.dirname(src)
    out = []
    for m in LINK_RE.finditer(markdown):
        target = m.group(1)
        if "://" in target:
            continue
        path = posixpath.normpath(posixpath.join(base, target))
        if path not in known:
            line = first_line + markdown.count("\n", 0, m.start())
            out.append(Problem(f"docs/{src}", line, "", f"links to {target}, which is not a page of the site", "link"))
    return out
