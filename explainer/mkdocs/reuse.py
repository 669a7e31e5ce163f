"""Where a build's page time goes, and, under serve, pages reused as rendered when nothing they read changed.

MkDocs renders every page on every rebuild. Under `make serve` a page whose inputs are as they
were when it was last rendered is written as it was instead (its search entries with it): the
page's own file, the site's structure (the configuration and theme, every page's front matter,
title and markers, the files of the site, the data files other than the tables), the headings of
the pages it links to at an anchor (`page.md#section`: MkDocs checks the anchor) and what its
markers read while it was expanded: the tables (`data.start_recording`), the claims' results and
the charts' metadata (`Reads`). A saved page then re-renders that page alone (and the pages that
link into it, when its headings changed), and a saved table the pages that read it.

What it keeps for a serve session is a `State` the plugin owns (the pages as last rendered, by
file: the key each was rendered under, its HTML, search entries and title card; and the last
build's time by stage); nothing is held in this module. It wraps two private functions of MkDocs'
build (`mkdocs.commands.build._populate_page`, `_build_page`), named in ARCHITECTURE.md.
"""

from __future__ import annotations

import dataclasses
import json
import os
import posixpath
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from explainer.content import blocks, fragments
from explainer.core import claims as C
from explainer.core import data as D
from explainer.core import files, settings, source_quality

ALL = "*"  # a page that went through every chart (a generated block) reads them all
# A link to a section of a page: inline, `[words](page.md#section)`, or a reference, `[x]: page.md#section`.
ANCHORED_LINK_RE = re.compile(r"(?:\]\(|^[ \t]*\[[^\]\n]+\]:[ \t]*)([^)\s#]+\.md)#", re.M)


class Reads(dict):
    """A dict that notes which keys a page's expansion asked for (`log`, while set)."""

    log: set | None = None

    def _note(self, key) -> None:
        if self.log is not None:
            self.log.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def __iter__(self):
        self._note(ALL)
        return super().__iter__()

    def __len__(self):
        self._note(ALL)
        return super().__len__()

    def keys(self):
        self._note(ALL)
        return super().keys()

    def values(self):
        self._note(ALL)
        return super().values()

    def items(self):
        self._note(ALL)
        return super().items()


# The claims whose results (verdict, value, year, reasons) a page's expansion read. A claim's
# ledger entry (`claim`), what a page reads to find its section's claims, is part of the site's
# structure (the data files other than tables), so going through every claim to pick some is not
# a read of them all.
_RESULT_FIELDS = frozenset(f.name for f in dataclasses.fields(C.Result)) - {"claim"}


def _noted_result(session: Session) -> type:
    """A claim result that notes, in `session`, that a page read it (while recording)."""

    class NotedResult(C.Result):
        def __getattribute__(self, name):
            if name in _RESULT_FIELDS and session.claims_log is not None:
                session.claims_log.add(object.__getattribute__(self, "claim").id)
            return object.__getattribute__(self, name)

    return NotedResult


def _result_words(r: C.Result) -> tuple:
    return tuple(object.__getattribute__(r, f) for f in sorted(_RESULT_FIELDS))


@dataclass
class Kept:
    key: str
    reads: tuple  # (tables, claims, charts) its expansion read
    html: str = ""
    content: str = ""
    title: str | None = None
    anchors: set = field(default_factory=set)
    search: list = field(default_factory=list)
    card: tuple | None = None  # (title card image, its place in the site)


@dataclass
class State:
    """What page reuse keeps for one serve session (owned by the plugin, never by this module):
    each page as last rendered, and the last build's time by stage: expand (markers), convert
    (Markdown to HTML and the guards), template (the theme's page and search index), post (share
    card, CSP), the generated files (data package, citations, feed), the chart pages listed and
    the site's data loaded (claims evaluated); and the pages reused."""

    kept: dict[str, Kept] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)


