"""Corrections and updates, as a page and an Atom feed: the corrections written for readers
(`corrections.py`), then the data changes.

Data changes: read from the git history of the data folder. For each commit that changed a figure
or moved a verdict: the date, the figures revised and the rows added or removed and every
verdict that moved, worked out by evaluating the claims ledger on the data as it stood before and
after. Commits that changed neither (a note reworded, a source relabelled) are left out. Results
per commit are cached in the build folder, so only new commits cost anything.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from html import escape
from io import BytesIO
from pathlib import Path

import yaml

from explainer.core import data as D
from explainer.core import files, settings
from explainer.core.corrections import corrections, long_date, sentence
from explainer.core.project import Project, current_project

MAX_ENTRIES = 30  # the changes readers can see (a figure or a verdict moved) listed, the latest
DATA_SUFFIXES = (".csv",)  # files whose rows are figures: a change to one changes a value


@dataclass
class Change:
    commit: str
    date: str
    subject: str
    files: list[tuple[str, int, int]] = field(default_factory=list)  # (file, rows added, rows removed)
    verdicts: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (claim, before, after)
    # (data file, figures revised, rows added, rows removed, rows re-sourced): rows matched on the
    # table's primary key, figures being its number columns; a new source or status alone is no new figure
    figures: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    first: bool = False  # the data as first published (the folder did not exist before)


def _git(project: Project, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=project.root, capture_output=True, text=True, timeout=60, check=False)
    return out.stdout if out.returncode == 0 else ""


def _data_rel(project: Project) -> str | None:
    try:
        return project.own_data.relative_to(project.root).as_posix()
    except ValueError:
        return None


_BY_TREE: dict[str, dict[str, str]] = {}  # verdicts by the data folder's git tree (content-addressed)


def _verdicts_at(project: Project, commit: str, data_rel: str) -> dict[str, str]:
    """The ledger's verdicts on the data as committed in `commit` (empty when they cannot be read).
    Worked out once per state of the data: a change's parent usually holds the data of the
    change before it."""
    tree = _git(project, "rev-parse", f"{commit}:{data_rel}").strip()
    if tree and tree in _BY_TREE:
        return _BY_TREE[tree]
    out = _evaluate_at(project, commit, data_rel)
    if tree:
        _BY_TREE[tree] = out
    return out


def _evaluate_at(project: Project, commit: str, data_rel: str) -> dict[str, str]:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, data_rel],
        cwd=project.root,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if archive.returncode != 0:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        return evaluate_tree(project.reading(Path(tmp) / data_rel))


def evaluate_tree(old: Project) -> dict[str, str]:
    """Every claim's verdict on the data folder of `old` (an old commit's data, read as it was),
    by claim id. Reads only that folder: the current project's data are not touched."""
    from explainer.core import claims as C

    try:
        out = {}
        for claim in D.claims(old):
            try:
                out[claim.id] = C.evaluate(claim, old).verdict
            except Exception:  # noqa: BLE001 - a claim the old data cannot evaluate is left out
                continue
        return out
    except Exception:  # noqa: BLE001 - an old ledger this engine cannot read
        return {}


def _change(project: Project, commit: str, date: str, subject: str, parent: str | None, data_rel: str) -> Change:
    change = Change(commit, date, subject)
    change.first = not parent or not _git(project, "rev-parse", "--verify", "-q", f"{parent}:{data_rel}").strip()
    for line in _git(
        project, "show", "--numstat", "--diff-merges=first-parent", "--format=", commit, "--", data_rel
    ).splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].isdigit():
            change.files.append((parts[2], int(parts[0]), int(parts[1])))
    for f, _, _ in change.files:
        if Path(f).suffix in DATA_SUFFIXES:
            counts = _figure_changes(project, parent, commit, f)
            if any(counts):
                change.figures.append((Path(f).name, *counts))
    if parent:
        before, after = _verdicts_at(project, parent, data_rel), _verdicts_at(project, commit, data_rel)
        for cid in sorted(set(before) | set(after)):
            if before.get(cid) != after.get(cid) and before and after:
                change.verdicts.append((cid, before.get(cid), after.get(cid)))
    return change


BOOKKEEPING = ("source", "status")  # columns that say where a figure was read and what it is, not the figure


def _table_at(project: Project, commit: str | None, path: str) -> tuple[list[dict[str, str]], list[str], list[str]]:
    """A CSV of the data as committed: its rows, its primary key and its number columns (from the
    Table Schema beside it at that commit; without one, every column is part of the key)."""
    import csv
    import io

    if not commit:
        return [], [], []
    rows = list(csv.DictReader(io.StringIO(_git(project, "show", f"{commit}:{path}"))))
    schema_text = _git(project, "show", f"{commit}:{path[: -len(Path(path).suffix)]}{settings.SCHEMA_SUFFIX}")
    try:
        schema = yaml.safe_load(schema_text) or {}
    except yaml.YAMLError:
        schema = {}
    fields = schema.get("fields") or [] if isinstance(schema, dict) else []
    key = schema.get("primaryKey") or [] if isinstance(schema, dict) else []
    key = [key] if isinstance(key, str) else list(key)
    numbers = [f["name"] for f in fields if f.get("type") in ("number", "integer") and f["name"] not in key]
    return rows, key, numbers


