"""Corrections and updates: what changed in the data and the verdicts, when, and in which commit.

Read from the git history of the data folder. For each commit that touched it: the date, the
commit, its message, the files changed (rows added and removed) and every verdict that moved,
worked out by evaluating the claims ledger on the data as it stood before and after. Results per
commit are cached in the build folder, so only new commits cost anything. An Atom feed carries
the same entries.
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

from explainer import files, settings

MAX_ENTRIES = 30


@dataclass
class Change:
    commit: str
    date: str
    subject: str
    files: list[tuple[str, int, int]] = field(default_factory=list)  # (file, rows added, rows removed)
    verdicts: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (claim, before, after)


def _git(*args: str) -> str:
    out = subprocess.run(
        ["git", *args], cwd=settings.project_root(), capture_output=True, text=True, timeout=60, check=False
    )
    return out.stdout if out.returncode == 0 else ""


def _data_rel() -> str | None:
    try:
        return settings.own_data_dir().relative_to(settings.project_root()).as_posix()
    except ValueError:
        return None


_BY_TREE: dict[str, dict[str, str]] = {}  # verdicts by the data folder's git tree (content-addressed)


def _verdicts_at(commit: str, data_rel: str) -> dict[str, str]:
    """The ledger's verdicts on the data as committed in `commit` (empty when they cannot be read).
    Worked out once per state of the data: a change's parent usually holds the data of the
    change before it."""
    tree = _git("rev-parse", f"{commit}:{data_rel}").strip()
    if tree and tree in _BY_TREE:
        return _BY_TREE[tree]
    out = _evaluate_at(commit, data_rel)
    if tree:
        _BY_TREE[tree] = out
    return out


def _evaluate_at(commit: str, data_rel: str) -> dict[str, str]:
    from explainer import claims as C

    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, data_rel],
        cwd=settings.project_root(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if archive.returncode != 0:
        return {}
    reading, own = settings.data_dir(), settings.own_data_dir()
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        settings.use_data_dir(Path(tmp) / data_rel)
        try:
            out = {}
            for claim in C.D.claims():
                try:
                    out[claim["id"]] = C.evaluate(claim).verdict
                except Exception:  # noqa: BLE001 - a claim the old data cannot evaluate is left out
                    continue
            return out
        except Exception:  # noqa: BLE001 - an old ledger this engine cannot read
            return {}
        finally:  # back to the folder being read (under serve, perhaps the last good data)
            settings.use_data_dir(None if reading == own else reading)


def _change(commit: str, date: str, subject: str, parent: str | None, data_rel: str) -> Change:
    change = Change(commit, date, subject)
    for line in _git("show", "--numstat", "--format=", commit, "--", data_rel).splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].isdigit():
            change.files.append((parts[2], int(parts[0]), int(parts[1])))
    if parent:
        before, after = _verdicts_at(parent, data_rel), _verdicts_at(commit, data_rel)
        for cid in sorted(set(before) | set(after)):
            if before.get(cid) != after.get(cid) and before and after:
                change.verdicts.append((cid, before.get(cid), after.get(cid)))
    return change


def changes() -> list[Change]:
    """The latest commits that touched the data, newest first, each read once and cached."""
    data_rel = _data_rel()
    if data_rel is None:
        return []
    log = _git("log", f"-{MAX_ENTRIES}", "--format=%H%x09%cs%x09%P%x09%s", "--", data_rel)
    cache_file = settings.out_dir() / "changelog.json"
    cache = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.exists() else {}
    out = []
    grew = False
    for line in log.splitlines():
        commit, date, parents, subject = (line.split("\t", 3) + ["", "", "", ""])[:4]
        if commit not in cache:
            change = _change(commit, date, subject, parents.split()[0] if parents else None, data_rel)
            cache[commit] = change.__dict__
            grew = True
        out.append(
            Change(
                **{
                    **cache[commit],
                    "files": [tuple(f) for f in cache[commit]["files"]],
                    "verdicts": [tuple(v) for v in cache[commit]["verdicts"]],
                }
            )
        )
    if grew:
        files.write_atomic(cache_file, json.dumps(cache, sort_keys=True).encode())
    return out


def _commit_link(commit: str) -> str:
    repo = str(settings.site_config().get("repo_url") or "").rstrip("/")
    short = escape(commit[:7])
    return f'<a href="{escape(repo)}/commit/{escape(commit)}">{short}</a>' if repo else f"<code>{short}</code>"


def _text(value: object) -> str:
    """Escaped for HTML, and braces too: a commit message may quote a page marker."""
    return escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


def html(feed_href: str) -> str:
    items = []
    for c in changes():
        verdicts = "".join(
            f"<li>claim {escape(cid)}: <b>{escape(before or 'none')}</b> → <b>{escape(after or 'none')}</b></li>"
            for cid, before, after in c.verdicts
        )
        files = ", ".join(f"{escape(Path(f).name)} (+{a} −{r} rows)" for f, a, r in c.files)
        items.append(
            f'<section class="change" id="change-{escape(c.commit[:12])}">'
            f"<h2>{escape(c.date)}: {_text(c.subject)}</h2>"
            f"<p>Commit {_commit_link(c.commit)}. Files: {files or 'none'}.</p>"
            + (f"<p>Verdicts that moved:</p><ul>{verdicts}</ul>" if verdicts else "<p>No verdict moved.</p>")
            + "</section>"
        )
    head = f'<p>Also as a feed: <a href="{escape(feed_href)}">Atom</a>.</p>'
    return head + ("".join(items) if items else "<p>No change to the data has been recorded yet.</p>")


def atom() -> str:
    config = settings.site_config()
    base = settings.site_base()
    name = escape(str(config.get("site_name") or ""))
    from explainer.pages import block_pages

    # The feed lives at assets/<feed>: without a public address (settings.site_url) its links are
    # relative to it, and its id is a name rather than a local address.
    changes_url = block_pages().get("changes", "")
    page = base + changes_url if base else "../" + changes_url
    feed_id = page if base else f"urn:explainer:{files.slug(str(config.get('site_name') or 'site'))}:changes"
    entries = changes()
    updated = (entries[0].date if entries else "1970-01-01") + "T00:00:00Z"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{name}: corrections and updates</title>",
        f'<link href="{escape(page)}"/>',
        f"<id>{escape(feed_id)}</id>",
        f"<updated>{updated}</updated>",
    ]
    for c in entries:
        moved = "; ".join(f"{cid}: {before} → {after}" for cid, before, after in c.verdicts) or "no verdict moved"
        parts += [
            "<entry>",
            f"<title>{escape(c.date)}: {escape(c.subject)}</title>",
            f'<link href="{escape(page)}#change-{escape(c.commit[:12])}"/>',
            f"<id>urn:git:{escape(c.commit)}</id>",
            f"<updated>{escape(c.date)}T00:00:00Z</updated>",
            f"<summary>{escape(moved)}</summary>",
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"
