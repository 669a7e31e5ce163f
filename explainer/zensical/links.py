"""Links as Zensical reads them: relative to the page's file, in Markdown and in raw HTML alike.

MkDocs rewrites only Markdown links (relative to the page's file) and leaves raw HTML as written,
so the engine writes the HTML it generates (bylines, figures, cards, source links) with addresses
relative to the page's address (`../other-page/` from `a-page/`). Zensical 0.0.73
rewrites `href`, `src` and `srcset` in raw HTML too, as if relative to the file: left alone, such
a link climbs one folder too many, which a site at a domain's root hides and a site under a path
(GitHub Pages' `/repository/`) does not. So the staged pages' raw HTML is made relative to the
file first, and Zensical turns it back into the address the MkDocs build writes.
"""

from __future__ import annotations

import posixpath
import re

# A value left as it is: an absolute address, a scheme (https:, mailto:, data:), a fragment.
_KEEP_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#|$)", re.I)
_HTML_ATTR_RE = re.compile(r"""(\s(?:href|src|srcset)=)(["'])(.*?)\2""", re.S)
_MD_LINK_RE = re.compile(r"(\]\()([^)\s]+)")


def page_url(src: str) -> str:
    """The address of the page made of `src` (relative to docs/), as directory URLs."""
    stem = posixpath.splitext(src)[0]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def from_file(target: str, src: str) -> str:
    """`target`, relative to the address of `src`'s page, made relative to `src` itself."""
    if _KEEP_RE.match(target):
        return target
    path, hashmark, anchor = target.partition("#")
    path, question, query = path.partition("?")
    resolved = posixpath.normpath(posixpath.join(page_url(src), path))
    rel = posixpath.relpath(resolved, posixpath.dirname(src) or ".")
    if path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel + question + query + hashmark + anchor


def html_links(markdown: str, src: str) -> str:
    """The raw HTML's href, src and srcset values of a page made relative to its file."""

    def fix(m: re.Match) -> str:
        value = m.group(3)
        if m.group(1).strip().startswith("srcset"):
            parts = [p.strip().split(None, 1) for p in value.split(",") if p.strip()]
            value = ", ".join(" ".join([from_file(p[0], src), *p[1:]]) for p in parts)
        else:
            value = from_file(value, src)
        return f"{m.group(1)}{m.group(2)}{value}{m.group(2)}"

    return _HTML_ATTR_RE.sub(fix, markdown)


def markdown_links(markdown: str, src: str) -> str:
    """Markdown links written relative to the page's address (as in a notebook, whose HTML
    mkdocs-jupyter leaves as written) made relative to its file."""
    return _MD_LINK_RE.sub(lambda m: m.group(1) + from_file(m.group(2), src), markdown)
