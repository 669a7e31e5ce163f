"""`python -m explainer new DIR`: a new explainer that builds, serves and passes its own tests at once.

It copies the starter project (explainer/template/): one page, one dataset with its schema, one
source, one chart module with a shared helper, one claim, `mkdocs.yml`, a Makefile (serve, build,
charts, check-data, test), tests of the built site and the GitHub workflows (tests, Pages). Its
figures are made up and say so, in the page, the schema and the registry: the author replaces
them with figures read in a source. DIR must be new or empty; nothing outside it is written.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

TEMPLATE = Path(__file__).parent / "template"
DISTRIBUTION = "explainer"
# Files the copy substitutes its placeholders in (the rest are copied as they are).
TEXT_SUFFIXES = {".md", ".yml", ".yaml", ".txt", ".py", ".csv", ""}


def engine_requirement() -> str:
    """How the project's Makefile installs this engine: from the folder of its source when it runs
    from one (an editable install), else as it was installed (from a git address at its commit or a
    wheel), else by name and version."""
    source = Path(__file__).resolve().parents[1]
    if (source / "pyproject.toml").is_file():
        return str(source)
    for dist in importlib.metadata.distributions(name=DISTRIBUTION):
        text = dist.read_text("direct_url.json")
        if not text:
            continue
        origin = json.loads(text)
        url = origin.get("url", "")
        if "vcs_info" in origin:
            vcs = origin["vcs_info"]
            return f"{DISTRIBUTION} @ {vcs.get('vcs', 'git')}+{url}@{vcs.get('commit_id', '')}".rstrip("@")
        return unquote(urlparse(url).path) if url.startswith("file://") else f"{DISTRIBUTION} @ {url}"
    return f"{DISTRIBUTION}=={importlib.metadata.version(DISTRIBUTION)}"


def _title(folder: Path) -> str:
    words = folder.resolve().name.replace("-", " ").replace("_", " ").strip()
    return (words[:1].upper() + words[1:]) if words else "My explainer"


def create(folder: Path, title: str | None = None, engine: str | None = None) -> list[Path]:
    """Write the starter project into `folder` (new or empty); returns the files written."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} exists and is not a folder")
    if folder.is_dir():
        found = sorted(p.name for p in folder.iterdir())
        if found:
            shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
            raise ValueError(
                f"{folder} is not empty (it holds {shown}): `new` writes only into a new or empty folder, "
                "so that it never overwrites anything"
            )
    title = title or _title(folder)
    values = {
        "__SITE_NAME_YAML__": json.dumps(title, ensure_ascii=False),
        "__BYLINE_YAML__": json.dumps(f"the editors of {title}", ensure_ascii=False),
        "__SITE_NAME__": title,
        "__ENGINE__": engine or engine_requirement(),
        "__TODAY__": datetime.date.today().isoformat(),
    }
    written = []
    for src in sorted(TEMPLATE.rglob("*")):
        rel = src.relative_to(TEMPLATE)
        if src.is_dir() or "__pycache__" in rel.parts or src.suffix == ".pyc":
            continue
        dst = folder / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix in TEXT_SUFFIXES:
            text = src.read_text(encoding="utf-8")
            for key, value in values.items():
                text = text.replace(key, value)
            dst.write_text(text, encoding="utf-8")
        else:
            dst.write_bytes(src.read_bytes())
        written.append(dst)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m explainer new", description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path, help="the new explainer's folder (new or empty)")
    ap.add_argument("--title", help="the site's name (default: from the folder's name)")
    ap.add_argument(
        "--engine",
        help="how the project's Makefile installs the engine: a pip requirement, a folder of its source or a "
        "wheel (default: as this engine was installed)",
    )
    args = ap.parse_args(argv)
    try:
        written = create(args.dir, args.title, args.engine)
    except ValueError as e:
        print(f"new: {e}", file=sys.stderr)
        return 2
    # The data dictionary, generated from the new project's schemas as `datadict --write` would.
    done = subprocess.run(
        [sys.executable, "-m", "explainer", "--quiet", "--project", str(args.dir), "datadict", "--write"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print(f"new: the data dictionary could not be written:\n{done.stdout}{done.stderr}", file=sys.stderr)
        return 1
    print(f"new: wrote {len(written) + 1} files into {args.dir}/ (its figures are made-up examples: replace them)")
    print(f"  cd {args.dir}\n  make serve     # http://127.0.0.1:8000, reloads on every save\n  make test")
    engine = args.engine or engine_requirement()
    if Path(engine.split(" @ ")[-1]).is_absolute():
        print(
            f"new: the Makefile installs the engine from {engine}, a path on this machine; before publishing, set "
            "ENGINE to something GitHub's runners can install (README: Publish it on GitHub Pages)"
        )
    return 0
