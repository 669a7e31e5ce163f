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

from explainer.content import chartpages, csp, fragments, guards, markers
from explainer.core import files as core_files
from explainer.core import project as projects
from explainer.core import settings
from explainer.core.files import write_atomic
from explainer.core.problems import ProblemsError
from explainer.core.project import Project
from explainer.mkdocs import notebook, reuse, serve_speedups
from explainer.mkdocs.config import ExplainerConfig
from explainer.steps import cards, prepare, render

log = logging.getLogger("mkdocs.plugins.explainer")
# Under `mkdocs serve` problems are shown, not fatal: they go to a logger outside the
# "mkdocs" family, which strict mode would otherwise count and abort on.
serve_log = logging.getLogger("explainer.serve")

# The house theme every explainer gets: Material's templates with the engine's overrides (the lazy
# search index, the search dialog's name), the site's stylesheet and chart script, the notebook
# page's stylesheet. A project's own `custom_dir` and `docs/` files still win over these.
THEME_DIR = Path(__file__).parent / "theme"
THEME_CSS = ["assets/css/site.css"]
THEME_JS = ["assets/js/charts.js"]


def _add_theme(config) -> None:
    """Put the engine's theme between the project's own overrides and Material's, and link its
    stylesheet and script on every page (after any the project lists, unless it lists them)."""
    from mkdocs.config.config_options import ExtraScriptValue

    if config.theme.name != "material":
        return
    if str(THEME_DIR) not in config.theme.dirs:
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
    for css in THEME_CSS:
        if css not in config.extra_css:
            config.extra_css.append(css)
    for js in THEME_JS:
        if js not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(ExtraScriptValue(js))


def _serve_logger() -> logging.Logger:
    if not serve_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
        serve_log.addHandler(handler)
        serve_log.setLevel(logging.INFO)
        serve_log.propagate = False
    return serve_log