class Session:
    """One serve rebuild's view of the pages: the site's structure key, the tables' state as the
    build began, and the reads of the page being expanded."""

    def __init__(self, site: fragments.Site, banner: str, state: State) -> None:
        self.site = site
        self.banner = banner
        self.state = state
        self.claims_log: set | None = None
        noted = _noted_result(self)
        site.results = {
            k: noted(**{f.name: getattr(r, f.name) for f in dataclasses.fields(r)}) for k, r in site.results.items()
        }
        site.metas = Reads(site.metas)
        # The tables as this build began: a table saved during the build makes the pages that
        # read it render again next time.
        self.tables = {str(p): _stat(p) for p in site.project.data.glob("*.csv")}
        self.structure: str | None = None
        self.headings: dict[str, list[str]] = {}  # every page's headings, by file (`_structure`)
        self.pending: dict[str, tuple[str, tuple]] = {}  # page file -> (key, reads), rendered this build
        self.reused: set[str] = set()
        self._claims: set = set()
        self._charts: set = set()

    # --- the key -------------------------------------------------------------------------

    def _structure(self) -> str:
        """What every page shows of the others and of the project (the files of the site, which its
        links are checked against, among them): computed once per build."""
        if self.structure is None:
            project = self.site.project
            root = project.root
            data = [p for p in files.tree(project.data) if p.suffix != ".csv"]
            theme_dir = (project.config.get("theme") or {}).get("custom_dir")
            shared = [root / settings.CONFIG_FILE, *data, *(files.tree(root / theme_dir) if theme_dir else [])]
            outline, docs = [], project.docs
            for md in sorted(docs.rglob("*.md")):
                text = md.read_text(encoding="utf-8")
                front, body = _front(text)
                marks = fragments.ANY_MARKER_RE.findall(body) + fragments.BLOCK_RE.findall(body)
                heads = [line for line in body.splitlines() if line.startswith("#")]
                self.headings[md.relative_to(docs).as_posix()] = heads
                # A page's title shows in every page's navigation; its other headings only in itself
                # and in the pages that link to them (`key`).
                title = [line for line in heads if line.startswith("# ")][:1]
                outline.append(json.dumps([md.name, front, title, [str(m) for m in marks]]))
            self.structure = files.fingerprint(
                shared,
                "\n".join(outline),
                "\n".join(sorted(p.relative_to(docs).as_posix() for p in files.tree(docs))),
                json.dumps(sorted(dict.keys(self.site.metas))),
                self.banner,
                json.dumps(self.site.chart_errors, sort_keys=True),
                json.dumps(sorted(source_quality.data_source_ids())),
                json.dumps(blocks.page_titles(), sort_keys=True),
                root=None,  # the data may be outside the project (EXPLAINER_DATA_DIR)
            )
        return self.structure

    def _linked_headings(self, src: str, source: str) -> str:
        """The headings of the pages `source` links to at an anchor (their anchors are checked)."""
        base = posixpath.dirname(src)
        targets = {
            posixpath.normpath(posixpath.join(base, m.group(1)))
            for m in ANCHORED_LINK_RE.finditer(source)
            if "://" not in m.group(1)
        }
        return json.dumps([(t, self.headings.get(t)) for t in sorted(targets)])

    def key(self, src: str, source: str, reads: tuple) -> str:
        tables, claims, charts = reads
        results, metas = self.site.results, dict.items(self.site.metas)
        structure = self._structure()
        return files.fingerprint(
            [],
            structure,
            self._linked_headings(src, source),
            src,
            source,
            json.dumps([(t, self.tables.get(t)) for t in tables]),
            repr([(k, _result_words(results[k]) if k in results else None) for k in claims]),
            json.dumps([(k, dataclasses.asdict(v)) for k, v in metas if ALL in charts or k in charts], sort_keys=True),
            json.dumps(sorted(map(str, charts))),
        )[:32]

    # --- recording what a page's expansion reads -----------------------------------------

    def start(self) -> None:
        D.start_recording()
        self._claims, self._charts = set(), set()
        self.claims_log, self.site.metas.log = self._claims, self._charts

    def stop(self) -> tuple:
        self.claims_log = self.site.metas.log = None
        tables = tuple(sorted({str(p) for p in D.recorded()}))
        return tables, tuple(sorted(map(str, self._claims))), tuple(sorted(map(str, self._charts)))

    # --- reuse ---------------------------------------------------------------------------

    def reusable(self, src: str, source: str, dest: str) -> Kept | None:
        kept = self.state.kept.get(src)
        if kept is None or not os.path.exists(dest):
            return None
        return kept if self.key(src, source, kept.reads) == kept.key else None

    def keep(self, src: str, html: str, content: str, page, search: list, card: tuple | None) -> None:
        if src not in self.pending:
            return
        key, reads = self.pending.pop(src)
        anchors = set(page.present_anchor_ids or ())
        self.state.kept[src] = Kept(key, reads, html, content, page._title_from_render, anchors, search, card)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _front(text: str) -> tuple[str, str]:
    from explainer.content.markers import split_front_matter

    return split_front_matter(text)


