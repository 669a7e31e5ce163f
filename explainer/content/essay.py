"""The annotated essay (`<!-- annotated-essay -->`): the text the claims come from, whole and in
its order, as newsrooms annotate a speech.

Each passage a claim quotes is highlighted, with its verdict written beside it (never colour
alone) and a link to its card; each card links back (`pages.essay_link`). Every other sentence must be
sorted, in the file `extra.essay.sentences` of mkdocs.yml names, as one of `SENTENCE_KINDS`: a
statement of fact we did not check is shown marked "not checked"; opinion and argument stand
plain; headings and picture captions are shown as what they are. A sentence nobody sorted, or an
entry that matches no sentence (or several), fails the build: nothing is left unchecked silently.

The text file is `extra.essay.text` (a path from the project folder). Sentences end at `.`, `!`
or `?` (and a closing quote) followed by a space and a capital letter or an opening quote; a line
with no such ending (a heading, a caption) is a sentence of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from explainer.content import blocks
from explainer.content.fragments import Page, Site, esc
from explainer.core import settings, yamlines
from explainer.core.problems import Problem
from explainer.core.project import Project, current_project
from explainer.core.records import Claim

RULE = "essay"

# What a sentence no claim checks can be. The first is shown marked as unchecked.
SENTENCE_KINDS = {
    "fact": "a statement of fact we did not check",
    "opinion": "opinion, argument or a forecast: nothing a figure can settle",
    "heading": "a heading of the essay",
    "caption": "the caption of a picture in the circulated text (the picture is not reproduced)",
}
UNCHECKED_LABEL = "not checked"

SENTENCE_END_RE = re.compile(r"(?<=[.!?])[”\"’]?(?=\s+[“\"A-Z])")
CLOSING = '\u201d"\u2019'
STRAIGHT = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def normalise(s: str) -> str:
    """Curly quotes as straight ones: the same length, so offsets carry over."""
    return s.translate(STRAIGHT)


@dataclass
class Sentence:
    para: int
    start: int  # offsets in the whole text
    end: int
    claims: list[str] = field(default_factory=list)
    kind: str | None = None
    why: str = ""

    def text(self, full: str) -> str:
        return full[self.start : self.end]


def config(project: Project | None = None) -> dict[str, Any]:
    return (project or current_project()).extra.get("essay") or {}


def paths(project: Project | None = None) -> tuple[Path, Path | None]:
    cfg = config(project)
    if not cfg.get("text"):
        raise ValueError("the annotated essay needs `extra.essay.text` in mkdocs.yml (the essay's text file)")
    root = (project or current_project()).root
    sentences = cfg.get("sentences")
    return root / cfg["text"], (root / sentences if sentences else None)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: text between blank lines, stripped."""
    out = []
    for m in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*\Z)", text, re.S):
        out.append((m.start(), m.end()))
    return out


def sentences(text: str) -> list[Sentence]:
    out = []
    for i, (a, b) in enumerate(paragraphs(text)):
        start = a
        for m in SENTENCE_END_RE.finditer(text, a, b):
            out.append(Sentence(i, start, m.end()))
            start = m.end() + len(text[m.end() : b]) - len(text[m.end() : b].lstrip())
        out.append(Sentence(i, start, b))
    return out


def claim_spans(
    text: str, claims: list[Claim], project: Project | None = None
) -> tuple[dict[str, tuple[int, int]], list[Problem]]:
    """Where each claim's quote stands in the text: the first place at or after the previous
    claim's (claims are in the essay's order), else the first anywhere."""
    norm = normalise(text)
    spans: dict[str, tuple[int, int]] = {}
    problems: list[Problem] = []
    prev = 0
    for c in claims:
        q = normalise(c.quote)
        at = norm.find(q, prev)
        if at < 0:
            at = norm.find(q)
        if at < 0:
            msg = f"its quote is not in the essay's text: {c.quote[:60]!r}"
            where = project or current_project()
            ledger = where.rel(where.own_data / settings.CLAIMS_FILE)
            problems.append(Problem(ledger, None, f"claim {c.id}", msg, RULE))
            continue
        spans[c.id] = (at, at + len(q))
        prev = at
    return spans, problems


