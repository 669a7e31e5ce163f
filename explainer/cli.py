"""`python -m explainer COMMAND`: the one command line; every Makefile target calls it.

Each command is a module's `main(argv)`, with its own `--help`. `--project DIR` (before the
command) names the explainer to work on; by default it is the nearest folder at or above the
working directory that holds a mkdocs.yml.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from explainer.core import project, settings

# command: (module, function, what it does)
COMMANDS = {
    "new": ("new", "main", "create a new explainer in an empty folder: a page, data, a source, a chart, a claim"),
    "build": ("mkdocs.build", "main", "build the site strictly into site/, swapped in only when the build succeeds"),
    "build-zensical": (
        "zensical.build",
        "main",
        "build the site with Zensical (Material's successor) into site/, swapped in only when it succeeds",
    ),
    "serve": ("mkdocs.build", "serve_main", "serve the site with live reload; problems show on the page"),
    "charts": ("steps.render", "main", "build the charts whose inputs changed (or the named ones)"),
    "check-data": ("steps.validate", "main", "validate every dataset, the source registry and the claims ledger"),
    "datadict": ("steps.datadict", "main", "check, or --write, the data dictionary data/README.md"),
    "expand": ("steps.export", "main", "write the pages with their markers expanded, without MkDocs"),
    "check-links": (
        "checks.internal_links",
        "main",
        "check internal links and anchors, offline (rebuilds a stale site)",
    ),
    "linkcheck": ("checks.external_links", "main", "check external links of the site and the registry (network)"),
    "link-issue": ("checks.link_issue", "main", "open, update or close the one GitHub issue that carries broken links"),
    "bench": (
        "devtools.bench",
        "main",
        "measure build and reload times against a plain Material floor, and page weight",
    ),
    "bench-scale": (
        "devtools.bench_scale",
        "main",
        "generate an explainer of N charts and measure how builds and reloads grow",
    ),
    "audit": ("devtools.audit", "main", "run Lighthouse on every page of a built site"),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m explainer",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n"
        + "\n".join(f"  {n:<12} {h}" for n, (_, _, h) in COMMANDS.items())
        + "\n\n`python -m explainer COMMAND --help` describes each.",
    )
    ap.add_argument("--project", type=Path, help="the explainer's folder (default: found from the working directory)")
    ap.add_argument(
        "--quiet", action="store_true", help="problems and summaries only (also: EXPLAINER_QUIET=1, CI=true)"
    )
    ap.add_argument("command", choices=COMMANDS, metavar="COMMAND")
    ap.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    # Material prints a notice about MkDocs 2.0 in every process that loads it (a build, `serve`, the
    # bench's plain Material site): each command's MkDocs processes inherit this.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if args.quiet:
        os.environ[settings.ENV_QUIET] = "1"
    if args.project:
        if not (args.project / settings.CONFIG_FILE).is_file():
            ap.error(f"--project {args.project}: no {settings.CONFIG_FILE} there")
        project.use(project.Project.load(args.project))
    module, function, _ = COMMANDS[args.command]
    run = getattr(importlib.import_module(f"explainer.{module}"), function)
    return run(args.args)


if __name__ == "__main__":
    sys.exit(main())
