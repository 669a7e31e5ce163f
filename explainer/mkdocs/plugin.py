"""The MkDocs layer, kept thin: a plugin (`plugins: [explainer]` in mkdocs.yml) whose every event
calls one plain-Python step of the engine. Nothing here knows about data, charts or claims.

`mkdocs build` (make build) fails on any problem. Under `mkdocs serve` (make serve) a problem
is printed and shown on the page, while the last good data and charts keep being served.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File

from explainer.content import chartpages, csp, guards, markers
from explainer.content import fragments as pages
from explainer.core import settings
from explainer.core.files import write_atomic
from explainer.core.problems import ProblemsError
from explainer.mkdocs import notebook, reuse
from explainer.steps import cards
from explainer.steps import prepare as devloop

log = logging.getLogger("mkdocs.plugins.explainer")
# Under `mkdocs serve` problems are shown, not fatal: they go to a logger outside the
# "mkdocs" family, which strict mode would otherwise count and abort on.
serve_log = logging.getLogger("explainer.serve")


def _serve_logger() -> logging.Logger:
    if not serve_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
        serve_log.addHandler(handler)
        serve_log.setLevel(logging.INFO)
        serve_log.propagate = False
    return serve_log


def _cache_search_entries() -> None:
    """Material's search plugin parses every page's HTML on every build; under serve most pages
    have not changed. Keep each page's entries, keyed on its URL, title and HTML."""
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

    def __init__(self) -> None:
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
        if getattr(loader.list_templates, "kept", False):
            return
        walk = loader.list_templates
        listed = self.listed

        def list_templates(self):
            root = settings.project_root().resolve()
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

        list_templates.kept = True
        loader.list_templates = list_templates


_templates: list[_TemplateCache] = []

# Under serve, from the second build on: the served folder is not emptied and every file copied
# again (about 250 theme and chart files); a file is copied when its source is newer or differs
# in size, and what the build no longer makes is removed after it (see _sweep).
_KEEP: dict = {"site": None, "since": None}


def _keep_served_files() -> None:
    import mkdocs.utils
    from mkdocs.structure.files import File as MkFile

    if getattr(mkdocs.utils.clean_directory, "kept", False):
        return
    clean, copy = mkdocs.utils.clean_directory, MkFile.copy_file

    def clean_directory(directory: str) -> None:
        if _KEEP["site"] and os.path.realpath(directory) == _KEEP["site"]:
            _KEEP["since"] = time.time()
            return
        clean(directory)

    def copy_file(self, dirty: bool = False) -> None:
        if _KEEP["since"] is not None and self._content is None and self.abs_src_path:
            try:
                src, dst = os.stat(self.abs_src_path), os.stat(self.abs_dest_path)
                if dst.st_size == src.st_size and dst.st_mtime_ns >= src.st_mtime_ns:
                    return
            except OSError:
                pass
        copy(self, dirty)

    clean_directory.kept = True
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


def _faster_watching(server) -> None:
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


