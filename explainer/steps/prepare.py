"""One build's preparation, shared by `make build` and `make serve`.

Validate the data, build the charts that changed, and list the generated files the site
serves. Under `make serve` a bad edit does not take the site down: the problems are
returned for the pages to show, and the last data that validated (a snapshot kept in
build/last-good-data) and the last charts that built keep being served.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from explainer.content import cite
from explainer.content import fragments as pages
from explainer.core import claims, files, settings
from explainer.core import data as D
from explainer.core.problems import Problem
from explainer.steps import package, render, validate


def inputs_fingerprint() -> str:
    """A hash of the data and the chart code: what a notebook page's output depends on."""
    data = settings.own_data_dir()
    return files.fingerprint([*data.glob("*"), *settings.charts_dir().rglob("*.py")])[:16]


def _validation_key() -> str:
    """Everything check_all reads: the data, the chart modules, the page names and its own code."""
    inputs = [
        *settings.data_dir().glob("*"),
        *settings.charts_dir().glob("*.py"),
        *(Path(m.__file__) for m in (validate, claims, D, settings)),
    ]
    pages = "\n".join(sorted(p.name for p in settings.docs_dir().glob("*.md")))
    return files.fingerprint(inputs, pages)[:24]


def _check_data(serve: bool = False) -> list:
    """validate.check_all, skipped when exactly these inputs were validated before (except on the
    first build of a serve session, which primes the per-dataset checks a later edit reuses)."""
    marker = settings.out_dir() / "validated" / _validation_key()
    if marker.exists() and not (serve and not _primed):
        return []
    _primed.append(True)
    problems = validate.check_all()
    if not problems:
        shutil.rmtree(marker.parent, ignore_errors=True)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return problems


def _snapshot_dir() -> Path:
    return settings.out_dir() / "last-good-data"


def prepare(serve: bool, log) -> tuple[str, dict[str, str]]:
    """Returns (data problems as text, {chart id: error}) -- both empty when all is well."""
    settings.use_data_dir(None)
    t0 = time.perf_counter()
    problems = _check_data(serve)
    TIMES["checks"] = time.perf_counter() - t0
    banner = ""
    if problems:
        text = "\n".join(str(p) for p in problems)
        for p in problems:
            log.error(str(p))
        banner = text
        snap = _snapshot_dir()
        if not (serve and snap.exists()):
            return banner, {}
        settings.use_data_dir(snap)  # serve: keep building from the last data that validated
    elif serve:
        _snapshot(settings.data_dir(), _snapshot_dir())

    pool = _POOL if serve else _BUILD_POOL
    if serve:
        pool.get()  # started (and warmed) now, so the first saved edit finds it ready
    t0 = time.perf_counter()
    # A line per chart for a build; under serve only failures and the count (the rest is noise).
    # A build renders what the pages show first and the PNGs and share cards beside the pages.
    outcomes = render.run(log=log.debug if serve else log.info, error=log.error, pool=pool, first=serve, later=True)
    TIMES["charts"] = time.perf_counter() - t0
    TIMES["charts_built"] = sum(o.status == "built" for o in outcomes)
    PARTIAL[:] = [o.chart_id for o in outcomes if o.status == "built"] if serve else []
    LATER[:] = [o.chart_id for o in outcomes if o.later]
    _LATER_FUTURES.clear()
    if LATER:
        _LATER_FUTURES.update(render.start_finishing(LATER, _BUILD_POOL, pngs_only=True))
    return banner, {o.chart_id: "\n".join(str(p) for p in o.problems) for o in outcomes if o.status == "failed"}


# Under serve, chart workers stay warm between rebuilds (see render.Pool).
_POOL = render.Pool()
_primed: list[bool] = []
TIMES: dict[str, float] = {}  # the last preparation's steps, for serve's one line per rebuild
PARTIAL: list[str] = []  # charts a serve rebuild rendered in part: finished after the page reloads
# A build: charts whose PNG and share card render in _BUILD_POOL while the pages are rendered,
# waited for (wait_for_charts) before the site's files are copied.
_BUILD_POOL = render.Pool()
LATER: list[str] = []
_LATER_FUTURES: dict = {}


def wait_for_charts(log) -> list[str]:
    """A build: wait for the PNGs and share cards rendered beside the pages; returns the charts
    whose files could not be finished (the build must then fail: every file is in a build)."""
    if not _LATER_FUTURES:
        return []
    t0 = time.perf_counter()
    finished = set(render.collect_finished(dict(_LATER_FUTURES), log=log.error))
    _LATER_FUTURES.clear()
    _BUILD_POOL.close()
    TIMES["charts_later_wait"] = time.perf_counter() - t0
    return [c for c in LATER if c not in finished]


