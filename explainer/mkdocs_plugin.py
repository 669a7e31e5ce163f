"""The MkDocs layer, kept thin: a plugin (`plugins: [explainer]` in mkdocs.yml) whose every event
calls one plain-Python step of the engine. Nothing here knows about data, charts or claims.

`mkdocs build` (make build) fails on any problem. Under `mkdocs serve` (make serve) a problem
is printed and shown on the page, while the last good data and charts keep being served.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File

from explainer import csp, devloop, markers, notebook, pages, settings
from explainer.problems import ProblemsError

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


class ExplainerPlugin(BasePlugin):
    def __init__(self) -> None:
        self.serve = False
        self.banner = ""
        self.site: pages.Site | None = None

    @property
    def log(self) -> logging.Logger:
        return _serve_logger() if self.serve else log

    def on_startup(self, *, command, dirty):
        self.serve = command == "serve"

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
        # A notebook's cached output is only valid for the data and code it ran on.
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is not None:
            jupyter.config["cache_dir"] = str(settings.out_dir() / "notebooks" / devloop.inputs_fingerprint())
        return config

    def on_pre_build(self, *, config):
        self.banner, chart_errors = devloop.prepare(serve=self.serve, log=self.log)
        if not self.serve and (self.banner or chart_errors):
            raise PluginError("the build stopped; fix the problems above")
        self.site = pages.Site.load(chart_errors)
        self.files = None

    def on_files(self, files, *, config):
        for src_uri, abs_path in devloop.generated_files():
            files.append(File.generated(config, src_uri, abs_src_path=str(abs_path)))
        self.files = files
        return files

    def on_page_markdown(self, markdown, *, page, config, files):
        where = pages.Page(page.file.src_uri, page.url)
        first_line = markers.first_line_of(markdown, page.file.content_string)
        if not self.serve:
            try:
                return markers.expand(markdown, where, self.site, first_line=first_line)
            except ProblemsError as e:
                raise PluginError(str(e)) from None
        # Serve: each failed marker shows its error in its place; the rest of the page renders.
        out, problems = markers.expand_forgiving(markdown, where, self.site, first_line=first_line)
        problems += devloop.broken_links(markdown, page.file.src_uri, first_line, self.files)
        for p in problems:
            self.log.error(str(p))
        if problems:
            out = pages.error_box("This page has problems", "\n".join(map(str, problems))) + "\n\n" + out
        if self.banner:
            title = "The data did not validate: showing the last good data"
            out = pages.error_box(title, self.banner) + "\n\n" + out
        return out

    def on_post_page(self, output, *, page, config):
        output = notebook.clean_notebook_html(output)
        if self.serve:
            # The dev server injects its live-reload script after this event; a CSP would block it.
            return output
        return csp.apply(output)
