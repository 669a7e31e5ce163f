"""The engine's shape: a named package that knows nothing of this essay, builds any explainer,
and expands pages without MkDocs."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import MINI, ROOT, nav, run_explainer, use_project

from explainer.content import fragments as pages
from explainer.content import markers
from explainer.core import settings

ENGINE = ROOT / "explainer"
ARCHITECTURE = ROOT / "ARCHITECTURE.md"


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> list[str]:
    """Every module a file imports from the package, at module level or inside functions."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "explainer":
            out += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.split(".")[0] == "explainer"]
    return out


def _third_party(path: Path) -> set[str]:
    """The top-level names of the packages outside the engine a file imports."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
    return out - {"explainer"}


# The engine's code; explainer/template/ is the starter project `explainer new` copies, not engine code.
MODULES = {_module(p): p for p in ENGINE.rglob("*.py") if "template" not in p.relative_to(ENGINE).parts[:1]}


GROUPS = {p.name for p in ENGINE.iterdir() if (p / "__init__.py").is_file()}


def _group(module: str) -> str:
    """A module's group (`core`, `content`, ...), or `top` for the package's own cli and entry point."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in GROUPS else "top"


def _engine_imports(module: str) -> set[str]:
    """The engine's modules `module` imports (`from explainer.core import data` is explainer.core.data)."""
    return {m for i in _imports(MODULES[module]) for m in (i, i.rsplit(".", 1)[0]) if m in MODULES} - {module}


def _layer_rules() -> dict[str, set[str]]:
    """ARCHITECTURE.md's table of groups: `| `explainer/<group>/` | what it holds | may import |`."""
    rows = re.findall(r"^\| `explainer/(\w+)/` \|[^|\n]*\| ([^|\n]*) \|$", ARCHITECTURE.read_text("utf-8"), re.M)
    return {g: set(re.findall(r"`(\w+)`", allowed)) for g, allowed in rows}


def test_each_group_imports_only_the_groups_architecture_allows():
    rules = _layer_rules()
    assert set(rules) == GROUPS, (
        f"ARCHITECTURE.md's table of groups lists {sorted(rules)}; the package has {sorted(GROUPS)}"
    )
    crossings = [
        f"{m} ({_group(m)}) imports {n} ({_group(n)})"
        for m in sorted(MODULES)
        if _group(m) != "top"
        for n in sorted(_engine_imports(m))
        if _group(n) not in {_group(m), *rules[_group(m)]}
    ]
    assert not crossings, "imports ARCHITECTURE.md's table does not allow:\n" + "\n".join(crossings)


def test_the_engine_has_no_import_circle():
    graph = {m: {n for n in _engine_imports(m) if not MODULES[n].name == "__init__.py"} for m in MODULES}

    def visit(m: str, path: list[str]) -> None:
        for n in graph[m]:
            assert n not in path, "import circle: " + " -> ".join([*path, n])
            visit(n, [*path, n])

    for m in graph:
        visit(m, [m])


def test_only_the_mkdocs_adapter_imports_mkdocs_material_or_jupyter():
    site_builders = {"mkdocs", "mkdocs_jupyter", "material", "jupyter_client", "nbconvert"}
    for module, path in MODULES.items():
        found = _third_party(path) & site_builders
        assert not found or _group(module) == "mkdocs", f"{module} imports {sorted(found)}: keep that layer thin"


def test_the_runtime_package_needs_no_test_dependency():
    """Building and serving an explainer needs only the runtime dependencies; the measuring tools
    (explainer/devtools/) may use the test ones."""
    test_only = {"pytest", "playwright", "ruff"}
    for module, path in MODULES.items():
        found = _third_party(path) & test_only
        assert not found or _group(module) == "devtools", f"{module} imports {sorted(found)}"


def test_the_engine_never_imports_a_chart_module_and_nothing_edits_sys_path():
    for p in MODULES.values():
        assert not [i for i in _imports(p) if i.startswith("charts")], p.name
        assert "import charts" not in p.read_text(encoding="utf-8") and "from charts" not in p.read_text(
            encoding="utf-8"
        )
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    for f in tracked:
        text = (ROOT / f).read_text(encoding="utf-8")
        assert not re.search(r"sys\.path\.(insert|append)|PYTHONPATH", text) or f == "tests/test_engine.py", f


def _essay_words() -> set[str]:
    """Names only this essay uses: its page slugs, dataset names, claim ids and the countries in its data."""
    slugs = {f"{Path(f).stem}{end}" for _, f in nav() if Path(f).stem != "index" for end in ("/", ".md")}
    datasets = {p.name.removesuffix(settings.SCHEMA_SUFFIX) for p in (ROOT / "data").glob("*.schema.yaml")}
    claims = set(re.findall(r"^- id: (\w+)", (ROOT / "data" / "claims.yaml").read_text(encoding="utf-8"), re.M))
    return slugs | datasets | claims | {"China", "United States", "Robot", "robot"}


def test_the_engine_knows_nothing_of_this_essay():
    words = _essay_words()
    for p in MODULES.values():
        code = "\n".join(re.sub(r"\s#.*$", "", ln) for ln in p.read_text(encoding="utf-8").splitlines())
        found = sorted(w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w])", code))
        assert not found, f"{p.relative_to(ROOT)} names this essay's {found}"


