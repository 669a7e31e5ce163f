"""Under `mkdocs serve` only: what makes a saved edit reload in a fraction of a second, by reaching
into MkDocs', Material's and Jinja's internals (each named in ARCHITECTURE.md, under
`explainer/mkdocs/`). `make build` never installs any of it; `serve_speedups: false` in the
plugin's options turns it off for serve too.

- Material's search index keeps each unchanged page's entries instead of parsing its HTML again.
- The theme's compiled templates, and the listing of the installed theme's files, are kept between
  rebuilds (MkDocs makes a new Jinja environment for each).
- The served folder is updated in place: not emptied, a file copied only when it changed, and what
  a build no longer makes removed after it.
- The dev server watches with the operating system's file events (writes only) instead of polling.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

# -----------------------------------------------------------------------------
# Classes
# -----------------------------------------------------------------------------


class ServeSpeedups:
    """One serve session's speed-ups; the plugin owns one and calls it from its events."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.templates: _TemplateCache | None = None
        # From the second build on: the served folder (its real path) and when the build began.
        self.site: str | None = None
        self.since: float | None = None

    def install(self) -> None:
        """Patch what each speed-up needs (on_startup, once per serve)."""
        _cache_search_entries()
        self.templates = _TemplateCache(self.root)
        _keep_served_files(self)

    def on_env(self, env) -> None:
        if self.templates is not None:
            env.bytecode_cache = self.templates.bytecode

    def after_build(self, site_dir: str, made: set[str]) -> None:
        """Remove what this build did not make, and update this folder in place from now on."""
        if self.since is not None:
            _sweep(site_dir, made, self.since)
        self.site, self.since = os.path.realpath(site_dir), None

    def forget(self) -> None:
        """After a failed build: the next one starts from an empty folder again."""
        self.site = self.since = None


# -----------------------------------------------------------------------------
# Helper functions
# -----------------------------------------------------------------------------


def _cache_search_entries() -> None:
    """Material's search plugin parses every page's HTML on every build; under serve most pages
    have not changed. Keep each page's entries, keyed on its URL, title and HTML (a memo keyed on
    content: an edited page is parsed anew)."""
    from material.plugins.search.plugin import SearchIndex

    index = SearchIndex.add_entry_from_context
    if getattr(index, "cached", False):
        return
    cache: dict[tuple, list[dict]] = {}

    def add_entry_from_context(self, page):
        key = (page.url, str(page.title), hash(page.content), repr(page.meta.get("search")))
        if key not in cache:
            before = len(self.entries)
            index(self, page)
            if len(cache) > 512:
                cache.clear()
            cache[key] = [dict(e) for e in self.entries[before:]]
        else:
            self.entries.extend(dict(e) for e in cache[key])

    add_entry_from_context.cached = True
    SearchIndex.add_entry_from_context = add_entry_from_context


class _TemplateCache:
    """Under serve MkDocs makes a new Jinja environment for every rebuild, which compiles the
    theme's templates again (about 40) and walks its 14,000 files to list them. Compiled templates
    are kept (keyed by Jinja on each template's source, so an edited override is compiled anew),
    and the listing of folders outside the project (the installed theme) is kept."""

    def __init__(self, root: Path) -> None:
        import jinja2

        class Memory(jinja2.BytecodeCache):
            def __init__(self):
                self.store: dict[str, bytes] = {}

            def load_bytecode(self, bucket):
                if bucket.key in self.store:
                    bucket.bytecode_from_string(self.store[bucket.key])

            def dump_bytecode(self, bucket):
                self.store[bucket.key] = bucket.bytecode_to_string()

        self.bytecode = Memory()
        self.listed: dict[str, set[str]] = {}
        loader = jinja2.FileSystemLoader
        walk = getattr(loader.list_templates, "original", loader.list_templates)
        listed = self.listed

        def list_templates(self):
            found: set[str] = set()
            for path in self.searchpath:
                if Path(path).resolve().is_relative_to(root):
                    found.update(walk(_one(self, path)))
                else:
                    if path not in listed:
                        listed[path] = set(walk(_one(self, path)))
                    found.update(listed[path])
            return sorted(found)

        def _one(self, path):
            return loader([path], encoding=self.encoding, followlinks=self.followlinks)

        list_templates.original = walk
        loader.list_templates = list_templates