def sort_sentences(
    text: str, claims: list[Claim], entries: list[dict[str, Any]], where: str, project: Project | None = None
) -> tuple[list[Sentence], dict[str, tuple[int, int]], list[Problem]]:
    """Every sentence with the claims that cover it, or its kind from `entries`; and the problems."""
    spans, problems = claim_spans(text, claims, project)
    sents = sentences(text)
    for s in sents:
        s.claims = [cid for cid, (a, b) in spans.items() if a < s.end and b > s.start]
    norm = normalise(text)
    unchecked = [s for s in sents if not s.claims]
    for e in entries:
        line = e.get("__line__")
        opening = normalise(str(e.get("sentence") or "")).strip()
        place = f"sentence {opening[:50]!r}" if opening else "entry"
        if e.get("kind") not in SENTENCE_KINDS:
            msg = f"kind must be one of {', '.join(SENTENCE_KINDS)}, not {e.get('kind')!r}"
            problems.append(Problem(where, line, place, msg, RULE))
            continue
        if not opening:
            msg = "the entry names no sentence (`sentence:` its opening words)"
            problems.append(Problem(where, line, place, msg, RULE))
            continue
        hits = [s for s in unchecked if norm[s.start : s.end].startswith(opening)]
        if len(hits) != 1:
            covered = [s for s in sents if s.claims and norm[s.start : s.end].startswith(opening)]
            if covered:
                msg = f"the sentence is checked by {', '.join(covered[0].claims)}: remove this entry"
            elif hits:
                msg = f"{len(hits)} sentences open with these words: give more of the sentence"
            else:
                msg = "no sentence of the essay opens with these words"
            problems.append(Problem(where, line, place, msg, RULE))
            continue
        if hits[0].kind:
            problems.append(Problem(where, line, place, "the sentence is sorted twice", RULE))
            continue
        hits[0].kind, hits[0].why = e["kind"], str(e.get("why") or "")
    for s in unchecked:
        if not s.kind:
            msg = (
                f"no claim checks {s.text(text)[:60]!r} (paragraph {s.para + 1} of the essay) and this file does "
                f"not sort it: add it as one of {', '.join(SENTENCE_KINDS)}"
            )
            problems.append(Problem(where, None, "", msg, RULE))
    return sents, spans, problems


def read(
    claims: list[Claim], project: Project | None = None
) -> tuple[str, list[Sentence], dict[str, tuple[int, int]], list[Problem]]:
    """The essay's text, its sentences sorted, the claims' places in it, and every problem."""
    project = project or current_project()
    text_path, sorted_path = paths(project)
    if not text_path.is_file():
        msg = f"the essay's text file {project.rel(text_path)} (extra.essay.text) does not exist"
        return "", [], {}, [Problem(settings.CONFIG_FILE, None, "extra.essay.text", msg, "required-file")]
    text = text_path.read_text(encoding="utf-8")
    where = project.rel(sorted_path) if sorted_path else f"{settings.CONFIG_FILE} extra.essay.sentences"
    entries: Any = []
    if sorted_path:
        if not sorted_path.is_file():
            msg = "the file (extra.essay.sentences) does not exist"
            return text, [], {}, [Problem(where, None, "", msg, "required-file")]
        try:
            entries = yamlines.load_with_lines(sorted_path) or []
        except yaml.YAMLError as e:
            line, msg = yamlines.error_place(sorted_path.read_text(encoding="utf-8"), e)
            return text, [], {}, [Problem(where, line, "", msg, "yaml")]
        if not isinstance(entries, list):
            return text, [], {}, [Problem(where, None, "", "must be a list of {kind, sentence} entries", RULE)]
    sents, spans, problems = sort_sentences(text, claims, entries, where, project)
    return text, sents, spans, problems


def check(claims: list[Claim], project: Project | None = None) -> list[Problem]:
    """check-data's part: the problems of the annotated essay, if the project has one."""
    return read(claims, project)[3] if config(project).get("text") else []


def load(site: Site) -> tuple[str, list[Sentence], dict[str, tuple[int, int]]]:
    text, sents, spans, problems = read([r.claim for r in site.results.values()])
    if problems:
        raise ValueError("the annotated essay has problems:\n" + "\n".join(str(p) for p in sorted(problems)))
    return text, sents, spans


# --- HTML ---------------------------------------------------------------------------------------