def test_every_page_expands_without_mkdocs():
    """The engine alone turns every page of the nav into plain Markdown: no marker left."""
    site = pages.Site.load()
    for _, src in nav():
        if not src.endswith(".md"):
            continue
        out = markers.expand_file(src, site)
        assert out.startswith("---\n"), f"{src}: front matter lost"
        body = markers.split_front_matter(out)[1]
        assert not re.search(r"\{\{|<!--\s*(chart|claims?|sources|fact-check)\b", body), f"{src}: a marker is left"


def test_a_bad_marker_names_the_line_counted_from_the_top_of_the_file():
    text = (MINI / "docs" / "gadgets.md").read_text(encoding="utf-8")
    front, body = markers.split_front_matter(text)
    bad_line = front.count("\n") + body.count("\n") + 2
    with use_project(MINI), pytest.raises(Exception) as e:
        markers.expand(
            body + "\n{{ claim NOPE }}\n",
            pages.Page.for_file("gadgets.md"),
            pages.Site.load(),
            first_line=front.count("\n") + 1,
        )
    assert f"docs/gadgets.md:{bad_line}:" in str(e.value)


_explainer = run_explainer


def test_another_explainer_builds_with_the_same_engine(mini_site):
    """tests/fixtures/mini, built once per session (conftest.mini_build): its pages, charts and claims."""
    html = (mini_site / "index.html").read_text(encoding="utf-8")
    assert 'id="chart-widgets"' in html and "widgets.light.svg" in html
    assert 'id="claim-W1"' in html and "matches" in html
    assert "Atlantis made 120 widgets in 2024" in html and "{{" not in html
    assert (mini_site / "assets" / "charts" / "widgets.light.svg").is_file()
    assert (mini_site / "assets" / "charts" / "gadgets.light.svg").is_file()


def test_an_unchanged_build_is_skipped_and_a_changed_input_rebuilds(tmp_path, mini_build):
    site, cache = tmp_path / "site", str(tmp_path / "b")
    shutil.copytree(mini_build[1], cache)  # the session's rendered charts
    data = tmp_path / "data"
    shutil.copytree(MINI / "data", data)

    def build():
        return _explainer(
            "--project",
            str(MINI),
            "build",
            "--site-dir",
            str(site),
            EXPLAINER_BUILD_DIR=cache,
            EXPLAINER_DATA_DIR=str(data),
        )

    first = build()
    assert first.returncode == 0, first.stdout + first.stderr
    again = build()
    assert again.returncode == 0 and "is up to date" in again.stdout, again.stdout
    csv = data / "widgets.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("2024,Atlantis,120", "2024,Atlantis,125"), encoding="utf-8")
    changed = build()
    assert changed.returncode == 0 and "is up to date" not in changed.stdout, changed.stdout
    assert "125" in (site / "index.html").read_text(encoding="utf-8")


def test_the_command_line_lists_every_command_and_each_has_help():
    out = _explainer("--help").stdout
    for name in ("build", "serve", "charts", "check-data", "check-links", "linkcheck", "bench", "audit", "expand"):
        assert f"  {name} " in out, name
        sub = _explainer(name, "--help")
        assert sub.returncode == 0 and "usage: python -m explainer" in sub.stdout, (name, sub.stderr)


@pytest.mark.slow
def test_check_links_rebuilds_a_stale_site_and_names_the_broken_page(tmp_path, mini_build):
    """A link broken since the last build fails check-links, naming the page."""
    import shutil

    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    env = {"EXPLAINER_BUILD_DIR": str(tmp_path / "b")}
    shutil.copytree(mini_build[1], tmp_path / "b")  # the session's rendered charts
    site = str(project / "site")
    assert _explainer("--project", str(project), "check-links", site, **env).returncode == 0
    page = project / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n<a href="gone/">a page that is not there</a>\n')
    proc = _explainer("--project", str(project), "check-links", site, **env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "older than its inputs" in proc.stdout
    assert re.search(r"site/index\.html:\d+: broken link to gone/", proc.stdout + proc.stderr), proc.stdout


def test_the_plugin_s_folders_are_typed_options_the_command_line_reads_too(tmp_path, monkeypatch):
    """`plugins: [explainer: {data_dir: ...}]` is checked by MkDocs (ExplainerConfig) and names the
    same folder for the plugin and for the command line (Project.load); the environment wins."""
    from explainer.core.project import Project
    from explainer.mkdocs.config import ExplainerConfig

    config = ExplainerConfig()
    config.load_dict({"data_dir": 3})
    errors, _ = config.validate()
    assert [name for name, _ in errors] == ["data_dir"], "a folder option that is not text fails"
    config = ExplainerConfig()
    config.load_dict({})
    assert not config.validate()[0] and config.data_dir == "data" and config.serve_speedups is True

    for var in ("EXPLAINER_PROJECT", "EXPLAINER_DATA_DIR", "EXPLAINER_CHARTS_DIR", "EXPLAINER_BUILD_DIR"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - search\n  - explainer:\n      data_dir: facts\n      build_dir: out\n",
        encoding="utf-8",
    )
    project = Project.load(tmp_path)
    assert (project.data, project.out, project.charts) == (tmp_path / "facts", tmp_path / "out", tmp_path / "charts")
    assert project.own_data == project.data and project.reading(tmp_path / "old").own_data == tmp_path / "facts"
    monkeypatch.setenv("EXPLAINER_DATA_DIR", str(tmp_path / "copy"))
    assert Project.load(tmp_path).data == tmp_path / "copy"