def _keep_served_files(speedups: ServeSpeedups) -> None:
    """From the second build on, the served folder is not emptied and every file copied again
    (about 250 theme and chart files): a file is copied when its source is newer or differs in
    size, and what the build no longer makes is removed after it (`_sweep`)."""
    import mkdocs.utils
    from mkdocs.structure.files import File as MkFile

    clean = getattr(mkdocs.utils.clean_directory, "original", mkdocs.utils.clean_directory)
    copy = getattr(MkFile.copy_file, "original", MkFile.copy_file)

    def clean_directory(directory: str) -> None:
        if speedups.site and os.path.realpath(directory) == speedups.site:
            speedups.since = time.time()
            return
        clean(directory)

    def copy_file(self, dirty: bool = False) -> None:
        if speedups.since is not None and self._content is None and self.abs_src_path:
            try:
                src, dst = os.stat(self.abs_src_path), os.stat(self.abs_dest_path)
                if dst.st_size == src.st_size and dst.st_mtime_ns >= src.st_mtime_ns:
                    return
            except OSError:
                pass
        copy(self, dirty)

    clean_directory.original, copy_file.original = clean, copy
    mkdocs.utils.clean_directory = clean_directory
    MkFile.copy_file = copy_file


def _sweep(site_dir: str, made: set[str], since: float) -> int:
    """Remove what an earlier build wrote and this one did not (a page or chart gone): files older
    than this build that are none of its files. Hidden files are left, as MkDocs leaves them."""
    gone = 0
    for folder, dirs, names in os.walk(site_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = os.path.join(folder, name)
            if name.startswith(".") or path in made:
                continue
            try:
                if os.stat(path).st_mtime < since - 0.05:
                    os.remove(path)
                    gone += 1
            except OSError:
                pass
    return gone


def faster_watching(server) -> None:
    """MkDocs polls for changes every half second; a saved edit then waits a quarter second on
    average before the rebuild starts. Watch with the operating system's file events instead (a
    short poll where there are none), re-registering the paths MkDocs already watches."""
    import watchdog.observers
    from watchdog import events
    from watchdog.observers.polling import PollingObserver

    # Only writes count: the native observer also reports files being opened and read, and a
    # build reads the very files it watches.
    # A file counts once it is closed after writing (not at its first write, which would read a
    # half-written file), renamed into place (editors' atomic saves) or deleted.
    writes = [events.FileClosedEvent, events.FileMovedEvent, events.FileDeletedEvent]

    class WritesOnly(watchdog.observers.Observer):
        def schedule(self, handler, path, *, recursive=False, **kwargs):
            return super().schedule(handler, path, recursive=recursive, event_filter=writes)

    paths = dict(server._watched_paths)
    for path, count in paths.items():
        for _ in range(count):
            server.unwatch(path)
    try:
        server.observer = WritesOnly()
        # A closed file is a finished save: no need to wait a tenth of a second for more.
        server.build_delay = 0.02
    except Exception:  # noqa: BLE001 - no native file events here
        server.observer = PollingObserver(timeout=0.1)
    for path, count in paths.items():
        for _ in range(count):
            server.watch(path)


def reload_browsers(server) -> None:
    """Tell open pages to reload, as MkDocs' dev server does after a rebuild, without one. Not
    while a rebuild is under way: its own reload follows."""
    from mkdocs.livereload import _timestamp

    with server._rebuild_cond, server._epoch_cond:
        if server._want_rebuild or server._visible_epoch != server._wanted_epoch:
            return
        server._wanted_epoch = server._visible_epoch = _timestamp()
        server._epoch_cond.notify_all()