def _figure_changes(project: Project, parent: str | None, commit: str, path: str) -> tuple[int, int, int, int]:
    """(figures revised, rows added, rows removed, rows re-sourced) between two states of a table."""
    old, old_key, _ = _table_at(project, parent, path)
    new, key, numbers = _table_at(project, commit, path)
    if not key or key != old_key:  # no key, or a new one: rows are matched whole
        key = sorted({c for r in new + old for c in r} - set(BOOKKEEPING))
        numbers = []

    def by_key(rows: list[dict[str, str]]) -> dict[tuple, dict[str, str]]:
        return {tuple(r.get(k, "") for k in key): r for r in rows}

    before, after = by_key(old), by_key(new)
    revised = resourced = 0
    for k in set(before) & set(after):
        a, b = before[k], after[k]
        if any(a.get(c) != b.get(c) for c in numbers):
            revised += 1
        elif a != b:
            resourced += 1
    return revised, len(set(after) - set(before)), len(set(before) - set(after)), resourced


def cache_path(project: Project | None = None) -> Path:
    return (project or current_project()).out / "changelog-v4.json"  # v4: a merge counted against its first parent


def changes(project: Project | None = None) -> list[Change]:
    """The commits that touched the data, newest first, back to the MAX_ENTRIES-th change readers
    can see (a commit that only rewords a note takes no place among them), each read once and cached."""
    return _history(project)[0]


def _history(project: Project | None = None) -> tuple[list[Change], bool]:
    """(changes, whether older commits of the data were left out)."""
    project = project or current_project()
    data_rel = _data_rel(project)
    if data_rel is None:
        return [], False
    # The first-parent line: a change merged from a branch is one entry (the merge), not two. The
    # data dictionary is generated from the schemas: a commit that only regenerates it is no data change.
    dictionary = f":(exclude){data_rel}/{settings.DATA_DICTIONARY}"
    log = _git(project, "log", "--first-parent", "--format=%H%x09%cs%x09%P%x09%s", "--", data_rel, dictionary)
    lines = log.splitlines()
    cache_file = cache_path(project)
    cache = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.exists() else {}
    out: list[Change] = []
    grew, seen = False, 0
    for line in lines:
        if seen >= MAX_ENTRIES:
            break
        commit, date, parents, subject = (line.split("\t", 3) + ["", "", "", ""])[:4]
        if commit not in cache:
            change = _change(project, commit, date, subject, parents.split()[0] if parents else None, data_rel)
            cache[commit] = change.__dict__
            grew = True
        out.append(
            Change(
                **{
                    **cache[commit],
                    "files": [tuple(f) for f in cache[commit]["files"]],
                    "verdicts": [tuple(v) for v in cache[commit]["verdicts"]],
                    "figures": [tuple(v) for v in cache[commit].get("figures", [])],
                }
            )
        )
        seen += _readers_see(out[-1])
    if grew:
        files.write_atomic(cache_file, json.dumps(cache, sort_keys=True).encode())
    return out, len(out) < len(lines)


def _commit_link(project: Project, commit: str) -> str:
    """The commit, linked to where the repository shows it; without a known repository, not a link."""
    repo = project.repo_url()
    short = escape(commit[:7])
    return f'<a href="{escape(repo)}/commit/{escape(commit)}">{short}</a>' if repo else short


def _readers_see(c: Change) -> bool:
    """A change that revised, added or removed a figure, or moved a verdict."""
    return bool(c.verdicts or any(sum(f[1:4]) for f in c.figures))


def reader_changes(project: Project | None = None) -> list[Change]:
    """The changes readers can see: those that revised, added or removed a figure, or moved a verdict."""
    return [c for c in changes(project) if _readers_see(c)]