def start_changelog():
    """A build with no changelog cache (a fresh clone): the data's git history, read commit by
    commit (the claims evaluated on each state of the data), is worked out in a process of its own
    while the data are checked and the charts render. Returns its future (wait on it before the
    generated files are listed), or None when there is nothing to work out ahead."""
    from explainer.content import changelog

    if changelog.cache_path().exists() or not pages.block_pages().get("changes"):
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=settings.use_project,
        initargs=(settings.project_root(),),
    )
    future = executor.submit(changelog.changes)
    executor.shutdown(wait=False)  # the process ends when its one task is done
    return future


def finish_charts(swap, log) -> None:
    """Under serve, after the reload: the rest of the charts just rendered in part (narrow SVGs,
    the PNG, the share card) in the warm workers, then `swap(ids)` puts them into the served site
    in place (see swap_chart_files): finishing them never costs another rebuild."""
    ids, PARTIAL[:] = list(PARTIAL), []
    if not ids:
        return

    def work() -> None:
        # From the spec the first pass wrote: the chart modules are not run again, and a chart
        # saved again meanwhile is left to the rebuild that save set off.
        finished = render.finish(ids, _POOL, log=log.error)
        if finished:
            swap(finished)

    threading.Thread(target=work, daemon=True).start()


# Under serve: held by a rebuild (from on_pre_build to on_post_build) and by background work
# writing into the served site, so the two never write into it at once.
SITE_LOCK = threading.RLock()
_NARROW = re.compile(r'(srcset="[^"]*?/([\w.-]+)\.narrow\.(?:light|dark)\.svg") width="\d+" height="\d+"')


def swap_chart_files(ids: list[str], site_dir: Path) -> int:
    """Copy the charts' finished files from the build folder into the served site (each file
    replaced atomically), and correct the narrow images' sizes in the pages that show them.
    Returns how many pages were corrected. The caller holds SITE_LOCK."""
    import json

    target = site_dir / pages.ASSETS
    sizes = {}
    for chart_id in ids:
        for kind in render.SECOND_PASS:
            src = render.artifact(chart_id, kind)
            if src.exists():
                files.write_atomic(target / src.name, src.read_bytes())
        meta = render.artifact(chart_id, "meta.json")
        if meta.exists():
            sizes[chart_id] = json.loads(meta.read_text(encoding="utf-8"))["size"]["narrow"]
    if not sizes:
        return 0

    def size(m: re.Match) -> str:
        if m.group(2) not in sizes:
            return m.group(0)
        w, h = sizes[m.group(2)]
        return f'{m.group(1)} width="{w}" height="{h}"'

    corrected = 0
    needles = tuple(f"{i}.narrow." for i in sizes)
    for html in site_dir.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        if not any(n in text for n in needles):
            continue
        new = _NARROW.sub(size, text)
        if new != text:
            files.write_atomic(html, new)
            corrected += 1
    return corrected


_seen: dict[str, float] = {}


def changes() -> list[str]:
    """The author's files (pages, data, chart modules) changed since the last call."""
    root = settings.project_root()
    now = {}
    for folder in (settings.docs_dir(), settings.own_data_dir(), settings.charts_dir()):
        for p in folder.rglob("*"):
            if p.is_file() and "__pycache__" not in p.parts:
                now[settings.rel(p) if p.is_relative_to(root) else str(p)] = p.stat().st_mtime
    changed = sorted(k for k, v in now.items() if _seen.get(k) != v) if _seen else []
    changed += sorted(k for k in _seen if k not in now)
    _seen.clear()
    _seen.update(now)
    return changed


def _snapshot(src: Path, dst: Path) -> None:
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    shutil.rmtree(dst, ignore_errors=True)
    os.replace(tmp, dst)


def generated_files() -> Iterator[tuple[str, Path]]:
    """(URI in the site, file) for every generated asset: chart artifacts, the Vega bundle, the datasets."""
    charts = settings.out_dir() / "charts"
    # A build's PNGs and share cards still being rendered (wait_for_charts) are listed too.
    later = {render.artifact(c, kind).name for c in LATER for kind in ("png", "card.png")}
    names = {p.name for p in charts.glob("*") if p.is_file()} | later
    for name in sorted(names):
        if not name.startswith(".") and not name.endswith(".meta.json"):
            yield f"assets/charts/{name}", charts / name
    yield "assets/vendor/vega-bundle.js", settings.out_dir() / "vendor" / "vega-bundle.js"
    for name in D.dataset_names():
        yield f"assets/data/{name}.csv", D.dataset_path(name)
        yield f"assets/data/{name}.schema.yaml", D.schema_path(name)
    yield f"assets/data/{settings.REGISTRY_FILE}", settings.data_dir() / settings.REGISTRY_FILE
    yield f"assets/data/{settings.CLAIMS_FILE}", settings.data_dir() / settings.CLAIMS_FILE
    yield from package.write(settings.out_dir() / "package")
    yield from cite.write(settings.out_dir() / "package")
    if pages.block_pages().get("changes"):
        from explainer.content import changelog

        feed = settings.out_dir() / "corrections.xml"
        files.write_if_changed(feed, changelog.atom().encode())
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
