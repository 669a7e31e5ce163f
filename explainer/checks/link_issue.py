"""`python -m explainer link-issue REPORT`: the weekly external link check reaches a person.

When the report (linkcheck-report.md) finds broken links, one GitHub issue carries it: opened the
first time, updated (body replaced, a comment added) on later runs, closed when a run finds
nothing broken. Uses the GitHub CLI (`gh`, preinstalled on GitHub's runners). `--dry-run` prints
the `gh` commands instead of running them, and `--existing N` says which issue is open (for a dry
run, where nothing is looked up).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

TITLE = "Broken links found by the weekly link check"
LABEL = "link-rot"
RESULT = re.compile(r"\*\*Result: (\d+) URL\(s\) definitely broken\.\*\*")


def broken_count(report: str) -> int:
    m = RESULT.search(report)
    return int(m.group(1)) if m else 0


def plan(report: str, existing: int | None, report_path: str, run_url: str = "") -> list[list[str]]:
    """The `gh` commands that bring the issue in line with the report."""
    n = broken_count(report)
    link = f" ({run_url})" if run_url else ""
    if n == 0:
        if existing is None:
            return []
        return [
            ["gh", "issue", "comment", str(existing), "--body", f"The latest link check found nothing broken{link}."],
            ["gh", "issue", "close", str(existing), "--reason", "completed"],
        ]
    if existing is None:
        return [
            ["gh", "label", "create", LABEL, "--force", "--description", "Found by the weekly external link check"],
            ["gh", "issue", "create", "--title", TITLE, "--label", LABEL, "--body-file", report_path],
        ]
    return [
        ["gh", "issue", "edit", str(existing), "--body-file", report_path],
        ["gh", "issue", "comment", str(existing), "--body", f"The link check ran again: {n} URL(s) broken{link}."],
    ]


def find_open_issue() -> int | None:
    out = subprocess.run(
        ["gh", "issue", "list", "--label", LABEL, "--state", "open", "--json", "number", "--limit", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(out.stdout or "[]")
    return found[0]["number"] if found else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m explainer link-issue", description=__doc__.splitlines()[0])
    ap.add_argument("report", type=Path, help="the link check's report (linkcheck-report.md)")
    ap.add_argument("--dry-run", action="store_true", help="print the gh commands instead of running them")
    ap.add_argument("--existing", type=int, help="the open issue's number (a dry run looks nothing up)")
    ap.add_argument("--run-url", default="", help="the workflow run, linked from the comments")
    args = ap.parse_args(argv)
    if not args.report.is_file():
        print(f"link-issue: no report at {args.report}", file=sys.stderr)
        return 1
    existing = args.existing if (args.dry_run or args.existing is not None) else find_open_issue()
    commands = plan(args.report.read_text(encoding="utf-8"), existing, str(args.report), args.run_url)
    for cmd in commands:
        print(shlex.join(cmd))
        if not args.dry_run:
            subprocess.run(cmd, check=True)
    if not commands:
        print("link-issue: nothing broken and no open issue; nothing to do")
    return 0