def annotated_html(page: Page, site: Site) -> str:
    text, sents, spans = load(site)
    _, claim_page = blocks.where_shown()
    titles = {t: stem for stem, t in blocks.page_titles().items()}
    unchecked = sum(1 for s in sents if s.kind == "fact")
    out = ['<div class="essay" lang="en">', key_html(len(spans), unchecked)]
    by_para: dict[int, list[Sentence]] = {}
    for s in sents:
        by_para.setdefault(s.para, []).append(s)
    for para in sorted(by_para):
        ss = by_para[para]
        first = ss[0]
        if first.kind == "heading" and len(ss) == 1:
            words = first.text(text)
            stem = titles.get(words)
            inner = esc(words) if not stem else f'<a href="{blocks.page_url(stem, page.root)}">{esc(words)}</a>'
            out.append(f'<h2 class="essay__heading">{inner}</h2>')
            continue
        if first.kind == "caption" and len(ss) == 1:
            out.append(
                f'<p class="essay__caption"><span class="essay__tag">Picture caption</span> {esc(first.text(text))}</p>'
            )
            continue
        a, b = ss[0].start, ss[-1].end
        out.append(f'<p class="essay__para">{paragraph_html(text, a, b, ss, spans, page, site, claim_page)}</p>')
    out.append("</div>")
    return "\n".join(out)


def key_html(checked: int, unchecked: int) -> str:
    return (
        '<p class="essay__key">How to read it: the passages we checked '
        f'({checked}) are <mark class="essay-claim">highlighted</mark>, each followed by its claim number and '
        "verdict, which link to its card. Statements of fact we did not check "
        f'({unchecked}) are <span class="essay-unchecked">underlined with dots</span> and marked '
        f'<span class="essay__tag">{UNCHECKED_LABEL}</span>. The rest is opinion, argument or forecast.</p>'
    )


def paragraph_html(
    text: str,
    a: int,
    b: int,
    ss: list[Sentence],
    spans: dict[str, tuple[int, int]],
    page: Page,
    site: Site,
    claim_page: dict[str, str],
) -> str:
    """A paragraph: claim passages (overlapping ones merged) highlighted, each followed by its
    verdicts; sentences of fact no claim covers marked as unchecked."""
    inside = sorted((s, e, cid) for cid, (s, e) in spans.items() if s < b and e > a)
    groups: list[list[Any]] = []  # [start, end, [cids]]
    for s, e, cid in inside:
        if groups and s < groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], e)
            groups[-1][2].append(cid)
        else:
            groups.append([max(s, a), min(e, b), [cid]])
    for g in groups:  # a quote that stops just inside closing quotation marks takes them along
        while g[1] < b and text[g[1]] in CLOSING:
            g[1] += 1
    parts: list[str] = []
    pos = a
    for start, end, cids in groups:
        plain_between(text, pos, start, ss, parts)
        anchors = "".join(f'<span id="essay-{cid}" class="essay__anchor"></span>' for cid in cids)
        tone = worst_tone(cids, site)
        verdicts = " ".join(verdict_link(cid, page, site, claim_page) for cid in cids)
        parts.append(f'{anchors}<mark class="essay-claim essay-claim--{tone}">{esc(text[start:end])}</mark> {verdicts}')
        pos = end
    plain_between(text, pos, b, ss, parts)
    return "".join(parts)


def plain_between(text: str, x: int, y: int, ss: list[Sentence], parts: list[str]) -> None:
    """Text outside claim passages, sentence by sentence: a statement of fact no claim covers
    is marked as unchecked; the spaces between sentences are kept."""
    cur = x
    for s in ss:
        lo, hi = max(x, s.start), min(y, s.end)
        if lo >= hi:
            continue
        if lo > cur:
            parts.append(esc(text[cur:lo]))
        chunk = esc(text[lo:hi])
        if s.kind == "fact" and not s.claims:
            why = f": {esc(s.why)}" if s.why else ""
            tag = f'<span class="essay__tag">{UNCHECKED_LABEL}{why}</span>'
            parts.append(f'<span class="essay-unchecked">{chunk}</span> {tag}')
        else:
            parts.append(chunk)
        cur = hi
    if cur < y:
        parts.append(esc(text[cur:y]))


def worst_tone(cids: list[str], site: Site) -> str:
    order = ["bad", "warn", "neutral", "ok"]
    tones = [settings.tone(site.results[c].verdict) for c in cids]
    return min(tones, key=order.index)


def verdict_link(cid: str, page: Page, site: Site, claim_page: dict[str, str]) -> str:
    r = site.results[cid]
    href = blocks.card_href(cid, claim_page, site, page.root)
    tone = settings.tone(r.verdict)
    return (
        f'<a class="essay-verdict essay-verdict--{tone}" href="{esc(href)}">'
        f'<span class="essay-verdict__id">{esc(cid)}</span> {esc(r.verdict)}</a>'
    )
