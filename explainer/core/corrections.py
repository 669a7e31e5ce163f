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

from explainer.core import files, settings
from explainer.core.project import current_project


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
    """A field as a clause inside the sentence: no final full stop, no doubled "because", and no
    capital mid-sentence where the field was written as a sentence of its own ("It compares …" reads
    "it compares …"; a proper noun or an abbreviation, "Nvidia", "US", keeps its capital)."""
    words = " ".join(str(text).split()).rstrip(" .;")
    if len(words) > 1 and words[0].isupper() and words[1].islower() and not _proper(words.split()[0]):
        words = words[0].lower() + words[1:]
    return words


# Words written as a sentence's first word that are lower case inside one. Any other capitalised
# first word may be a name ("Nvidia did say it"), and keeps its capital.
_SENTENCE_STARTERS = frozenset(
    "a an the it its this others so but however yet that these those there their they we our "
    "he she his her one each every "
    "both all some no not only rows row measures measure figures figure numbers data per as at by for "
    "from in on of to with without when where while after before since until between against "
    "earlier later most more less fewer many much".split()
)


def _proper(word: str) -> bool:
    """Whether a sentence's capitalised first word should keep its capital inside a sentence."""
    return word.strip("'\"‘“(").lower() not in _SENTENCE_STARTERS


def _because(text: str) -> str:
    why = _clause(text)
    return _clause(why[len("because ") :]) if why.lower().startswith("because ") else why


def long_date(iso: str) -> str:
    d = Date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


def sentence(c: Correction) -> str:
    """The correction as readers read it (plain text)."""
    why = _because(c.why)
    return (
        f"Corrected on {long_date(c.date)}: an earlier version said {_clause(c.before)}; "
        f"it now says {_clause(c.after)}, because {why}."
    )


def corrections() -> list[Correction]:
    """The corrections ledger, newest first (an entry later in the file first on the same day).
    Empty when the file is missing, empty or comments only. Assumes it passed check-data."""
    from explainer.core import yamlines

    path = current_project().data / settings.CORRECTIONS_FILE
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
    why = _because(c.why)
    ident = f' id="{escape(c.anchor)}"' if anchored else ""
    return (
        f'<p class="correction"{ident}><strong>Corrected on '
        f'<time datetime="{escape(c.date)}">{escape(long_date(c.date))}</time>:</strong> '
        f"an earlier version said {files.esc_marker(_clause(c.before))}; "
        f"it now says {files.esc_marker(_clause(c.after))}, "
        f"because {files.esc_marker(why)}.{where}</p>"
    )


def for_page(stem: str) -> list[Correction]:
    return [c for c in corrections() if c.page == stem]


def for_claim(cid: str) -> list[Correction]:
    return [c for c in corrections() if c.claim == cid]