class ExplainerPlugin(BasePlugin[ExplainerConfig]):
    def __init__(self) -> None:
        self.serve = False
        # Made once, at the first on_config (MkDocs keeps this plugin between serve's rebuilds, as
        # it has on_startup): the project the build reads, and what a session keeps between rebuilds.
        self.project: Project | None = None
        self.state = prepare.BuildState()
        self.speedups: serve_speedups.ServeSpeedups | None = None
        self.banner = ""
        self.site: fragments.Site | None = None
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
        self.reuse_state = reuse.State()  # serve: the pages as last rendered, and the build's stages
        self.last_output: dict[str, str] = {}  # serve: a page's final HTML, for reuse to keep
        self.cards: dict[str, tuple[str, str]] = {}  # serve: a page's title card (image, place in the site)

    @property
    def log(self) -> logging.Logger:
        return _serve_logger() if self.serve else log

    def on_startup(self, *, command, dirty):
        self.serve = command == "serve"
        self.state = prepare.BuildState(serve=self.serve)
        notebook.quiet_kernel_warning()

    def on_env(self, env, *, config, files):
        if self.speedups is not None:
            self.speedups.on_env(env)
        # The pages are read and rendered; MkDocs copies the site's files next: a build's PNGs and
        # share cards, rendered beside the pages, must be done.
        unfinished = prepare.wait_for_charts(self.state, self.log)
        if unfinished:
            raise PluginError(f"the PNG or share card of {', '.join(unfinished)} could not be rendered")
        return env

    def _start(self, config) -> None:
        """Once per process, at the first on_config: the project, from the config file MkDocs read
        (unless $EXPLAINER_PROJECT names it) and the plugin's options, made this process's project
        (chart modules and the notebook read it); under serve, the speed-ups installed."""
        named = os.environ.get(settings.ENV_PROJECT)  # the project was named explicitly
        own = Project.load(None if named else Path(config.config_file_path).parent, dict(self.config))
        if self.serve:
            # Pages, charts and the notebook read the last data that validated (prepare.serve_project);
            # the notebook's kernel, a child process, is pointed at it once, here.
            self.project = prepare.serve_project(own)
            os.environ[settings.ENV_DATA] = str(self.project.data)
            self.state.pool = render.Pool()
            if self.config.serve_speedups:
                self.speedups = serve_speedups.ServeSpeedups(own.root)
                self.speedups.install()
        else:
            self.project = own
        projects.use(self.project)

    def on_config(self, config):
        _add_theme(config)
        if self.serve:
            # Under serve nothing may stop a rebuild: with strict mode on, one MkDocs warning (a
            # link to a missing page, say) aborts it and the server stalls. Link and nav checks
            # are logged as information instead, and the page shows the problem in a box.
            for group in (config.validation.links, config.validation.nav):
                for key in group:
                    if isinstance(group[key], int) and group[key] >= logging.WARNING:
                        group[key] = logging.INFO
        if self.project is None:
            self._start(config)
        project = self.project
        # The repository link in the header: from $REPO_URL or mkdocs.yml as MkDocs read them,
        # else the git remote (Project.repo_url); none when no repository is known.
        repo = project.repo_url()
        if repo and not config.repo_url:
            config.repo_url = repo
            config.repo_name = config.repo_name or "/".join(repo.split("/")[-2:])
        if not self.serve:
            # The public address, never a local one: SITE_URL, else the GitHub Pages address of
            # the git remote, else none (no canonical links, a site-relative sitemap). `serve` sets
            # its own local address for live reload, in a folder that is never site/.
            url, origin = project.site_url()
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
            folder = "serve" if self.serve else prepare.notebook_fingerprint(project)
            jupyter.config["cache_dir"] = str(project.out / "notebooks" / folder)
        return config

    def on_serve(self, server, *, config, builder):
        # The author's data and chart folders, wherever they are (EXPLAINER_DATA_DIR, ...).
        for folder in (self.project.own_data, self.project.charts):
            if folder.is_dir() and str(folder.resolve()) not in server._watched_paths:
                server.watch(str(folder))
        if self.speedups is not None:
            serve_speedups.faster_watching(server)
        # Background work (a notebook re-run, a chart's other images) is put into the served site
        # in place and reloads the browsers; it never sets off a rebuild, so one save is one rebuild.
        self.server = server
        return server

    def _reload_browsers(self) -> None:
        """Tell open pages to reload, as MkDocs does after a rebuild, without one. Not while a
        rebuild is under way: its own reload follows."""
        if self.server is not None:
            serve_speedups.reload_browsers(self.server)

    def _swap_charts(self, site_dir: Path, ids: list[str]) -> None:
        """A chart's other images, finished after the reload, put into the served site in place."""
        with self.state.site_lock:
            t0 = time.perf_counter()
            corrected = prepare.swap_chart_files(self.project, ids, site_dir)
        self.log.info(
            f"served in place: the other images of {', '.join(ids)}"
            + (f" ({corrected} pages' image sizes corrected)" if corrected else "")
            + f" in {time.perf_counter() - t0:.2f} s, no rebuild"
        )
        self._reload_browsers()

    def _swap_notebooks(self, bodies: dict[str, str]) -> None:
        """A notebook re-run in the background: its new output put into its served page in place."""
        with self.state.site_lock:
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
        core_files.thaw()
        if not self.serve:
            sources = [str(u or "") for e in self.site.registry.values() for u in (e.url_main, e.primary_url)]
            problems = self.guard_problems + guards.local_addresses(Path(config.site_dir), sources)
            if problems:
                raise PluginError(str(ProblemsError(problems, "problem(s) in the pages")))
        took = self.state.times
        took["wide_wait"] = 0.0
        if self.serve and self.state.wide_futures:
            shown = {c: m.size.wide for c, m in dict.items(self.site.metas)}
            try:
                prepare.finish_wide(self.project, self.state, Path(config.site_dir), shown, self.log)
            except Exception as e:  # noqa: BLE001 - the pages show the last images; the next save renders again
                self.state.wide_futures.clear()
                self.log.error(f"the charts' images could not be finished: {type(e).__name__}: {e}")
        what = ", ".join(self.changed[:3]) + (f" and {len(self.changed) - 3} more" if len(self.changed) > 3 else "")
        pages_s = time.perf_counter() - self.started - took.get("checks", 0) - took.get("charts", 0) - took["wide_wait"]
        reused = int(self.reuse_state.stages.get("reused", 0))
        self.log.info(
            f"{'rebuilt' if self.serve else 'built'} in {time.perf_counter() - self.started:.2f} s"
            + (f" after a change to {what}" if what else "")
            + f": checks {took.get('checks', 0):.2f} s, charts {took.get('charts', 0):.2f} s"
            f" ({took.get('charts_built', 0)} rendered"
            + (
                f"; PNGs and share cards beside the pages, waited {took['charts_later_wait']:.2f} s"
                if self.state.later
                else ""
            )
            + (f"; wide images beside the pages, waited {took['wide_wait']:.2f} s" if took["wide_wait"] else "")
            + f"), {self.pages} pages {pages_s:.2f} s"
            + (f" ({', '.join(self.rendered)}; {reused} unchanged reused)" if reused and self.pages <= 12 else "")
            + (f" ({reused} unchanged reused)" if reused and self.pages > 12 else "")
            + f" [{reuse.stage_words(self.reuse_state.stages)}]"
        )
        if not self.serve:
            return
        try:
            if self.speedups is not None:
                # From now on this served folder is updated in place (serve_speedups).
                self.speedups.after_build(config.site_dir, {os.path.normpath(f.abs_dest_path) for f in self.files})
            site_dir = Path(config.site_dir)
            prepare.finish_charts(self.project, self.state, lambda ids: self._swap_charts(site_dir, ids), self.log)
            jupyter = config.plugins.get("mkdocs-jupyter")
            if jupyter is not None:
                notebook.rerun_if_stale(self.project, self.state, jupyter, config, self.log, self._swap_notebooks)
        finally:
            self._release_site()

    def _release_site(self) -> None:
        if self.serve:
            self.state.built()
        if self.holds_site:
            self.holds_site = False
            self.state.site_lock.release()

    def on_shutdown(self):
        self.state.close()  # the warm chart workers end with the server, not after it

    def on_build_error(self, *, error):
        core_files.thaw()
        reuse.forget(self.reuse_state)
        if self.speedups is not None:
            self.speedups.forget()  # the next build starts from an empty folder again
        self._release_site()

    def on_pre_build(self, *, config):
        if self.serve:
            self.state.building()  # background work waits for the author's pause
        if self.serve and not self.holds_site:
            self.state.site_lock.acquire()  # until on_post_build: background work waits to write
            self.holds_site = True
        self.started = time.perf_counter()
        self.pages = 0
        self.rendered: list[str] = []  # the pages this build rendered (serve: the others were reused)
        self.changed = prepare.changes(self.project, self.state) if self.serve else []
        self.guard_problems = []
        jupyter = config.plugins.get("mkdocs-jupyter")
        ahead = []

        def run_ahead() -> None:
            # A notebook with no output yet runs while the charts render (under serve, once the data
            # it reads, the last good copy, are in place).
            if jupyter is not None:
                ahead.append(notebook.start_cold_run(jupyter, self.log, self.project))

        if not self.serve:
            run_ahead()
        self.changelog = prepare.start_changelog(self.project)
        self.banner, chart_errors = prepare.prepare(
            self.project, self.state, log=self.log, data_ready=run_ahead if self.serve else None
        )
        for thread in ahead:
            if thread is not None:
                thread.join()  # its output is then what the notebook page shows (mkdocs-jupyter's cache)
        if not self.serve and (self.banner or chart_errors):
            raise PluginError("the build stopped; fix the problems above")
        t0 = time.perf_counter()
        # The data are as they will be until the build ends: each file's version is read once.
        core_files.freeze()
        self.site = fragments.Site.load(chart_errors, self.project)
        self.reuse_state.stages.clear()
        self.reuse_state.stages["site"] = time.perf_counter() - t0
        reuse.install(self)
        self.reuse = reuse.Session(self.site, self.banner, self.reuse_state) if self.serve else None
        self.known: set[str] = set()  # the site's files, for the links pages make (serve)

    def on_files(self, files, *, config):
        t0 = time.perf_counter()
        files = self._files(files, config=config)
        self.reuse_state.stages["files"] = time.perf_counter() - t0
        return files

    def _files(self, files, *, config):
        t0 = time.perf_counter()
        if self.changelog is not None:
            try:
                self.changelog.result()  # worked out beside the charts (a fresh clone's build)
            except Exception:  # noqa: BLE001 - the generated files work it out again and say why
                pass
            self.changelog = None
        self.reuse_state.stages["changelog wait"] = time.perf_counter() - t0
        for src_uri, abs_path in prepare.generated_files(self.project, self.state):
            files.append(File.generated(config, src_uri, abs_src_path=str(abs_path)))
        self.reuse_state.stages["generated"] = time.perf_counter() - t0
        # A page per chart, and a page to embed it (kept out of the nav: `not_in_nav: charts/`).
        # Under serve an unchanged chart page is reused as it was rendered (chartpages.serve_keys),
        # its search entries with it.
        self.chart_page_keys = {}
        contents = chartpages.markdown_pages(self.site)
        keys = chartpages.serve_keys(contents, self.site) if self.serve else {}
        search = config.plugins.get("material/search")
        for chart_id, content in contents.items():
            uri = f"{fragments.CHART_PAGES}/{chart_id}.md"
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
        for src_uri, abs_path in chartpages.write_embeds(self.site, self.project.out / "chart-embeds"):
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
            self.reuse_state.stages["expand"] = self.reuse_state.stages.get("expand", 0) + time.perf_counter() - t0
        if recording:
            src = page.file.src_uri
            self.reuse.pending[src] = (self.reuse.key(src, page.file.content_string, reads), reads)
        return out

    def _page_markdown(self, markdown, *, page):
        self.pages += 1
        self.rendered.append(page.file.src_uri)
        lead = fragments.CHART_RE.search(markdown)
        self.leads[page.file.src_uri] = lead.group(1) if lead else None
        where = fragments.Page(page.file.src_uri, page.url)
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
        problems += prepare.broken_links(markdown, page.file.src_uri, first_line, self.known)
        for p in problems:
            self.log.error(str(p))
        if problems:
            out = fragments.error_box("This page has problems", "\n".join(map(str, problems))) + "\n\n" + out
        if self.banner:
            title = "The data did not validate: showing the last good data"
            out = fragments.error_box(title, self.banner) + "\n\n" + out
        self.written[page.file.src_uri] = (markdown, out, first_line)
        return out

    def _share_card(self, output: str, page, config) -> str:
        """The page's share card (its lead chart, or its title), written into the site, and the
        tags that point to it."""
        title = str(page.meta.get("title") or page.title or config.site_name)
        description = str(page.meta.get("description") or config.site_description or "").strip()
        chart = self.leads.get(page.file.src_uri)
        # A chart's card may still be rendering: beside the pages (a build, `later`), or after the
        # reload (serve, `partial`: a first serve renders each chart's other images then).
        rendering = chart in self.state.later or chart in self.state.partial
        if chart and ((self.project.chart_files / f"{chart}.card.png").exists() or rendering):
            image = f"{settings.SITE_CHARTS}/{chart}.card.png"  # published with the chart's other files
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
                    box = fragments.error_box(
                        "What this page shows differs from what is written", "\n".join(map(str, problems))
                    )
                    html = box + html
            else:
                self.guard_problems += problems
        return markers.unstash(html, self.stashes.pop(page.file.src_uri, []))

    def on_post_page(self, output, *, page, config):
        t0 = time.perf_counter()
        output = self._post_page(output, page=page, config=config)
        self.reuse_state.stages["post"] = self.reuse_state.stages.get("post", 0) + time.perf_counter() - t0
        if self.reuse is not None:
            self.last_output[page.file.src_uri] = output
        return output

    def _post_page(self, output, *, page, config):
        if self.serve and page.file.src_uri.endswith(".py"):
            # A notebook page: kept as the theme wrote it, to take a background re-run's output.
            self.notebook_pages[page.file.src_uri] = (page, config, output, page.content)
        output = fragments.structured_data_to_head(notebook.clean_notebook_html(output))
        # The theme's repository link in the header stays a plain link: as a "source" component its
        # script asks api.github.com for stars and forks, a request to another host (which the
        # Content-Security-Policy would block, with an error in the console).
        output = output.replace('class="md-source" data-md-component="source"', 'class="md-source"')
        if page.file.src_uri.endswith(".py"):  # a notebook page has no markers, hence no byline: its report link
            where = fragments.Page(page.file.src_uri, page.url)
            link = fragments.report_link(where, str(page.title or config.site_name))
            if link and "</h1>" in output:
                output = output.replace("</h1>", f'</h1><p class="byline">{link}</p>', 1)
        output = self._share_card(output, page, config)
        if page.file.src_uri in self.chart_page_keys:
            search = config.plugins.get("material/search")
            entries = search.search_index.entries if search is not None else []
            own = [dict(e) for e in entries if e["location"].startswith(page.url)]
            chartpages.keep_page(*self.chart_page_keys[page.file.src_uri], output, own)
        if self.serve and page.file.src_uri.endswith(".py") and notebook.is_stale(self.project):
            output = output.replace(
                '<article class="md-content__inner md-typeset">',
                '<article class="md-content__inner md-typeset">' + notebook.STALE_NOTE,
                1,
            )
        if self.serve:
            # The dev server injects its live-reload script after this event; a CSP would block it.
            return output
        return csp.apply(output)
