"""The MkDocs layer, kept thin: each hook wires one plain-Python step from charts/_site into
the build. Nothing here knows about data, charts or claims beyond calling those modules.

`mkdocs build` (make build) fails on any problem. Under `mkdocs serve` (make serve) a problem
is printed and shown on the page, while the last good data and charts keep being served.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from charts._site import csp, devloop, pages, paths  # noqa: E402
from charts._site.problems import ProblemsError  # noqa: E402

_state: dict = {"serve": False}
# Under `mkdocs serve` problems are shown, not fatal: they go to a logger outside the
# "mkdocs" family, which strict mode would otherwise count and abort on.
log = logging.getLogger("mkdocs.hooks.site")
serve_log = logging.getLogger("site.serve")
if not serve_log.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    serve_log.addHandler(_handler)
    serve_log.setLevel(logging.INFO)
    serve_log.propagate = False


def on_startup(command, dirty):
    _state["serve"] = command == "serve"


def _log():
    return serve_log if _state["serve"] else log


def on_config(config):
    # The notebook's cached output is only valid for the data and code it ran on.
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is not None:
        jupyter.config["cache_dir"] = str(paths.out_dir() / "notebooks" / devloop.inputs_fingerprint())
    return config


def on_pre_build(config):
    banner, chart_errors = devloop.prepare(serve=_state["serve"], log=_log())
    if not _state["serve"] and (banner or chart_errors):
        raise PluginError("the build stopped; fix the problems above")
    _state["banner"] = banner
    _state["site"] = pages.Site.load(chart_errors)


def on_files(files, config):
    for src_uri, abs_path in devloop.generated_files():
        files.append(File.generated(config, src_uri, abs_src_path=str(abs_path)))
    return files


def on_page_markdown(markdown, page, config, files):
    where = pages.Page(page.file.src_uri, page.url)
    try:
        out = pages.expand(markdown, where, _state["site"])
    except ProblemsError as e:
        if not _state["serve"]:
            raise PluginError(str(e)) from None
        serve_log.error(str(e))
        out = pages.error_box("This page has problems", str(e)) + "\n\n" + markdown
    if _state.get("banner"):
        out = pages.error_box("The data did not validate: showing the last good data", _state["banner"]) + "\n\n" + out
    return out


def on_post_page(output, page, config):
    output = devloop.clean_notebook_html(output)
    if _state["serve"]:
        # The dev server injects its live-reload script after this hook; a CSP would block it.
        return output
    return csp.apply(output)
