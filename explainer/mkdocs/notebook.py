"""Notebook pages made light and self-contained: nbconvert's CDN loaders and its 570 KB theme removed."""

from __future__ import annotations

import re
from pathlib import Path

from explainer.core.project import Project

_MATHJAX = re.compile(
    r'<!-- Load mathjax -->\s*<script src="[^"]*">\s*</script>\s*<!-- MathJax configuration -->\s*'
    r'<script type="text/x-mathjax-config">.*?</script>\s*<!-- End of mathjax configuration -->',
    re.S,
)


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_MERMAID = re.compile(
    r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded".*?mermaid.*?</script>', re.S
)
# nbconvert's copy-to-clipboard button on every code cell: a custom element and its script, an icon, and a
# second, hidden copy of the cell's code (whose id repeats a cell's). notebook.css hid them all; they
# only cost the page elements to parse and style (the reader selects the code itself to copy it).
_CLIPBOARD = (
    re.compile(
        r"<script>\s*\(function \(global, factory\).*?ClipboardCopyElement.*?</script>\s*"
        r"<script>\s*document\.addEventListener\('clipboard-copy'.*?</script>\s*",
        re.S,
    ),
    re.compile(r'<div class="zeroclipboard-container">\s*<clipboard-copy\b.*?</clipboard-copy>\s*</div>\s*', re.S),
    re.compile(r'<div class="clipboard-copy-txt" id="[^"]*">[^<]*</div>\s*'),
)
# The empty side bars JupyterLab clicks to fold a cell (hidden here: nothing folds a static page).
_COLLAPSER = re.compile(r'<div class="jp-Collapser [^"]*">\s*</div>\s*')


# mkdocs-jupyter's own options, passed to its converter as its plugin does (its `nb2html`).
_CONVERT_OPTIONS = (
    "execute",
    "kernel_name",
    "theme",
    "allow_errors",
    "show_input",
    "no_input",
    "no_prompt",
    "remove_tag_config",
    "highlight_extra_classes",
    "include_requirejs",
    "custom_mathjax_url",
)


def nb_html(nb: Path, cfg) -> str:
    """A notebook run and converted to HTML as mkdocs-jupyter's page step would, with its options."""
    from mkdocs_jupyter import nbconvert2 as convert

    return convert.nb2html(str(nb), **{k: cfg[k] for k in _CONVERT_OPTIONS})


def clean_notebook_html(page: str) -> str:
    """Keep the notebook page light and self-contained.

    nbconvert adds a MathJax loader (a CDN, or an empty src) and a Mermaid loader that imports
    from a CDN; the Methods page has neither maths nor diagrams, so both go. Its JupyterLab theme
    is a 570 KB inline stylesheet; it is replaced by assets/css/notebook.css (a few lines). The
    clipboard buttons and fold bars, hidden by that stylesheet, go too: fewer elements to lay out.
    """
    if "jupyter-wrapper" not in page:
        return page
    page = _MATHJAX.sub("", page)
    page = _MERMAID.sub("", page)
    for pattern in (*_CLIPBOARD, _COLLAPSER):
        page = pattern.sub("", page)

    def keep(m: re.Match) -> str:
        css = m.group(1)
        # Drop the JupyterLab theme and variables and the Mermaid styles; keep small scoped rules
        # (pandas tables) and the code-highlighting classes, which notebook.css maps to Material.
        if ".jupyter-wrapper{" in css.replace(" ", "") or ".jp-Mermaid" in css:
            return ""
        return m.group(0)

    page = _STYLE.sub(keep, page)
    # jupytext gives every cell a random id, and nbconvert writes it into the page: number the
    # cells instead, so two builds of the same commit are byte-identical.
    counter = iter(range(1, 10_000))
    page = re.sub(r'id="cell-id=[^"]*"', lambda m: f'id="cell-{next(counter)}"', page)
    root = re.search(r'<link rel="stylesheet" href="([^"]*)assets/stylesheets/main\.[^"]+\.min\.css"', page)
    href = (root.group(1) if root else "../") + "assets/css/notebook.css"
    return page.replace("</head>", f'  <link rel="stylesheet" href="{href}">\n  </head>', 1)


# --- under make serve: the last output meanwhile, a re-run in the background --------------------

STALE_NOTE = (
    '<div class="admonition note"><p class="admonition-title">Re-running</p><p>This page shows the '
    "last run of its code. It is running again with your latest changes, and reloads when done.</p></div>"
)


def _serve_dir(project: Project) -> Path:
    return project.out / "notebooks" / "serve"


def _ran_on(project: Project) -> Path:
    return _serve_dir(project) / "inputs"


def is_stale(project: Project) -> bool:
    ran = _ran_on(project)
    return ran.exists() and ran.read_text() != _fingerprint(project)


def _fingerprint(project: Project) -> str:
    from explainer.steps import prepare

    return prepare.notebook_fingerprint(project)


