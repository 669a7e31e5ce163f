"""Corrections written for readers: what an earlier version of a page or a claim card said, what
it says now and why, dated. The authors keep them in the corrections ledger (`data/corrections.yaml`,
checked by check-data); each shows on the page concerned, on the claim's card (when it names a
claim), on the Corrections page and in its feed:

    Corrected on <date>: an earlier version said X; it now says Y, because Z.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date as Date
from html import escape

from explainer import files, settings


@dataclass(frozen=True)
class Correction:
    date: str
    page: str  # the page's file stem in docs/ ("index" for the home page)
    before: str
    after: str
    why: str
    claim: str | None = None
    line: int | None = None  # in the ledger, for messages

    @property
    def anchor(self) -> str:
        """Stable while the entry stands (lines move; its words do not)."""
        words = hashlib.sha256(f"{self.before}\n{self.after}".encode()).hexdigest()[:8]
        claim = f"-{files.slug(self.claim)}" if self.claim else ""
        return f"correction-{self.date}-{files.slug(self.page)}{claim}-{words}"


def _clause(text: str) -> str:
    """A field as a clause inside the sentence: no final full stop, no doubled "because"."""
    return " ".join(str(text).split()).rstrip(" .;")


def long_date(iso: str) -> str:
    d = Date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


def sentence(c: Correction) -> str:
    """The correction as readers read it (plain text)."""
    why = _clause(c.why)
    why = why[len("because ") :] if why.lower().startswith("because ") else why
    return (
        f"Corrected on {long_date(c.date)}: an earlier version said {_clause(c.before)}; "
        f"it now says {_clause(c.after)}, because {why}."
    )


def corrections() -> list[Correction]:
    """The corrections ledger, newest first (an entry later in the file first on the same day).
    Empty when the file is missing, empty or comments only. Assumes it passed check-data."""
    from explainer import yamlines

    path = settings.data_dir() / settings.CORRECTIONS_FILE
    if not path.is_file():
        return []
    items = yamlines.load_with_lines(path) or []
    out = [
        Correction(
            date=str(i["date"]),
            page=str(i["page"]),
            before=str(i["before"]),
            after=str(i["after"]),
            why=str(i["why"]),
            claim=str(i["claim"]) if i.get("claim") else None,
            line=i.get("__line__"),
        )
        for i in items
        if isinstance(i, dict)
    ]
    return sorted(out, key=lambda c: (c.date, c.line or 0), reverse=True)


def correction_html(c: Correction, where: str = "", anchored: bool = True) -> str:
    """One correction as a paragraph; `where` (HTML) says where it was made, on the Corrections page."""
    why = _clause(c.why)
    why = why[len("because ") :] if why.lower().startswith("because ") else why
    ident = f' id="{escape(c.anchor)}"' if anchored else ""
    return (
        f'<p class="correction"{ident}><strong>Corrected on '
        f'<time datetime="{escape(c.date)}">{escape(long_date(c.date))}</time>:</strong> '
        f"an earlier version said {_text(_clause(c.before))}; it now says {_text(_clause(c.after))}, "
        f"because {_text(why)}.{where}</p>"
    )


def for_page(stem: str) -> list[Correction]:
    return [c for c in corrections() if c.page == stem]


def for_claim(cid: str) -> list[Correction]:
    return [c for c in corrections() if c.claim == cid]


def _text(value: object) -> str:
    """Escaped for HTML, and braces too: a page marker quoted in a correction stays text."""
    return escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")
