"""`make build`: build the site strictly into a fresh folder, then swap it in.

A failed build leaves the previous site/ untouched: MkDocs writes into a temporary folder
beside it, and only a complete, successful build replaces site/.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from charts._site import paths


def build(site_dir: Path, config: Path | None = None, quiet: bool = False) -> int:
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-", dir=site_dir.parent))
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--site-dir", str(tmp)]
    if config:
        cmd += ["--config-file", str(config)]
    if quiet:
        cmd.append("--quiet")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(paths.ROOT)}
    rc = subprocess.call(cmd, cwd=str(config.parent if config else paths.ROOT), env=env)
    if rc != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"build: failed; {paths.rel(site_dir)}/ was left as it was", file=sys.stderr)
        return rc
    old = site_dir.with_name(f".{site_dir.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if site_dir.exists():
        os.replace(site_dir, old)
    os.replace(tmp, site_dir)
    shutil.rmtree(old, ignore_errors=True)
    os.chmod(site_dir, 0o755)
    print(f"build: site written to {paths.rel(site_dir)}/")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site-dir", default="site", type=Path)
    ap.add_argument("--config-file", type=Path)
    args = ap.parse_args(argv)
    return build(args.site_dir, args.config_file)


if __name__ == "__main__":
    sys.exit(main())