def rerun_if_stale(project: Project, state, jupyter, config, log, done) -> None:
    """After a serve rebuild: when the data or chart code changed since the notebook's shown output
    was made, run it again in a thread, once the author pauses (`BuildState.wait_until_quiet`); the
    page meanwhile shows the last output, marked as such.
    When the run is done, `done({notebook path: its new HTML})` puts it into the served page in
    place (no rebuild); a run that finds its inputs changed again meanwhile runs once more. The
    thread running is kept in `state` (the session's `prepare.BuildState`)."""
    current = _fingerprint(project)
    ran = _ran_on(project)
    if not ran.exists():  # the first build ran it in the foreground, on these inputs
        ran.parent.mkdir(parents=True, exist_ok=True)
        ran.write_text(current)
        return
    if ran.read_text() == current or state.notebook_run is not None:
        return
    import threading

    thread = threading.Thread(target=_rerun, args=(project, state, jupyter, log, done), daemon=True)
    state.notebook_run = thread
    thread.start()


def _rerun(project: Project, state, jupyter, log, done) -> None:
    import time

    try:
        while True:
            state.wait_until_quiet()  # after the author's pause: quick saves never wait for it
            fingerprint = _fingerprint(project)
            t0 = time.perf_counter()
            bodies = _run_once(project, jupyter)
            _ran_on(project).write_text(fingerprint)
            log.info(f"notebook re-run with the latest data in {time.perf_counter() - t0:.1f} s")
            if _fingerprint(project) == fingerprint:
                break  # else saved again while it ran: once more, on what is there now
        done(bodies)
    except Exception as e:  # noqa: BLE001 - the page keeps its last output and says why
        log.error(f"the notebook failed to re-run: {type(e).__name__}: {e}")
    finally:
        state.notebook_run = None


def _run_once(project: Project, jupyter) -> dict[str, str]:
    """Execute each notebook page and store its HTML where mkdocs-jupyter's cache finds it."""
    import json

    from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path

    bodies = {}
    for path in jupyter.config["include"]:
        nb = project.docs / path
        cfg = jupyter.config
        body = nb_html(nb, cfg)
        cache = _get_cache_path(str(_serve_dir(project)), _compute_cache_key(str(nb), cfg, cfg["execute"]))
        old = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
        cache.write_text(json.dumps({**old, "content": body}), encoding="utf-8")
        bodies[path] = body
    return bodies


def start_cold_run(jupyter, log, project: Project):
    """`make build` with no cached output for a notebook page: run the notebook now, in a thread,
    while the data are checked and the charts rendered (the kernel is a process of its own), and
    store its output where mkdocs-jupyter's cache finds it, as mkdocs-jupyter would. Returns the
    thread to join before the pages are rendered, or None when every notebook's output is cached."""
    import json
    import threading
    import time

    from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path, _get_nb_toc_tokens

    cfg = jupyter.config
    if not cfg["cache"] or cfg["execute_ignore"]:
        return None
    todo = []
    for path in cfg["include"]:
        nb = project.docs / path
        if nb.is_file():
            cache = _get_cache_path(cfg["cache_dir"], _compute_cache_key(str(nb), cfg, cfg["execute"]))
            if not cache.exists():
                todo.append((nb, cache))
    if not todo:
        return None

    def run() -> None:
        for nb, cache in todo:
            t0 = time.perf_counter()
            try:
                body = nb_html(nb, cfg)
                toc_tokens, title = _get_nb_toc_tokens(str(nb), cfg["toc_depth"])
            except Exception:  # noqa: BLE001 - the page step runs it again and reports the error
                continue
            cache.parent.mkdir(parents=True, exist_ok=True)
            entry = {"content": body, "toc_tokens": toc_tokens, "title": title}
            cache.write_text(json.dumps(entry), encoding="utf-8")
            log.info(f"notebook {nb.name} run while the charts render ({time.perf_counter() - t0:.1f} s)")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# --- the notebook kernel's one line of noise ---------------------------------------------------

_NOISE = b"running over TCP without encryption"


def quiet_kernel_warning() -> None:
    """Every kernel start prints a warning about its local TCP link that an author cannot act on
    (the kernel talks only to this process, on 127.0.0.1). Pass the kernel's error output on, less
    that line."""
    import os
    import subprocess
    import sys
    import threading

    from jupyter_client.provisioning import local_provisioner

    launch = local_provisioner.launch_kernel
    if getattr(launch, "quiet", False):
        return

    def forward(pipe) -> None:
        for line in iter(pipe.readline, b""):
            if _NOISE not in line:
                sys.stderr.buffer.write(line)
                sys.stderr.flush()
        pipe.close()

    def launch_quietly(cmd, **kw):
        if kw.get("stderr") is not None:
            return launch(cmd, **kw)
        process = launch(cmd, **{**kw, "stderr": subprocess.PIPE, **_low_priority()})
        threading.Thread(target=forward, args=(process.stderr,), daemon=True).start()
        return process

    def _low_priority() -> dict:
        # A notebook re-run in the background yields the processor to the author's next rebuild.
        if threading.current_thread() is threading.main_thread() or not hasattr(os, "nice"):
            return {}
        return {"preexec_fn": lambda: os.nice(10)}

    launch_quietly.quiet = True
    local_provisioner.launch_kernel = launch_quietly