class ExplainerPlugin(BasePlugin):
    def __init__(self) -> None:
        self.serve = False
        self.banner = ""
        self.site: pages.Site | None = None
        self.stashes: dict[str, list[str]] = {}
        self.leads: dict[str, str | None] = {}
        self.chart_page_keys: dict[str, tuple[str, str]] = {}  # serve: chart pages to keep once rendered
        self.written: dict[str, tuple[str, str, int]] = {}  # page -> (its Markdown, expanded, first line)
        self.guard_problems: list = []  # build: what the guards found, reported together at the end
        self.server = None  # serve: the live-reload server, to reload browsers after work done in place
        self.notebook_pages: dict[str, tuple] = {}  # serve: what a notebook page was made of, to swap its output
        self.holds_site = False
        self.changelog = None  # the data's history worked out ahead (a fresh clone's build)
        self.reuse: reuse.Session | None = None  # serve: pages reused as rendered when unchanged
        self.last_output: dict[str, str] = {}  # serve: a page's final HTML, for reuse to keep
        self.cards: dict[str, tuple[str, str]] = {}  # serve: a page's title card (image, place in the site)

    @property
    def log(self) -> logging.Logger:
        return _serve_logger() if self.serve else log

    def on_startup(self, *, command, dirty):
        self.serve = command == "serve"
        notebook.quiet_kernel_warning()
        if self.serve:
            _cache_search_entries()
            if not _templates:
                _templates.append(_TemplateCache())
            _keep_served_files()

    def on_env(self, env, *, config, files):
        if self.serve and _templates:
            env.bytecode_cache = _templates[0].bytecode
        # The pages are read and rendered; MkDocs copies the site's files next: a build's PNGs and
        # share cards, rendered beside the pages, must be done.
        unfinished = devloop.wait_for_charts(self.log)
        if unfinished:
            raise PluginError(f"the PNG or share card of {', '.join(unfinished)} could not be rendered")
        return env

    def on_config(self, config):
        if self.serve:
            # Under serve nothing may stop a rebuild: with strict mode on, one MkDocs warning (a
            # link to a missing page, say) aborts it and the server stalls. Link and nav checks
            # are logged as information instead, and the page shows the problem in a box.
            for group in (config.validation.links, config.validation.nav):
                for key in group:
                    if isinstance(group[key], int) and group[key] >= logging.WARNING:
                        group[key] = logging.INFO
        if not os.environ.get(settings.ENV_PROJECT):  # else the project was named explicitly
            settings.use_project(Path(config.config_file_path).parent)
        # The repository link in the header: from $REPO_URL or mkdocs.yml as MkDocs read them,
        # else the git remote (settings.repo_url); none when no repository is known.
        repo = settings.repo_url()
        if repo and not config.repo_url:
            config.repo_url = repo
            config.repo_name = config.repo_name or "/".join(repo.split("/")[-2:])
        if not self.serve:
            # The public address, never a local one: SITE_URL, else the GitHub Pages address of
            # the git remote, else none (no canonical links, a site-relative sitemap). `serve` sets
            # its own local address for live reload, in a folder that is never site/.
            url, origin = settings.site_url()
            config.site_url = url
            if url is None:
                log.info(
                    "no public address for the site: SITE_URL is not set and the git remote origin is not "
                    "on GitHub, so the build leaves absolute addresses out (no canonical links, share-card "
                    "images, permalinks or embed snippets)"
                )
            elif not origin.startswith("SITE_URL"):
                log.info(f"site address {url} (from {origin})")
        # A notebook's cached output is only valid for the data and code it ran on. Under serve
        # the last output is shown while the notebook re-runs in the background (see on_post_build).
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is not None:
            folder = "serve" if self.serve else devloop.inputs_fingerprint()
            jupyter.config["cache_dir"] = str(settings.out_dir() / "notebooks" / folder)
        return config

    def on_serve(self, server, *, config, builder):
        # The author's data and chart folders, wherever they are (EXPLAINER_DATA_DIR, ...).
        for folder in (settings.own_data_dir(), settings.charts_dir()):
            if folder.is_dir() and str(folder.resolve()) not in server._watched_paths:
                server.watch(str(folder))
        _faster_watching(server)
        # Background work (a notebook re-run, a chart's other images) is put into the served site
        # in place and reloads the browsers; it never sets off a rebuild, so one save is one rebuild.
        self.server = server
        return server

    def _reload_browsers(self) -> None:
        """Tell open pages to reload, as MkDocs does after a rebuild, without one. Not while a
        rebuild is under way: its own reload follows."""
        server = self.server
        if server is None:
            return
        from mkdocs.livereload import _timestamp

        with server._rebuild_cond, server._epoch_cond:
            if server._want_rebuild or server._visible_epoch != server._wanted_epoch:
                return
            server._wanted_epoch = server._visible_epoch = _timestamp()
            server._epoch_cond.notify_all()

    def _swap_charts(self, site_dir: Path, ids: list[str]) -> None:
        """A chart's other images, finished after the reload, put into the served site in place."""
        with devloop.SITE_LOCK:
            t0 = time.perf_counter()
            corrected = devloop.swap_chart_files(ids, site_dir)
        self.log.info(
            f"served in place: the other images of {', '.join(ids)}"
            + (f" ({corrected} pages' image sizes corrected)" if corrected else "")
            + f" in {time.perf_counter() - t0:.2f} s, no rebuild"
        )
        self._reload_browsers()

    def _swap_notebooks(self, bodies: dict[str, str]) -> None:
        """A notebook re-run in the background: its new output put into its served page in place."""
        with devloop.SITE_LOCK:
            for src_uri, body in bodies.items():
                kept = self.notebook_pages.get(src_uri)
                if kept is None:
                    continue
                page, config, raw, content = kept
                if content not in raw:
                    self.log.error(f"{src_uri}: its page could not take the new output in place; save it to rebuild")
                    continue
                page.content = body
                html = self.on_post_page(raw.replace(content, body, 1), page=page, config=config)
                write_atomic(Path(page.file.abs_dest_path), html)
                where = page.url or "the home page"
                self.log.info(f"served in place: {where} with the notebook's new output, no rebuild")
        self._reload_browsers()

    def on_post_build(self, *, config):
        if not self.serve:
            sources = [str(e.get(k) or "") for e in self.site.registry.values() for k in ("url_main", "primary_url")]
            problems = self.guard_problems + guards.local_addresses(Path(config.site_dir), sources)
            if problems:
                raise PluginError(str(ProblemsError(problems, "problem(s) in the pages")))
        took = devloop.TIMES
        what = ", ".join(self.changed[:3]) + (f" and {len(self.changed) - 3} more" if len(self.changed) > 3 else "")
        pages_s = time.perf_counter() - self.started - took.get("checks", 0) - took.get("charts", 0)
        reused = int(reuse.STAGES.get("reused", 0))
        self.log.info(
            f"{'rebuilt' if self.serve else 'built'} in {time.perf_counter() - self.started:.2f} s"
            + (f" after a change to {what}" if what else "")
            + f": checks {took.get('checks', 0):.2f} s, charts {took.get('charts', 0):.2f} s"
            f" ({took.get('charts_built', 0)} rendered"
            + (
                f"; PNGs and share cards beside the pages, waited {took['charts_later_wait']:.2f} s"
                if devloop.LATER
                else ""
            )
            + f"), {self.pages} pages {pages_s:.2f} s"
            + (f" ({', '.join(self.rendered)}; {reused} unchanged reused)" if reused and self.pages <= 5 else "")
            + (f" ({reused} unchanged reused)" if reused and self.pages > 5 else "")
            + f" [{reuse.stage_words()}]"
        )
        if not self.serve:
            return
        try:
            if _KEEP["since"] is not None:
                made = {os.path.normpath(f.abs_dest_path) for f in self.files}
                _sweep(config.site_dir, made, _KEEP["since"])
            # From now on this served folder is updated in place (see _keep_served_files).
            _KEEP["site"], _KEEP["since"] = os.path.realpath(config.site_dir), None
            site_dir = Path(config.site_dir)
            devloop.finish_charts(lambda ids: self._swap_charts(site_dir, ids), self.log)
            jupyter = config.plugins.get("mkdocs-jupyter")
            if jupyter is not None:
                notebook.rerun_if_stale(jupyter, config, self.log, self._swap_notebooks)
        finally:
            self._release_site()

    def _release_site(self) -> None:
        if self.holds_site:
            self.holds_site = False
            devloop.SITE_LOCK.release()

    def on_shutdown(self):
        if self.serve:
            devloop._POOL.close()  # the warm chart workers end with the server, not after it

    def on_build_error(self, *, error):
        reuse.forget()
        _KEEP["site"] = _KEEP["since"] = None  # the next build starts from an empty folder again
        self._release_site()

    def on_pre_build(self, *, config):
        if self.serve and not self.holds_site:
            devloop.SITE_LOCK.acquire()  # until on_post_build: background work waits to write
            self.holds_site = True
        self.started = time.perf_counter()
        self.pages = 0
        self.rendered: list[str] = []  # the pages this build rendered (serve: the others were reused)
        self.changed = devloop.changes() if self.serve else []
        self.guard_problems = []
        jupyter = config.plugins.get("mkdocs-jupyter")
        ahead = notebook.start_cold_run(jupyter, self.log) if jupyter is not None and not self.serve else None
        self.changelog = devloop.start_changelog()
        self.banner, chart_errors = devloop.prepare(serve=self.serve, log=self.log)
        if ahead is not None:
            ahead.join()  # its output is then what the notebook page shows (mkdocs-jupyter's cache)
        if not self.serve and (self.banner or chart_errors):
            raise PluginError("the build stopped; fix the problems above")
        t0 = time.perf_counter()
        self.site = pages.Site.load(chart_errors)
        reuse.STAGES.clear()
        reuse.STAGES["site"] = time.perf_counter() - t0
        reuse.install(self)
        self.reuse = reuse.Session(self.site, self.banner) if self.serve else None
        self.known: set[str] = set()  # the site's files, for the links pages make (serve)

    def on_files(self, files, *, config):
        t0 = time.perf_counter()
        files = self._files(files, config=config)
        reuse.STAGES["files"] = time.perf_counter() - t0
        return files

    def _files(self, files, *, config):
        t0 = time.perf_counter()
        if self.changelog is not None:
            try:
                self.changelog.result()  # worked out beside the charts (a fresh clone's build)
            except Exception:  # noqa: BLE001 - the generated files work it out again and say why
                pass
            self.changelog = None
        reuse.STAGES["changelog wait"] = time.perf_counter() - t0
        for src_uri, abs_path in devloop.generated_files():
            files.append(File.generated(config, src_uri, abs_src_path=str(abs_path)))
        reuse.STAGES["generated"] = time.perf_counter() - t0
        # A page per chart, and a page to embed it (kept out of the nav: `not_in_nav: charts/`).
        # Under serve an unchanged chart page is reused as it was rendered (chartpages.serve_keys),
        # its search entries with it.
        self.chart_page_keys = {}
        contents = chartpages.markdown_pages(self.site)
        keys = chartpages.serve_keys(contents, self.site) if self.serve else {}
        search = config.plugins.get("material/search")
        for chart_id, content in contents.items():
            uri = f"{pages.CHART_PAGES}/{chart_id}.md"
            if self.serve:
                key = keys[chart_id]
                # A chart just rendered in part has its page rendered now (its other images are
                # finished after the reload and put in place, their sizes corrected then).
                cached = chartpages.cached_page(chart_id, key)
                if cached:
                    files.append(File.generated(config, f"{uri[:-3]}/index.html", abs_src_path=str(cached)))
                    if search is not None:
                        search.search_index.entries.extend(chartpages.kept_search_entries(chart_id))
                    continue
                self.chart_page_keys[uri] = (chart_id, key)
            files.append(File.generated(config, uri, content=content))
        for src_uri, abs_path in chartpages.write_embeds(self.site, settings.out_dir() / "chart-embeds"):
            files.append(File.generated(config, src_uri, abs_src_path=str(abs_path)))
        self.known = {f.src_uri for f in files}
        self.files = files
        return files

    def on_page_markdown(self, markdown, *, page, config, files):
        t0 = time.perf_counter()
        recording = self.reuse is not None and page.file.src_uri.endswith(".md")
        if recording:
            self.reuse.start()
        try:
            out = self._page_markdown(markdown, page=page)
        finally:
            reads = self.reuse.stop() if recording else None
            reuse.STAGES["expand"] = reuse.STAGES.get("expand", 0) + time.perf_counter() - t0
        if recording:
            src = page.file.src_uri
            self.reuse.pending[src] = (self.reuse.key(src, page.file.content_string, reads), reads)
        return out

    def _page_markdown(self, markdown, *, page):
        self.pages += 1
        self.rendered.append(page.file.src_uri)
        lead = pages.CHART_RE.search(markdown)
        self.leads[page.file.src_uri] = lead.group(1) if lead else None
        where = pages.Page(page.file.src_uri, page.url)
        first_line = markers.first_line_of(markdown, page.file.content_string)
        stash = self.stashes[page.file.src_uri] = []
        if not self.serve:
            # Every page is expanded and checked before the build fails, so one run names every
            # problem of every page (markers here, the guards after rendering; see on_post_build).
            out, problems = markers.expand_forgiving(markdown, where, self.site, first_line=first_line, stash=stash)
            self.guard_problems += problems
            self.written[page.file.src_uri] = (markdown, out, first_line)
            return out
        # Serve: each failed marker shows its error in its place; the rest of the page renders.
        out, problems = markers.expand_forgiving(markdown, where, self.site, first_line=first_line, stash=stash)
        problems += devloop.broken_links(markdown, page.file.src_uri, first_line, self.known)
        for p in problems:
            self.log.error(str(p))
        if problems:
            out = pages.error_box("This page has problems", "\n".join(map(str, problems))) + "\n\n" + out
        if self.banner:
            title = "The data did not validate: showing the last good data"
            out = pages.error_box(title, self.banner) + "\n\n" + out
        self.written[page.file.src_uri] = (markdown, out, first_line)
        return out

    def _share_card(self, output: str, page, config) -> str:
        """The page's share card (its lead chart, or its title), written into the site, and the
        tags that point to it."""
        title = str(page.meta.get("title") or page.title or config.site_name)
        description = str(page.meta.get("description") or config.site_description or "").strip()
        chart = self.leads.get(page.file.src_uri)
        if chart and ((settings.out_dir() / "charts" / f"{chart}.card.png").exists() or chart in devloop.LATER):
            image = f"{pages.ASSETS}/{chart}.card.png"  # published with the chart's other files
        else:
            png = cards.title_card(cards.slug(page.url), title, description, refresh=not self.serve)
            image = f"{cards.CARDS}/{png.name}"
            target = Path(config.site_dir) / image
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(png, target)
            if self.serve:
                self.cards[page.file.src_uri] = (str(png), str(target))
        return output.replace("</head>", cards.meta_tags(title, description, page.url, image) + "</head>", 1)

    def on_page_content(self, html, *, page, config, files):
        written = self.written.pop(page.file.src_uri, None)
        if written and page.file.src_uri.endswith(".md"):
            # What is written reaches the reader: the rendered words against the expanded Markdown.
            file = f"docs/{page.file.src_uri}" if page.file.generated_by is None else f"(generated) {page.file.src_uri}"
            problems = guards.rendered_text(*written[:2], html, file, written[2])
            if self.serve:
                for p in problems:
                    self.log.error(str(p))
                if problems:
                    box = pages.error_box(
                        "What this page shows differs from what is written", "\n".join(map(str, problems))
                    )
                    html = box + html
            else:
                self.guard_problems += problems
        return markers.unstash(html, self.stashes.pop(page.file.src_uri, []))

    def on_post_page(self, output, *, page, config):
        t0 = time.perf_counter()
        output = self._post_page(output, page=page, config=config)
        reuse.STAGES["post"] = reuse.STAGES.get("post", 0) + time.perf_counter() - t0
        if self.reuse is not None:
            self.last_output[page.file.src_uri] = output
        return output

    def _post_page(self, output, *, page, config):
        if self.serve and page.file.src_uri.endswith(".py"):
            # A notebook page: kept as the theme wrote it, to take a background re-run's output.
            self.notebook_pages[page.file.src_uri] = (page, config, output, page.content)
        output = pages.structured_data_to_head(notebook.clean_notebook_html(output))
        # The theme's repository link in the header stays a plain link: as a "source" component its
        # script asks api.github.com for stars and forks, a request to another host (which the
        # Content-Security-Policy would block, with an error in the console).
        output = output.replace('class="md-source" data-md-component="source"', 'class="md-source"')
        if page.file.src_uri.endswith(".py"):  # a notebook page has no markers, hence no byline: its report link
            where = pages.Page(page.file.src_uri, page.url)
            link = pages.report_link(where, str(page.title or config.site_name))
            if link and "</h1>" in output:
                output = output.replace("</h1>", f'</h1><p class="byline">{link}</p>', 1)
        output = self._share_card(output, page, config)
        if page.file.src_uri in self.chart_page_keys:
            search = config.plugins.get("material/search")
            entries = search.search_index.entries if search is not None else []
            own = [dict(e) for e in entries if e["location"].startswith(page.url)]
            chartpages.keep_page(*self.chart_page_keys[page.file.src_uri], output, own)
        if self.serve and page.file.src_uri.endswith(".py") and notebook.is_stale():
            output = output.replace(
                '<article class="md-content__inner md-typeset">',
                '<article class="md-content__inner md-typeset">' + notebook.STALE_NOTE,
                1,
            )
        if self.serve:
            # The dev server injects its live-reload script after this event; a CSP would block it.
            return output
        return csp.apply(output)
