"""`make build ENGINE=zensical`: the whole site built with Zensical, Material for MkDocs' successor.

Zensical reads mkdocs.yml and runs Python-Markdown extensions, but no MkDocs plugin or hook. So
the pages are first written as `python -m explainer expand` writes them (every marker expanded,
the chart pages and embeds, the generated files) into a staging folder, beside a copy of the
project's mkdocs.yml without the plugins Zensical cannot run; Zensical builds that strictly; a
pass over the built pages then does what the MkDocs plugin does after rendering (structured data
into <head>, share cards, the Content-Security-Policy, the rendered-text guard) and the
local-address guard runs; the site replaces the site folder only when all of it succeeded.
Notebook pages (mkdocs-jupyter's in the MkDocs build) are run and written as Markdown pages first
(notebook.py). What it still lacks is `MISSING` (ARCHITECTURE.md, "Moving off MkDocs";
tests/test_zensical.py compares both builds).
"""

from __future__ import annotations

import argparse
import copy
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from explainer.content import chartpages, csp, fragments, guards, markers
from explainer.content.markers import split_front_matter
from explainer.core import files, settings
from explainer.core import project as projects
from explainer.core.problems import Problem, ProblemsError
from explainer.core.project import current_project
from explainer.steps import cards, export
from explainer.zensical import links, notebook

# Plugins of mkdocs.yml this build does in its own way: the engine's by expanding the pages first,
# the notebook pages' by running each notebook into a Markdown page (notebook.py).
DROPPED_PLUGINS = ("explainer", notebook.PLUGIN)

# Template overrides of Material partials whose markup Zensical's scripts replace: Zensical's search
# box is a button its bundle opens (results in its own dialog, named for assistive technology), and
# with Material's form in its place it stays at "Initializing search". They are left out of the
# theme folder Zensical is given.
MATERIAL_ONLY_PARTIALS = ("partials/search.html",)

# mkdocs-jupyter's own elements on a notebook page (its cells' prompts, its copy buttons and the
# code they copy): the Zensical build's notebook pages have none, and the comparison skips them.
NOTEBOOK_CHROME = ("jp-InputPrompt", "jp-OutputPrompt", "zeroclipboard-container", "clipboard-copy-txt")

# What the MkDocs build does and this one does not, in one place (ARCHITECTURE.md repeats it).
MISSING = {
    "notebook pages": "a notebook page is run by jupytext and written by nbconvert, not mkdocs-jupyter: its code "
    "cells are the theme's code blocks, without prompts or copy buttons, and its tables take the theme's style, "
    "not the notebook stylesheet's (the words of its prose, code, tables and output are the same); a notebook "
    "whose output is an image file (a plot) stops the build, as such files are not placed yet",
    "serve": "no live-reload server: `make serve` stays MkDocs'",
    "search index": "Zensical's own search (search.json, not Material's search/search_index.json), so an "
    "override that holds Material's index back until the reader searches does not hold this one: every page "
    "loads it at once",
    "sitemap.xml.gz": "only sitemap.xml is written",
}


def version() -> str | None:
    try:
        return importlib.metadata.version("zensical")
    except importlib.metadata.PackageNotFoundError:
        return None


def _nav_with_notebook_pages(nav: list, notebooks: set[str]) -> list:
    """The nav with each notebook's entry pointing at the Markdown page made of it."""
    out = []
    for item in nav:
        if isinstance(item, dict):
            title, target = next(iter(item.items()))
            if isinstance(target, list):
                out.append({title: _nav_with_notebook_pages(target, notebooks)})
            else:
                out.append({title: _as_md(str(target)) if target in notebooks else target})
        else:
            out.append(_as_md(str(item)) if item in notebooks else item)
    return out


def _as_md(src: str) -> str:
    return src[: -len(notebook.SUFFIX)] + ".md"


def nav_titles(nav: list) -> dict[str, str]:
    """Each page of the nav and its title there."""
    out: dict[str, str] = {}
    for item in nav or []:
        if isinstance(item, dict):
            title, target = next(iter(item.items()))
            out.update(nav_titles(target) if isinstance(target, list) else {str(target): str(title)})
    return out


