"""When a page was published and last updated, from git: the first commit of its file, and the
latest commit of its file or of the data it is built from. No git, no dates (never a guess)."""

from __future__ import annotations

import subprocess
from functools import lru_cache

from explainer.core import settings
from explainer.core.project import current_project


@lru_cache(maxsize=256)
def _log(*paths: str) -> tuple[str, ...]:
    """Commit dates (YYYY-MM-DD, newest first) of the commits that touched any of `paths`."""
    try:
        out = subprocess.run(
            ["git", "log", "--format=%cs", "--", *paths],
            cwd=current_project().root,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return tuple(out.stdout.split()) if out.returncode == 0 else ()


def page_dates(src: str) -> tuple[str | None, str | None]:
    """(published, updated) for the page file docs/<src>; updated counts changes to data/ too."""
    root = current_project().root
    page = current_project().docs / src
    try:
        rel = page.relative_to(root).as_posix()
        data = current_project().own_data.relative_to(root).as_posix()
    except ValueError:
        return None, None
    own = _log(rel)
    if not own:
        return None, None
    both = _log(rel, data)
    return own[-1], (both[0] if both else own[0])


def ledger_date() -> str | None:
    """When the claims ledger (and with it the verdicts) last changed."""
    root = current_project().root
    try:
        ledger = (current_project().own_data / settings.CLAIMS_FILE).relative_to(root).as_posix()
    except ValueError:
        return None
    log = _log(ledger)
    return log[0] if log else None
