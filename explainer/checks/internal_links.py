"""`make check-links`: every internal link and #anchor of the built site, checked offline with lychee.

A strict MkDocs build checks Markdown links, but not notebook pages, template links or the
Sources page's anchors, so the built HTML is checked as well. It is deterministic, and a broken
link fails naming the page and line. The site is rebuilt first when its inputs changed since it
was built, so a link broken since the last build cannot pass.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from explainer.checks.lychee import ToolError, iter_results, run_lychee, show_path, site_or_fail
from explainer.core.project import current_project
from explainer.mkdocs import build


class _Lines:
    """Source lines of files, read once, to quote a link the way its author wrote it."""

    def __init__(self) -> None:
        self._cache: dict[Path, list[str]] = {}

    def line(self, path: Path, number: int | None) -> str | None:
        if not number:
            return None
        if path not in self._cache:
            try:
                self._cache[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._cache[path] = []
        lines = self._cache[path]
        return lines[number - 1] if 0 < number <= len(lines) else None

    def href(self, path: Path, span: dict[str, Any] | None) -> str | None:
        """The quoted attribute value lychee's span points at (its column counts characters)."""
        span = span or {}
        text, col = self.line(path, span.get("line")), span.get("column")
        if not text or not col or col < 2 or col > len(text):
            return None
        quote = text[col - 2]
        if quote not in "\"'":
            return None
        end = text.find(quote, col - 1)
        value = text[col - 1 : end] if end >= 0 else ""
        return html.unescape(value) or None


def _file_target(url: str) -> tuple[Path, str]:
    """The file a file:// URL names (a folder means its index.html) and its fragment."""
    parts = urlsplit(url)
    target = Path(unquote(parts.path))
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def internal_problems(site: Path, label: str | None = None) -> tuple[list[str], dict[str, int]]:
    """Check every internal link and #anchor of the built site, offline.

    Returns one line per broken link or anchor (`page:line: what`, naming the target) and counts.
    """
    label = label or str(site)
    site = site.resolve()
    pages = site_or_fail(site, label)
    options = ["--offline", "--include-fragments=anchor-only", "--root-dir", str(site), "--index-files", "index.html"]
    report = run_lychee(options, pages)
    lines = _Lines()
    problems: list[tuple[str, int, str]] = []
    for name, source, entry in iter_results(report):
        if name not in ("error_map", "timeout_map"):
            continue
        page = Path(source)
        where = show_path(page, site, label)
        span = entry.get("span") or {}
        line = span.get("line") or 0
        url = entry.get("url", "")
        status = entry.get("status") or {}
        text = status.get("text", "")
        href = lines.href(page, span)
        if url.startswith("file://"):
            target, frag = _file_target(url)
            shown_target = show_path(target, site, label)
            href = href or shown_target + (f"#{frag}" if frag else "")
            if "fragment" in text.lower():
                what = f'broken anchor {href} (no id="{frag}" in {shown_target})'
            elif "not found" in text.lower():
                what = f"broken link to {href} (file not found: {shown_target})"
            else:
                what = f"broken link to {href} ({text})"
        else:
            what = f"broken link to {href or url} ({text})"
        problems.append((where, line, f"{where}:{line}: {what}" if line else f"{where}: {what}"))
    problems.sort()
    counts = {
        "pages": len(pages),
        "links": int(report.get("total") or 0),
        "checked": int(report.get("successful") or 0) + len(problems),
    }
    return [p[2] for p in problems], counts


def main_internal(site_arg: str) -> int:
    problems, counts = internal_problems(Path(site_arg), site_arg)
    for p in problems:
        print(p)
    if problems:
        print(f"check-links: {len(problems)} broken internal link(s) or anchor(s) in {site_arg}/", file=sys.stderr)
        return 1
    print(
        f"check-links: all {counts['checked']} internal links and anchors in {counts['pages']} pages "
        f"of {site_arg}/ resolve"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m explainer check-links", description=__doc__.splitlines()[0])
    ap.add_argument("site_dir", nargs="?", help="the built site (default: the project's site/)")
    ap.add_argument("--no-build", action="store_true", help="check the site as it is, even when stale")
    args = ap.parse_args(argv)
    args.site_dir = args.site_dir or str(current_project().site_dir)
    site = Path(args.site_dir)
    if not args.no_build and not build.is_current(site):
        print(f"check-links: {args.site_dir}/ is missing or older than its inputs; building it first")
        if build.build(site, quiet=True) != 0:
            return 1
    try:
        return main_internal(args.site_dir.rstrip("/") or "/")
    except ToolError as exc:
        print(f"check-links: {exc}", file=sys.stderr)
        return 2
