"""Citations: the source registry as BibTeX and CSL-JSON, a "Cite" control on each source entry,
and a "Cite this page" block on each page (title, site, URL, dates, BibTeX)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from explainer.core import data as D
from explainer.core import files, settings
from explainer.core.project import current_project
from explainer.core.records import Source
from explainer.core.yamlines import SAFE_LOADER

_BIB_ESCAPE = str.maketrans({"{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_"})


def _bib(text: object) -> str:
    return str(text).translate(_BIB_ESCAPE)


def _date_parts(value: str | None) -> list[int] | None:
    if not value:
        return None
    return [int(p) for p in str(value).split("-")]


def bibtex_entry(key: str, fields: dict[str, str | None]) -> str:
    """Values in braces; a value that must stay as written (a corporate author, a title's case)
    is given already braced and goes in quotes, so the entry never holds a double brace."""
    body = ",\n".join(f'  {k} = "{v}"' if v.startswith("{") else f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return f"@misc{{{key},\n{body}\n}}"


def source_bibtex(e: Source) -> str:
    year = str(e.date_published or "")[:4] or None
    return bibtex_entry(
        e.id,
        {
            "author": "{" + _bib(e.producer) + "}",
            "title": "{" + _bib(e.title) + "}",
            "howpublished": r"\url{" + e.url_main + "}",
            "year": year,
            "publisher": _bib(e.publisher) if e.publisher else None,
            "note": _bib(f"{e.kind}; read on {e.date_accessed}"),
            "urldate": e.date_accessed,
        },
    )


def source_csl(e: Source) -> dict[str, Any]:
    kind = {"producer data file": "dataset", "compiled dataset": "dataset", "official statistics": "dataset"}
    item: dict[str, Any] = {
        "id": e.id,
        "type": kind.get(e.kind, "webpage"),
        "title": e.title,
        "author": [{"literal": e.producer}],
        "URL": e.url_main,
        "accessed": {"date-parts": [_date_parts(e.date_accessed)]},
        "note": e.kind,
    }
    if e.publisher:
        item["publisher"] = e.publisher
    if e.date_published:
        item["issued"] = {"date-parts": [_date_parts(e.date_published)]}
    return item


def write(out: Path) -> list[tuple[str, Path]]:
    """The registry as BibTeX and CSL-JSON, for reference managers."""
    entries = D.registry()
    bib = "\n\n".join(source_bibtex(e) for e in entries) + "\n"
    csl = json.dumps([source_csl(e) for e in entries], ensure_ascii=False, indent=1)
    files.write_if_changed(out / "sources.bib", bib.encode())
    files.write_if_changed(out / "sources.csl.json", csl.encode())
    return [
        (f"{settings.SITE_DATA}/sources.bib", out / "sources.bib"),
        (f"{settings.SITE_DATA}/sources.csl.json", out / "sources.csl.json"),
    ]


ATTR_LIST_RE = re.compile(r"\s*\{:?\s*[.#][^{}]*\}\s*$")


FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?)^---[ \t]*\n", re.S | re.M)


def split_front_matter(text: str) -> tuple[str, str]:
    """(front matter including its fences, or "", the body)."""
    m = FRONT_MATTER_RE.match(text)
    return (m.group(0), text[m.end() :]) if m else ("", text)


def front_matter(text: str) -> dict[str, Any]:
    """A page's front matter as data, read as YAML as MkDocs reads it ({} when it has none).
    Raises yaml.YAMLError when it is not valid YAML (MkDocs would show it as page text)."""
    m = FRONT_MATTER_RE.match(text)
    meta = yaml.load(m.group(1), Loader=SAFE_LOADER) if m else None
    return meta if isinstance(meta, dict) else {}


def front_title(markdown: str) -> str | None:
    """A page's title as its front matter gives it, attribute lists and quotes out (None: none)."""
    try:
        title = front_matter(markdown).get("title")
    except yaml.YAMLError:
        return None
    return heading_text(str(title)) if title not in (None, "") else None


def heading_text(text: str) -> str:
    """A title as Markdown wrote it, as readers read it: without an attribute list ("{: .class }",
    "{#id}") after it, nor surrounding quotes."""
    return ATTR_LIST_RE.sub("", str(text).strip()).strip().strip('"').strip()


def end_sentence(text: str) -> str:
    """Text with a full stop after it, unless it already ends a sentence ("For?" stays "For?")."""
    return text if text.rstrip().endswith((".", "?", "!", "…")) else f"{text}."


def page_citation(title: str, url_path: str, published: str | None, updated: str | None) -> tuple[str, str]:
    """(a citation in words, its BibTeX) for one page of the site."""
    config = current_project().config
    site = str(config.get("site_name") or "")
    base = current_project().site_base()
    url = base + url_path if base else None  # no public address known: a citation names none
    author = (config.get("extra") or {}).get("byline") or site
    when = updated or published
    title = heading_text(title)
    words = f"{author[:1].upper()}{author[1:]}. “{end_sentence(title)}” {site}"
    words += (f", updated {when}" if when else "") + "."
    words += f" {url}" if url else ""
    key = files.slug(f"{site} {url_path or 'home'}")
    bib = bibtex_entry(
        key,
        {
            "author": "{" + _bib(author) + "}",
            "title": "{" + _bib(title) + "}",
            "howpublished": r"\url{" + url + "}" if url else None,
            "year": when[:4] if when else None,
            "note": _bib(f"{site}; updated {when}") if when else _bib(site),
        },
    )
    return words, bib
