"""The project: one explainer's folders and its parsed `mkdocs.yml`, as one value.

A `Project` is made once, where a process starts: the command line (`--project`, else found from
the working directory), the MkDocs plugin (`on_config`, from the config file MkDocs read), a chart
worker (from the project its pool was started with), a test. Steps that a build or serve thread
runs take it as an argument. Chart modules and the Methods notebook call `data.load(name)` with no
project: they read the process's `current_project()`, which is set once at process start
(`use`) and never changed by a build or serve thread.

The folders may be pointed elsewhere through the environment (tests build copies that way):
$EXPLAINER_PROJECT, $EXPLAINER_DATA_DIR, $EXPLAINER_CHARTS_DIR, $EXPLAINER_BUILD_DIR, read
when the project is loaded. Nothing here writes the environment.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explainer.core import settings


@dataclass(frozen=True)
class Project:
    root: Path  # the folder holding mkdocs.yml
    data: Path  # the datasets, registry and claims ledger read (read-only for every build step)
    charts: Path  # the chart modules (one chart per file)
    docs: Path  # the pages
    out: Path  # generated, git-ignored artifacts: chart files, the Vega bundle, caches (build/)
    overrides: Path  # the theme's template overrides
    site_dir: Path  # where `build` writes the site by default
    own_data: Path  # the project's own data folder, even while another copy of it is read

    @classmethod
    def load(cls, root: Path | str | None = None, options: Mapping[str, Any] | None = None) -> Project:
        """The project at `root` (else $EXPLAINER_PROJECT, else the nearest folder at or above the
        working directory that holds a mkdocs.yml). Its data, chart and build folders are the
        environment's when it names them, else the plugin's options (`data_dir`, `charts_dir`,
        `build_dir`: explainer/mkdocs/config.py; given by the plugin, else read from mkdocs.yml),
        else `data`, `charts`, `build`."""
        root = _root(root)
        options = _plugin_options(root) if options is None else options
        data_dir = _folder(root, settings.ENV_DATA, options.get("data_dir") or "data")
        return cls(
            root=root,
            data=data_dir,
            charts=_folder(root, settings.ENV_CHARTS, options.get("charts_dir") or "charts"),
            docs=(root / "docs").resolve(),
            out=_folder(root, settings.ENV_BUILD, options.get("build_dir") or "build"),
            overrides=(root / "overrides").resolve(),
            site_dir=(root / "site").resolve(),
            own_data=data_dir,
        )

    def reading(self, data: Path) -> Project:
        """The same project reading its data from another folder (an old commit's data, the last
        data that validated); `own_data` stays the project's own."""
        return dataclasses.replace(self, data=Path(data).resolve())

    def own(self) -> Project:
        """The project reading its own data folder."""
        return dataclasses.replace(self, data=self.own_data)

    # --- the parsed mkdocs.yml ---------------------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        """The project's mkdocs.yml as plain data (site name and URL, `extra:` with its byline),
        read without MkDocs: `!ENV [NAME, default]` takes the variable when set, else the default.
        Parsed once per version of the file (an edit under serve is seen)."""
        path = self.root / settings.CONFIG_FILE
        env = tuple(sorted((k, v) for k, v in os.environ.items() if k in (settings.ENV_SITE_URL, settings.ENV_REPO)))
        return _site_config(str(path), path.stat().st_mtime_ns if path.is_file() else None, env)

    @property
    def extra(self) -> dict[str, Any]:
        """The `extra:` settings of mkdocs.yml (its byline, where to send corrections)."""
        return self.config.get("extra") or {}

    def git_origin_url(self) -> str | None:
        """The URL of the project's git remote `origin`, if it has one (read once per project and
        git config, so the many links of a build do not each ask git)."""
        git = self.root / ".git"
        return _git_origin_url(str(self.root), git.stat().st_mtime_ns if git.exists() else None)

    def site_url(self) -> tuple[str | None, str]:
        """The site's public address and where it came from: `SITE_URL` (or `site_url` in mkdocs.yml),
        else the GitHub Pages address of the git remote `origin`, else None (absolute addresses are
        then left out of the build). A local address (127.0.0.1, localhost) never counts."""
        from_env = os.environ.get(settings.ENV_SITE_URL)
        configured = (from_env or str(self.config.get("site_url") or "")).strip()
        if configured and not settings.LOCAL_ADDRESS_RE.match(configured):
            return configured.rstrip("/") + "/", "SITE_URL" if from_env else "site_url in mkdocs.yml"
        remote = self.git_origin_url()
        derived = settings.github_pages_url(remote)
        if derived:
            return derived, f"the git remote origin ({remote})"
        return None, ""

    def site_base(self) -> str:
        """The site's public address (`site_url()`), ending in one slash, that page paths are
        appended to; "" when it is not known, so links built on it stay relative to the site root."""
        return self.site_url()[0] or ""

    def repo_url(self) -> str | None:
        """The project's public repository: $REPO_URL, else `repo_url` in mkdocs.yml, else the git
        remote `origin` when it is on GitHub (as https://github.com/owner/name). None when unknown:
        then no page links to it."""
        url = os.environ.get(settings.ENV_REPO) or self.config.get("repo_url")
        if url:
            return str(url).strip().rstrip("/") or None
        return _origin_on_github(str(self.root))

    @property
    def chart_files(self) -> Path:
        """Each chart's generated files (spec, images, table, metadata), as the render step writes them."""
        return self.out / "charts"

    def rel(self, path: Path | str) -> str:
        """A path as authors see it in messages: relative to the project when possible."""
        try:
            return str(Path(path).resolve().relative_to(self.root))
        except ValueError:
            return str(path)


# --- the process's project (chart modules, the Methods notebook, the command line) -----------

_chosen: list[Project] = []  # set once, at process start (`use`)


def use(project: Project | Path | str | None) -> None:
    """Make `project` this process's project. Called once where a process starts (the command
    line, the MkDocs plugin's first `on_config`, a chart worker's initializer) or by a test; never
    by a build or serve thread. None forgets it (tests), so it is found again."""
    _chosen.clear()
    if project is not None:
        _chosen.append(project if isinstance(project, Project) else Project.load(project))


def current_project() -> Project:
    """The process's project: the one `use` set, else found from the environment and the working
    directory (as `Project.load()`)."""
    if _chosen:
        return _chosen[0]
    env = tuple(
        os.environ.get(k) for k in (settings.ENV_PROJECT, settings.ENV_DATA, settings.ENV_CHARTS, settings.ENV_BUILD)
    )
    return _found(env, os.getcwd())


@functools.lru_cache(maxsize=16)
def _found(_env: tuple, _cwd: str) -> Project:
    return Project.load()


# --- helpers -----------------------------------------------------------------------------------


def _root(root: Path | str | None) -> Path:
    if root is not None:
        return Path(root).resolve()
    if os.environ.get(settings.ENV_PROJECT):
        return Path(os.environ[settings.ENV_PROJECT]).resolve()
    here = Path.cwd().resolve()
    return next((p for p in (here, *here.parents) if (p / settings.CONFIG_FILE).is_file()), here)


def _plugin_options(root: Path) -> dict[str, Any]:
    """The explainer plugin's options as mkdocs.yml gives them (`plugins: [explainer: {...}]`)."""
    path = root / settings.CONFIG_FILE
    config = _site_config(str(path), path.stat().st_mtime_ns if path.is_file() else None, ())
    plugins = config.get("plugins") or []
    items = (
        plugins.items()
        if isinstance(plugins, dict)
        else (next(iter(p.items())) for p in plugins if isinstance(p, dict))
    )
    return next((dict(opts or {}) for name, opts in items if name == PLUGIN_NAME), {})


PLUGIN_NAME = "explainer"  # as mkdocs.yml names the plugin (pyproject.toml's mkdocs.plugins entry point)


def _folder(root: Path, env: str, default: str) -> Path:
    return Path(os.environ.get(env) or root / default).resolve()


@functools.lru_cache(maxsize=8)
def _git_origin_url(root: str, _stamp: int | None) -> str | None:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=root, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


@functools.lru_cache(maxsize=8)
def _origin_on_github(root: str) -> str | None:
    import re
    import subprocess

    try:
        out = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=root, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.fullmatch(
        r"(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
        r"([A-Za-z0-9][\w.-]*)/([\w.-]+?)(?:\.git)?/?",
        out.stdout.strip() if out.returncode == 0 else "",
    )
    return f"https://github.com/{m.group(1)}/{m.group(2)}" if m else None


@functools.lru_cache(maxsize=8)
def _site_config(path_text: str, mtime: int | None, _env: tuple) -> dict:
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    def _tag(loader, suffix, node):
        if isinstance(node, yaml.SequenceNode):
            items = loader.construct_sequence(node)
            if suffix == "ENV":
                return next((os.environ[n] for n in items[:-1] if os.environ.get(n)), items[-1] if items else None)
            return items[-1] if items else None
        return loader.construct_scalar(node)

    _Loader.add_multi_constructor("!", _tag)
    if mtime is None:
        return {}
    return yaml.load(Path(path_text).read_text(encoding="utf-8"), Loader=_Loader) or {}
