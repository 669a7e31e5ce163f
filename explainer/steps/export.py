"""`python -m explainer expand OUT`: every page of docs/ with its markers expanded, without MkDocs.

The pages, the chart pages and embeds and the generated files (charts, data package) as plain
Markdown and assets that any Markdown site builder can take: the Zensical build starts from it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explainer.content import chartpages, fragments
from explainer.content.fragments import Page, Site
from explainer.content.markers import expand, expand_file, split_front_matter
from explainer.core import files
from explainer.core.problems import ProblemsError
from explainer.core.project import current_project
from explainer.steps import prepare


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m explainer expand",
        description="Write every page of docs/ with its markers expanded (no MkDocs involved).",
    )
    ap.add_argument("out", type=Path, help="folder for the expanded docs (a copy of docs/ with pages expanded)")
    args = ap.parse_args(argv)
    project, state = current_project(), prepare.BuildState()
    banner, chart_errors = prepare.prepare(project, state, log=_PrintLog())
    if banner or chart_errors:
        print("expand: the data or the charts have problems (above)", file=sys.stderr)
        return 1
    site = Site.load(project=project)
    docs = project.docs
    failed = 0
    for path in sorted(p for p in files.tree(docs)):
        rel = path.relative_to(docs).as_posix()
        target = args.out / rel
        if path.suffix != ".md":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
            continue
        try:
            files.write_atomic(target, expand_file(rel, site))
        except ProblemsError as e:
            failed += 1
            print(e, file=sys.stderr)
    # A page per chart and its embed page, as the plugin adds them.
    for chart_id, content in chartpages.markdown_pages(site).items():
        front, body = split_front_matter(content)
        page = Page.for_file(f"{fragments.CHART_PAGES}/{chart_id}.md")
        files.write_atomic(args.out / page.src, front + expand(body, page, site, first_line=front.count("\n") + 1))
    chartpages.write_embeds(site, args.out / fragments.CHART_PAGES)
    unfinished = prepare.wait_for_charts(state, _PrintLog())  # the PNGs and share cards rendered meanwhile
    if unfinished:
        print(f"expand: the PNG or share card of {', '.join(unfinished)} could not be rendered", file=sys.stderr)
        return 1
    for src_uri, abs_path in prepare.generated_files(project, state):
        target = args.out / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(abs_path.read_bytes())
    print(f"expand: pages written to {args.out}/" + (f", {failed} with problems" if failed else ""))
    return 1 if failed else 0


class _PrintLog:
    def info(self, msg: str) -> None:
        print(msg)

    def error(self, msg: str) -> None:
        print(msg, file=sys.stderr)
