"""`make build` and `make serve`: the site built strictly into a fresh folder and swapped in, or served.

A failed build leaves the previous site/ untouched: MkDocs writes into a temporary folder
beside it, and only a complete, successful build replaces site/. Each build records a
fingerprint of its inputs, so checks on a built site can tell whether it is stale.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from explainer.core import files, settings
from explainer.core.project import current_project

# What a built site depends on, relative to the project (the engine's own code, the locked
# dependencies, the settings taken from the environment and the commit, for the pages' dates).
INPUTS = ("docs", "charts", "overrides", "requirements", settings.CONFIG_FILE)
ENV_INPUTS = ("SITE_URL", "REPO_URL", "SOURCE_DATE_EPOCH", settings.ENV_DATA, settings.ENV_CHARTS)


def inputs_fingerprint() -> str:
    root = current_project().root
    found = [p for name in INPUTS for p in ([root / name] if (root / name).is_file() else files.tree(root / name))]
    engine = files.tree(Path(__file__).parents[1])
    data = files.tree(current_project().data)
    extra = "\n".join([*(f"{k}={os.environ.get(k, '')}" for k in ENV_INPUTS), _head(root)])
    return files.fingerprint([*found, *engine, *data], extra, root=None)


def _head(root: Path) -> str:
    """The commit checked out (the pages' published and updated dates come from git)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip()


def _stamp_file(site_dir: Path) -> Path:
    return files.site_stamp(site_dir, current_project().out)


def is_current(site_dir: Path) -> bool:
    """True when `site_dir` was built by `build()` from exactly the inputs there are now."""
    stamp = _stamp_file(site_dir)
    return site_dir.is_dir() and stamp.is_file() and stamp.read_text() == inputs_fingerprint()


def build(site_dir: Path, quiet: bool = False, config: Path | None = None, force: bool = False) -> int:
    site_dir = site_dir.resolve()
    root = current_project().root
    config = (config or root / settings.CONFIG_FILE).resolve()
    fingerprint = inputs_fingerprint()
    if not force and config == (root / settings.CONFIG_FILE).resolve() and is_current(site_dir):
        # Nothing the site is built from has changed: the same build would write the same files.
        print(
            f"build: {current_project().rel(site_dir)}/ is up to date "
            "(nothing it is built from has changed; --force rebuilds)"
        )
        return 0
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-", dir=site_dir.parent))
    cmd = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--clean",
        "--site-dir",
        str(tmp),
        "--config-file",
        str(config),
    ]
    if quiet:
        cmd.append("--quiet")
    rc = subprocess.call(cmd, cwd=str(root))
    if rc != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"build: failed; {current_project().rel(site_dir)}/ was left as it was", file=sys.stderr)
        return rc
    files.replace_dir(tmp, site_dir)
    files.write_atomic(_stamp_file(site_dir), fingerprint)
    print(f"build: site written to {current_project().rel(site_dir)}/")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m explainer build", description=__doc__.splitlines()[0])
    ap.add_argument("--site-dir", type=Path, help="where the site goes (default: the project's site/)")
    ap.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    ap.add_argument("--config-file", type=Path, help="another MkDocs config (default: the project's mkdocs.yml)")
    ap.add_argument("--force", action="store_true", help="build even when nothing the site is built from changed")
    args = ap.parse_args(argv)
    return build(args.site_dir or current_project().site_dir, args.quiet, args.config_file, args.force)


def serve_main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m explainer serve", description="Serve the site with live reload; problems show on the page."
    )
    ap.add_argument("--dev-addr", default="127.0.0.1:8000", help="host:port (default: 127.0.0.1:8000)")
    args = ap.parse_args(argv)
    root = current_project().root
    cmd = [
        sys.executable,
        "-m",
        "mkdocs",
        "serve",
        "--livereload",
        "--dev-addr",
        args.dev_addr,
        "--config-file",
        str(root / settings.CONFIG_FILE),
    ]
    try:
        return subprocess.call(cmd, cwd=str(root))
    except KeyboardInterrupt:
        return 0