def _count(n: int, noun: str, what: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'} {what}"


def _table_title(project: Project, file_name: str) -> str:
    """A data file's title as its schema gives it today (else its file name)."""
    try:
        title = (D.schema(Path(file_name).stem, project) or {}).get("title")
    except (OSError, yaml.YAMLError, AttributeError):
        title = None
    return str(title) if title else file_name


def figures_words(c: Change, project: Project | None = None) -> str:
    """ "Widgets made per year: 3 figures revised, 2 added", table by table, in readers' words (the
    table's title, no file name)."""
    parts = []
    for name, revised, added, removed, resourced in c.figures:
        counts = [
            (n, what)
            for n, what in (
                (revised, "revised"),
                (added, "added"),
                (removed, "removed"),
                (resourced, "read at a new source or given a new status"),
            )
            if n
        ]
        words = [_count(n, "figure", what) if i == 0 else f"{n} {what}" for i, (n, what) in enumerate(counts)]
        parts.append(f"{_table_title(project or current_project(), name)}: {', '.join(words)}")
    return "; ".join(parts)


def _claim_link(cid: str, card_href) -> str:
    href = card_href(cid)
    return f'<a href="{escape(href)}">{escape(cid)}</a>' if href else escape(cid)


def _moved_words(before: str | None, after: str | None) -> str:
    """How a verdict moved, in words: a claim added to the ledger has no verdict before."""
    if before is None:
        return f"new claim, <b>{escape(after or 'no verdict')}</b>"
    if after is None:
        return f"claim withdrawn (it was <b>{escape(before)}</b>)"
    return f"from <b>{escape(before)}</b> to <b>{escape(after)}</b>"


def html(feed_href: str, card_href=lambda cid: "", project: Project | None = None) -> str:
    """The data changes, newest first, in words; `card_href(claim id)` links a verdict to its card."""
    project = project or current_project()
    history, cut = _history(project)
    items = []
    for c in filter(_readers_see, history):
        moved = "".join(
            f"<li>{_claim_link(cid, card_href)}: {_moved_words(before, after)}</li>"
            for cid, before, after in c.verdicts
        )
        figures = figures_words(c, project)
        items.append(
            f'<section class="change" id="change-{escape(c.commit[:12])}">'
            f'<h3><time datetime="{escape(c.date)}">{escape(long_date(c.date))}</time></h3>'
            + (
                f"<p>The data as first published: {files.esc_marker(figures)}.</p>"
                if c.first
                else f"<p>Changed: {files.esc_marker(figures)}.</p>"
                if figures
                else "<p>No figure changed.</p>"
            )
            + (f"<p>Verdicts that moved:</p><ul>{moved}</ul>" if moved else "<p>No verdict moved.</p>")
            + (
                f'<p class="change__record">In the repository: change {_commit_link(project, c.commit)}.</p>'
                if project.repo_url()
                else ""
            )
            + "</section>"
        )
    head = f'<p>Also as a feed: <a href="{escape(feed_href)}">Atom</a>.</p>'
    if cut:
        head += f"<p>The latest {len(items)} are listed; the repository's history holds the earlier ones.</p>"
    return head + ("".join(items) if items else "<p>No change to the figures or the verdicts is recorded.</p>")


def atom(project: Project | None = None) -> str:
    """The feed: readers' corrections and data changes, newest first."""
    from explainer.content.fragments import Page, block_pages, page_title

    project = project or current_project()
    config = project.config
    base = project.site_base()
    name = escape(str(config.get("site_name") or ""))
    # The feed lives at assets/<feed>: without a public address (Project.site_url) its links are
    # relative to it, and its id is a name rather than a local address.
    root = base or "../"
    page = root + block_pages().get("changes", "")
    feed_id = page if base else f"urn:explainer:{files.slug(str(config.get('site_name') or 'site'))}:changes"
    entries: list[tuple[str, list[str]]] = []
    for k in corrections():
        where_page = Page.for_file(f"{k.page}.md")
        where = page_title(where_page) + (f", claim {k.claim}" if k.claim else "")
        href = f"{root}{where_page.url}#{k.anchor}"  # the correction at the foot of its page
        entries.append(
            (
                k.date,
                [
                    "<entry>",
                    f"<title>Corrected on {escape(long_date(k.date))}: {escape(where)}</title>",
                    f'<link href="{escape(href)}"/>',
                    f"<id>{escape(feed_id)}#{escape(k.anchor)}</id>",
                    f"<updated>{escape(k.date)}T00:00:00Z</updated>",
                    f"<summary>{escape(sentence(k))}</summary>",
                    "</entry>",
                ],
            )
        )
    for c in reader_changes(project):
        moved = "; ".join(f"{cid} from {before} to {after}" for cid, before, after in c.verdicts)
        summary = ". ".join(
            p
            for p in (
                f"{'The data as first published' if c.first else 'Changed'}: {figures_words(c, project)}"
                if figures_words(c, project)
                else "",
                moved and f"Verdicts moved: {moved}",
            )
            if p
        )
        entries.append(
            (
                c.date,
                [
                    "<entry>",
                    f"<title>Data changed on {escape(long_date(c.date))}</title>",
                    f'<link href="{escape(page)}#change-{escape(c.commit[:12])}"/>',
                    f"<id>urn:git:{escape(c.commit)}</id>",
                    f"<updated>{escape(c.date)}T00:00:00Z</updated>",
                    f"<summary>{escape(summary)}.</summary>",
                    "</entry>",
                ],
            )
        )
    entries.sort(key=lambda e: e[0], reverse=True)  # stable: corrections before data changes on a day
    updated = (entries[0][0] if entries else "1970-01-01") + "T00:00:00Z"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{name}: corrections and data changes</title>",
        f'<link href="{escape(page)}"/>',
        f"<id>{escape(feed_id)}</id>",
        f"<updated>{updated}</updated>",
    ]
    for _, lines in entries:
        parts += lines
    parts.append("</feed>")
    return "\n".join(parts) + "\n"
