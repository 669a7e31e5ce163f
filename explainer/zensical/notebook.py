"""Notebook pages for the Zensical build, which runs no mkdocs-jupyter: each notebook mkdocs.yml
names (mkdocs-jupyter's `include`) is run with jupytext and written as a Markdown page by
nbconvert, before Zensical builds. A run is kept for the notebook's text and the inputs it ran on
(the data and the chart modules, as the MkDocs build keys mkdocs-jupyter's runs).

Its code cells come out as the theme's code blocks, without mkdocs-jupyter's prompts ("In [1]:")
and copy buttons; its prose, code, tables and printed output read the same. An output that is an
image file (a plot) stops the build with a message: this build does not place such files yet.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from explainer.content import fragments
from explainer.core import files, settings
from explainer.core.project import current_project
from explainer.steps import prepare
from explainer.zensical import links

PLUGIN = "mkdocs-jupyter"
SUFFIX = ".py"  # a notebook page's source, in jupytext's percent format


def _plugin_config() -> dict | None:
    for entry in current_project().config.get("plugins") or []:
        if isinstance(entry, dict) and PLUGIN in entry:
            return entry[PLUGIN] or {}
        if entry == PLUGIN:
            return {}
    return None


def sources(docs: Path) -> list[str]:
    """The notebook pages among `docs`' files (paths relative to it), as mkdocs-jupyter's `include`
    patterns name them."""
    config = _plugin_config()
    if config is None:
        return []
    patterns = list(config.get("include") or [])
    found = []
    for p in files.tree(docs):
        rel = p.relative_to(docs).as_posix()
        if p.suffix == SUFFIX and any(rel == n or Path(rel).match(n) for n in patterns):
            found.append(rel)
    return sorted(found)


def markdown_page(src: str, title: str) -> str:
    """The notebook `src` (relative to docs/) run and written as a Markdown page with its title in
    front matter and, under its heading, the link to report an error (as the MkDocs build adds)."""
    page = fragments.Page(src, links.page_url(src))
    body = links.markdown_links(_run(src), src)
    link = fragments.report_link(page, title)
    if link:
        lines = body.split("\n")
        at = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
        if at is not None:
            lines.insert(at + 1, f'\n<p class="byline">{link}</p>\n')
            body = "\n".join(lines)
    front = yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n\n{body}"


def _run(src: str) -> str:
    """The notebook's Markdown after a run (kept per inputs fingerprint)."""
    root = current_project().root
    source = current_project().docs / src
    key = f"{Path(src).stem}-{files.fingerprint([source])[:16]}.md"  # the notebook's own text, with its inputs'
    kept = current_project().out / "notebooks" / "zensical" / prepare.notebook_fingerprint(current_project()) / key
    if kept.is_file():
        return kept.read_text(encoding="utf-8")
    config = _plugin_config() or {}
    hidden = (config.get("remove_tag_config") or {}).get("remove_input_tags") or []
    env = {**os.environ, settings.ENV_PROJECT: str(root)}
    kept.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=kept.parent) as tmp:
        nb = Path(tmp) / f"{Path(src).stem}.ipynb"
        run = [sys.executable, "-m", "jupytext", "--to", "ipynb", "--execute", "--output", str(nb)]
        _call([*run, str(source)], env, src)
        convert = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "markdown", "--output-dir", tmp]
        if hidden:
            convert += [
                "--TagRemovePreprocessor.enabled=True",
                f"--TagRemovePreprocessor.remove_input_tags={hidden!r}".replace("'", '"'),
            ]
        _call([*convert, str(nb)], env, src)
        out = nb.with_suffix(".md")
        if (Path(tmp) / f"{nb.stem}_files").is_dir():
            raise RuntimeError(f"docs/{src}: an output is an image file, which this build cannot place yet")
        files.write_atomic(kept, out.read_text(encoding="utf-8"))
    return kept.read_text(encoding="utf-8")


def _call(cmd: list[str], env: dict, src: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"docs/{src}: the notebook did not run or convert:\n{tail}")


def relink(markdown: str, src: str) -> str:
    """Links to the notebook `src` pointed at its Markdown page instead (MkDocs resolves links to
    the .py file to its page; Zensical would copy the file and link to that)."""
    name = re.escape(Path(src).name)
    return re.sub(
        rf"(\]\([^)\s]*?)(?<![\w.-]){name}(?=[)#\s])", lambda m: m.group(1) + Path(src).stem + ".md", markdown
    )