def config(stage: Path, notebooks: list[str] | tuple[str, ...] = ()) -> dict:
    """The project's mkdocs.yml as Zensical is to read it: the pages from `stage/docs`, into
    `stage/site`; no plugin but those Zensical runs; the site and repository addresses settled as
    the MkDocs plugin settles them; Material's look (Zensical's `classic` variant); the template
    overrides less `MATERIAL_ONLY_PARTIALS` (a copy in `stage` when it has one)."""
    root = current_project().root
    cfg = copy.deepcopy(current_project().config)
    plugins = cfg.get("plugins") or []
    cfg["plugins"] = [p for p in plugins if (p if isinstance(p, str) else next(iter(p))) not in DROPPED_PLUGINS]
    cfg["nav"] = _nav_with_notebook_pages(cfg.get("nav") or [], set(notebooks))
    cfg["docs_dir"], cfg["site_dir"], cfg["strict"] = "docs", "site", True
    theme = cfg.setdefault("theme", {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str(_theme_folder((root / theme["custom_dir"]).resolve(), stage / "overrides"))
    theme.setdefault("variant", "classic")
    cfg["site_url"] = current_project().site_url()[0]
    repo = current_project().repo_url()
    if repo and not cfg.get("repo_url"):
        cfg["repo_url"] = repo
        cfg["repo_name"] = cfg.get("repo_name") or "/".join(repo.split("/")[-2:])
    return cfg


def _theme_folder(custom_dir: Path, copy_to: Path) -> Path:
    """The project's template overrides, less those of `MATERIAL_ONLY_PARTIALS` (copied without
    them when it has any)."""
    if not any((custom_dir / p).is_file() for p in MATERIAL_ONLY_PARTIALS):
        return custom_dir
    shutil.copytree(custom_dir, copy_to)
    for p in MATERIAL_ONLY_PARTIALS:
        (copy_to / p).unlink(missing_ok=True)
    return copy_to


ARTICLE_RE = re.compile(r'<article class="md-content__inner md-typeset">(.*)</article>', re.S)


def finish_pages(stage: Path, site: fragments.Site) -> tuple[int, list[Problem]]:
    """What the MkDocs plugin does to each page after the theme wrote it: structured data into
    <head>, the share card and its tags, the Content-Security-Policy; and its check that the page
    shows the words of its Markdown. Returns the pages done and the problems found."""
    problems: list[Problem] = []
    cfg = current_project().config
    titles = nav_titles(cfg.get("nav") or [])
    site_dir = stage / "site"
    chart_pages = chartpages.markdown_pages(site)
    done = 0
    for md in sorted(p for p in files.tree(stage / "docs") if p.suffix == ".md"):
        src = md.relative_to(stage / "docs").as_posix()
        url = links.page_url(src)
        target = site_dir / url / "index.html"
        if not target.is_file():
            continue
        staged = md.read_text(encoding="utf-8")
        front, expanded = split_front_matter(staged)
        meta = (yaml.safe_load(front.split("\n", 1)[1].rsplit("---", 1)[0]) if front else None) or {}
        own = current_project().docs / src
        in_charts = src.startswith(f"{fragments.CHART_PAGES}/")
        chart_id = src[len(fragments.CHART_PAGES) + 1 : -len(".md")] if in_charts else ""
        raw = own.read_text(encoding="utf-8") if own.is_file() else chart_pages.get(chart_id, "")
        lead = fragments.CHART_RE.search(raw)
        title = str(meta.get("title") or titles.get(src) or cfg.get("site_name") or "")
        description = str(meta.get("description") or cfg.get("site_description") or "").strip()
        output = target.read_text(encoding="utf-8")
        if raw:  # a written or a chart page (a notebook page has no Markdown of its own to hold it to)
            problems += _rendered_text(raw, expanded, output, src if own.is_file() else None, src)
        output = fragments.structured_data_to_head(output)
        # The header's repository link stays a plain link, as in the MkDocs build (no request to api.github.com).
        output = output.replace('class="md-source" data-md-component="source"', 'class="md-source"')
        output = _with_share_card(output, site_dir, url, title, description, lead.group(1) if lead else None)
        files.write_atomic(target, csp.apply(output))
        done += 1
    return done, problems


def _rendered_text(raw: str, expanded: str, output: str, written: str | None, src: str) -> list[Problem]:
    """The rendered-text guard, as the MkDocs plugin runs it, on the page's article."""
    front, original = split_front_matter(raw)
    file = f"docs/{written}" if written else f"(generated) {src}"
    m = ARTICLE_RE.search(output)
    if not m:
        return [Problem(file, 1, "", "the built page has no article element to check its words in", "rendered-text")]
    return guards.rendered_text(original, expanded, m.group(1), file, markers.first_line_of(original, raw))


def _with_share_card(output: str, site_dir: Path, url: str, title: str, description: str, chart: str | None) -> str:
    """The page's share card (its lead chart's, or its title card, written into the site) and its tags."""
    if chart and (current_project().out / "charts" / f"{chart}.card.png").exists():
        image = f"{settings.SITE_CHARTS}/{chart}.card.png"  # published with the chart's other files
    else:
        png = cards.title_card(cards.slug(url), title, description)
        image = f"{cards.CARDS}/{png.name}"
        (site_dir / image).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, site_dir / image)
    return output.replace("</head>", cards.meta_tags(title, description, url, image) + "</head>", 1)


def build(site_dir: Path, quiet: bool = False) -> int:
    site_dir = site_dir.resolve()
    zensical = version()
    if zensical is None:
        print(
            "build: Zensical is not installed; `make build ENGINE=zensical` installs it (requirements/zensical.txt)",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    out = current_project().out
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix="zensical-", dir=out))
    try:
        rc = export.main([str(stage / "docs")])
        if rc != 0:
            print(f"build: failed; {current_project().rel(site_dir)}/ was left as it was", file=sys.stderr)
            return rc
        t0 = time.perf_counter()
        expanded_s = t0 - started
        notebooks = notebook.sources(stage / "docs")
        try:
            _stage_pages(stage / "docs", notebooks)
        except RuntimeError as e:
            print(f"{e}\nbuild: failed; {current_project().rel(site_dir)}/ was left as it was", file=sys.stderr)
            return 1
        (stage / settings.CONFIG_FILE).write_text(
            yaml.safe_dump(config(stage, notebooks), sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        t0, notebooks_s = time.perf_counter(), time.perf_counter() - t0
        cmd = [sys.executable, "-m", "zensical", "build", "--strict", "-f", str(stage / settings.CONFIG_FILE)]
        done = subprocess.run(cmd, cwd=str(stage), capture_output=quiet, text=True)
        zensical_s = time.perf_counter() - t0
        if done.returncode != 0 or not (stage / "site" / "index.html").is_file():
            if quiet:
                print(done.stdout + done.stderr, file=sys.stderr)
            print(f"build: Zensical failed; {current_project().rel(site_dir)}/ was left as it was", file=sys.stderr)
            return done.returncode or 1
        t0 = time.perf_counter()
        site = fragments.Site.load()
        finished, problems = finish_pages(stage, site)
        sources = [str(getattr(e, k) or "") for e in site.registry.values() for k in ("url_main", "primary_url")]
        problems += guards.local_addresses(stage / "site", sources)
        if problems:
            print(ProblemsError(problems, "problem(s) in the pages"), file=sys.stderr)
            print(f"build: failed; {current_project().rel(site_dir)}/ was left as it was", file=sys.stderr)
            return 1
        finishing_s = time.perf_counter() - t0
        _swap_in(stage / "site", site_dir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    print(
        f"build: site written to {current_project().rel(site_dir)}/ by Zensical {zensical} in "
        f"{time.perf_counter() - started:.2f} s: pages expanded {expanded_s:.2f} s, "
        + (f"{len(notebooks)} notebook(s) {notebooks_s:.2f} s, " if notebooks else "")
        + f"Zensical {zensical_s:.2f} s, "
        f"{finished} pages finished {finishing_s:.2f} s"
    )
    return 0


def _stage_pages(docs: Path, found: list[str]) -> None:
    """Each notebook among the staged pages replaced by the Markdown page made of it, links to it
    pointed there, and every page's raw HTML links made relative to its file, as Zensical reads
    them (links.py)."""
    titles = nav_titles(current_project().config.get("nav") or [])
    for src in found:
        title = titles.get(src) or Path(src).stem
        files.write_atomic(docs / _as_md(src), notebook.markdown_page(src, title))
        (docs / src).unlink()
    for md in (p for p in files.tree(docs) if p.suffix == ".md"):
        text = md.read_text(encoding="utf-8")
        staged = links.html_links(text, md.relative_to(docs).as_posix())
        for src in found:
            staged = notebook.relink(staged, src)
        if staged != text:
            files.write_atomic(md, staged)


def _swap_in(built: Path, site_dir: Path) -> None:
    """The built site replaces `site_dir` in one rename (a failed build never reaches here)."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-", dir=site_dir.parent))
    tmp.rmdir()
    shutil.move(str(built), str(tmp))  # a rename when the build folder and the site share a disk
    files.replace_dir(tmp, site_dir)
    # Not MkDocs' site any more: a check of the site (check-links) must not take it for a current MkDocs build.
    files.site_stamp(site_dir, current_project().out).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m explainer build-zensical", description=__doc__.splitlines()[0])
    ap.add_argument("--site-dir", default="site", type=Path, help="where the site goes (default: site)")
    ap.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    args = ap.parse_args(argv)
    # The project is found once for the whole run (as the MkDocs plugin fixes it from its config
    # file), not again from the working directory each time a page asks for a folder.
    projects.use(current_project())
    return build(args.site_dir, args.quiet)