def forget(state: State) -> None:
    """After a failed build: nothing kept is trusted."""
    state.kept.clear()


# --- MkDocs' page loop, timed and (under serve) short-cut -------------------------------------


def install(plugin) -> None:
    """Wrap MkDocs' two page steps (reading and rendering a page, writing it through the theme):
    time them for the build line, and under serve skip both for a page the plugin's reuse session
    finds unchanged. `plugin` is the one ExplainerPlugin of this process."""
    from mkdocs.commands import build as mk

    if getattr(mk._populate_page, "explainer", None) is not None:
        mk._populate_page.explainer[0] = plugin
        return
    populate, build_page = mk._populate_page, mk._build_page
    holder = [plugin]

    def _populate_page(page, config, files, dirty=False):
        t0 = time.perf_counter()
        session = holder[0].reuse
        try:
            if session is not None and page.file.src_uri.endswith(".md"):
                kept = session.reusable(page.file.src_uri, page.file.content_string, page.file.abs_dest_path)
                if kept is not None:
                    page.read_source(config)  # its front matter, for the nav and the other pages
                    page.content, page._title_from_render = kept.content, kept.title
                    page.present_anchor_ids = set(kept.anchors)
                    session.reused.add(page.file.src_uri)
                    stages = holder[0].reuse_state.stages
                    stages["reused"] = stages.get("reused", 0) + 1
                    return None
            return populate(page, config, files, dirty)
        finally:
            stages = holder[0].reuse_state.stages
            stages["populate"] = stages.get("populate", 0) + time.perf_counter() - t0

    def _build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
        t0 = time.perf_counter()
        session = holder[0].reuse
        try:
            src = page.file.src_uri
            search = config.plugins.get("material/search")
            entries = search.search_index.entries if search is not None else None
            if session is not None and src in session.reused:
                kept = holder[0].reuse_state.kept[src]
                dest = Path(page.file.abs_dest_path)
                if dest.read_bytes() != kept.html.encode("utf-8", errors="xmlcharrefreplace"):
                    files.write_atomic(dest, kept.html.encode("utf-8", errors="xmlcharrefreplace"))
                else:
                    os.utime(dest)
                if entries is not None:
                    entries.extend(dict(e) for e in kept.search)
                if kept.card:
                    png, target = kept.card
                    if os.path.exists(target):
                        os.utime(target)
                    elif os.path.exists(png):
                        shutil.copyfile(png, target)
                return None
            before = len(entries) if entries is not None else 0
            result = build_page(page, config, doc_files, nav, env, dirty, excluded)
            if session is not None and src in session.pending:
                own = [dict(e) for e in entries[before:]] if entries is not None else []
                html, card = holder[0].last_output.pop(src, ""), holder[0].cards.pop(src, None)
                session.keep(src, html, page.content or "", page, own, card)
            return result
        finally:
            stages = holder[0].reuse_state.stages
            stages["build"] = stages.get("build", 0) + time.perf_counter() - t0

    _populate_page.explainer = holder
    mk._populate_page, mk._build_page = _populate_page, _build_page


def stage_words(s: dict[str, float]) -> str:
    """The pages' time by stage, for the build line: "expand 0.41 s, convert 0.32 s, ..."."""
    convert = s.get("populate", 0) - s.get("expand", 0)
    template = s.get("build", 0) - s.get("post", 0)
    parts = [f"expand {s.get('expand', 0):.2f} s", f"convert {convert:.2f} s", f"template {template:.2f} s"]
    parts.append(f"post {s.get('post', 0):.2f} s")
    generated = s.get("generated", 0)
    wait = s.get("changelog wait", 0)
    parts.append(
        f"data and generated files {generated:.2f} s" + (f" (history wait {wait:.2f} s)" if wait > 0.05 else "")
    )
    parts.append(f"chart pages {s.get('files', 0) - generated:.2f} s")
    parts.append(f"site data {s.get('site', 0):.2f} s")
    return ", ".join(parts)
