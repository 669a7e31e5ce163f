"""Guards: checks on what a reader finally reads, not on the machinery that made it.

- `rendered_text`: a page's expanded Markdown and its HTML carry the same words and figures, in
  the same order. It names the line where a word or figure is dropped or moved (a wrapped line
  that begins "2025. " is read by Markdown as a list number, and the year disappears), and where a
  unit is written twice ("2.3× times", "54%%").
- `doubled_unit`: an inserted value (`{{ claim … }}`, `{{ data … }}`, `{{ essay … }}`) whose
  formatted unit the prose writes again next to it (markers.py calls it for every value).
- `local_addresses`: no file of a built site holds a local address (127.0.0.1, localhost).

`make build` fails on any of them; under `make serve` the problem shows on the page.
"""

from __future__ import annotations

import difflib
import gzip
import html as H
import re
import zipfile
from pathlib import Path

from explainer.core import settings
from explainer.core.problems import Problem

# --- a value's unit, written once ----------------------------------------------------------------


def _unit_words(unit: str) -> tuple[str, ...]:
    unit = unit.strip()
    return tuple(dict.fromkeys((unit, *settings.UNIT_WORDS.get(unit, ()))))


def _words_re(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) + (r"(?![^\W_])" if w[-1:].isalnum() else "") for w in sorted(words, key=len)[::-1])


def doubled_unit(value: str, before: str, after: str) -> str | None:
    """Why `value`, inserted between `before` and `after`, shows its unit twice, or None."""
    m = re.match(r"^(\D*?)[\d.,]*\d(.*)$", value.strip())
    if not m:
        return None
    lead, trail = m.group(1).strip(), m.group(2).strip()
    if trail:
        found = re.match(rf"\s*({_words_re(_unit_words(trail))})", after, re.I)
        if found:
            return (
                f"the value {value!r} already ends with its unit, and the text repeats it: "
                f"{value + after[: found.end()]!r}; write the unit once"
            )
    if lead:
        found = re.search(rf"({_words_re(_unit_words(lead))})\s*$", before, re.I)
        if found:
            return (
                f"the value {value!r} already starts with its unit, and the text repeats it: "
                f"{before[found.start() :] + value!r}; write the unit once"
            )
    return None


def _typed_doubles_re() -> re.Pattern:
    """A number whose unit is written twice by hand: "23× times", "54%%", "5 billion billion"."""
    parts = []
    for unit in settings.UNIT_WORDS:
        if unit == "$":
            continue
        first = re.escape(unit) + (r"(?![^\W_])" if unit[-1:].isalnum() else "")
        parts.append(rf"\d[\d,.]*\s*{first}\s*(?:{_words_re(_unit_words(unit))})")
    parts.append(r"\$\s*\$\s*\d")
    return re.compile("|".join(parts), re.I)


# --- the page's text before and after rendering ----------------------------------------------------

_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_OL_RE = re.compile(r"^(\s*)\d+\.\s")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_SKIP_LINE_RE = re.compile(r"^\s*(?:\*\[[^\]]+\]:|\[\^[^\]]+\]:|\[[^\]^][^\]]*\]:\s+\S)")
_ADMONITION_RE = re.compile(r"^(\s*)(?:!!!|\?\?\?\+?)\s+[\w-]+(?:\s+\"([^\"]*)\")?\s*$")
_ATTR_RE = re.compile(r"\{:?\s*[#.:][^}]*\}")
_TARGET = r"\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)"  # (url "title"), parentheses in the url too
_IMAGE_RE = re.compile(r"!\[[^\]]*\]" + _TARGET)
_LINK_RE = re.compile(r"\[([^\]]*)\](?:" + _TARGET + r"|\[[^\]]*\])")
_MULTILINE_RE = re.compile(r"<(script|style)\b.*?</\1>|<[a-zA-Z/!][^<>]*\n[^<>]*>", re.S | re.I)
_WRAPPED_LINK_RE = re.compile(r"(?<!!)\[([^\]\[]*\n[^\]\[]*)\]\([^)\s]*\)")
_AUTOLINK_RE = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_FOOTREF_RE = re.compile(r"\[\^[^\]]+\]")
_CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1")
_TAG_RE = re.compile(r"<[^>]+>")
_TOKEN_RE = re.compile(r"[^\W_]+")
_MARKER_ERROR_RE = re.compile(r'<mark class="marker-error".*?</mark>')  # a failed marker, already named


def _line_map(original: list[str], expanded: list[str]) -> list[int]:
    """For each line of the expanded Markdown, the line of the original it came from (0-based)."""
    out = [0] * len(expanded)
    sm = difflib.SequenceMatcher(None, original, expanded, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        for j in range(j1, j2):
            if op == "equal":
                out[j] = i1 + (j - j1)
            elif op == "replace":
                out[j] = i1 + min(j - j1, i2 - i1 - 1)
            else:  # inserted lines (a generated block's placeholder, the byline): the line before
                out[j] = max(i1 - 1, 0)
    return out


def _blank_comments(text: str) -> str:
    return _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _markdown_lines_text(lines: list[str]) -> list[str]:
    """Each line's words as the reader should see them: Markdown syntax, tags and link targets out."""
    out = []
    fenced = False
    footnote = False
    # Scripts, styles and tags that span lines, out (their lines kept, for the line numbers).
    cleaned = _MULTILINE_RE.sub(lambda m: "\n" * m.group(0).count("\n"), "\n".join(lines))
    # A link whose text wraps onto the next line: its words stay (on their lines), its target goes.
    cleaned = _WRAPPED_LINK_RE.sub(lambda m: m.group(1), cleaned).split("\n")
    for raw, line in zip(lines, cleaned):
        if _FENCE_RE.match(raw):
            fenced = not fenced
            out.append("")
            continue
        if fenced:
            out.append(H.escape(raw))  # shown as written; escaped so the tag stripping below keeps it
            continue
        if footnote and (line.startswith("    ") or not line.strip()):
            out.append("")
            continue
        footnote = bool(re.match(r"^\[\^[^\]]+\]:", line))
        if _SKIP_LINE_RE.match(line):
            out.append("")
            continue
        adm = _ADMONITION_RE.match(line)
        if adm:
            out.append(adm.group(2) or "")
            continue
        text = _OL_RE.sub(" ", line, count=1)  # a list item's number is its marker (or a hijack, named apart)
        text = _CODE_SPAN_RE.sub(lambda m: " " + H.escape(m.group(2)) + " ", text)
        text = _IMAGE_RE.sub(" ", text)
        text = _LINK_RE.sub(r"\1", text)
        text = _AUTOLINK_RE.sub(r" \1 ", text)
        text = _FOOTREF_RE.sub(" ", text)
        text = _ATTR_RE.sub(" ", text)
        out.append(text)
    return out


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(H.unescape(_TAG_RE.sub(" ", text)).lower())


def html_text(page_html: str) -> str:
    """The text a reader reads in a page's HTML (scripts, styles and footnotes, shown elsewhere, out)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S | re.I)
    text = re.sub(r'<div class="footnote">.*?</div>', " ", text, flags=re.S)
    return _COMMENT_RE.sub(" ", text)


def list_hijacks(lines: list[str]) -> list[tuple[int, str]]:
    """Lines inside a paragraph or a bullet item that begin with a number and a dot: Markdown
    reads them as the start of a numbered list and drops the number. (index, line)."""
    found = []
    fenced = False
    block_start: int | None = None
    for i, line in enumerate(lines):
        if _FENCE_RE.match(line):
            fenced = not fenced
        if fenced or not line.strip():
            block_start = None
            continue
        if block_start is None:
            block_start = i
            continue
        m = _OL_RE.match(line)
        if not m or line.lstrip().startswith("<"):
            continue
        first = lines[block_start]
        if _OL_RE.match(first) or _OL_RE.match(lines[i - 1]):
            continue  # a numbered list, written as one
        if len(m.group(1)) >= len(first) - len(first.lstrip()) + 4:
            continue  # indented as a list nested in an item
        found.append((i, line))
    return found


def rendered_text(original: str, expanded: str, page_html: str, file: str, first_line: int = 1) -> list[Problem]:
    """Problems where the page's HTML does not carry the words and figures of its expanded
    Markdown, in order; each names the file and the line of the author's file."""
    orig_lines = original.split("\n")
    exp_text = _blank_comments(expanded)
    exp_lines = exp_text.split("\n")
    where = _line_map(orig_lines, expanded.split("\n"))

    def line_no(j: int) -> int:
        return first_line + where[min(j, len(where) - 1)]

    problems: list[Problem] = []
    for j, line in list_hijacks(exp_lines):
        number = _OL_RE.match(line).group(0).strip()
        problems.append(
            Problem(
                file,
                line_no(j),
                "",
                f"a wrapped line begins {number!r}: Markdown reads it as a numbered list and drops {number!r} "
                "from the text; move the number onto the line before",
                "rendered-text",
            )
        )
    typed = _typed_doubles_re()
    for j, line in enumerate(exp_lines):
        for m in typed.finditer(_TAG_RE.sub(" ", _MARKER_ERROR_RE.sub(" ", line))):
            problems.append(
                Problem(file, line_no(j), "", f"a unit is written twice: {m.group(0)!r}; write it once", "unit-once")
            )

    md_tokens: list[str] = []
    md_line: list[int] = []
    for j, text in enumerate(_markdown_lines_text(exp_lines)):
        toks = _tokens(text)
        md_tokens += toks
        md_line += [j] * len(toks)
    shown = _tokens(html_text(page_html))
    sm = difflib.SequenceMatcher(None, md_tokens, shown, autojunk=False)
    hijacked = {line_no(j) for j, _ in list_hijacks(exp_lines)}
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op not in ("delete", "replace"):
            continue
        line = line_no(md_line[i1])
        if line in hijacked:
            continue  # already named, with its cause
        words = " ".join(md_tokens[i1:i2][:8]) + (" …" if i2 - i1 > 8 else "")
        instead = " ".join(shown[j1:j2][:8]) + (" …" if j2 - j1 > 8 else "")
        message = f"the Markdown says {words!r} but the page as rendered " + (
            f"reads {instead!r} there" if op == "replace" else "drops it (or shows it elsewhere)"
        )
        problems.append(Problem(file, line, "", message, "rendered-text"))
    return problems


# --- no local address in a build ----------------------------------------------------------------

_BINARY = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".pdf"}


def _texts(path: Path):
    """(name, text) of a built file, and of what a .gz or .zip holds."""
    if path.suffix in _BINARY:
        return
    data = path.read_bytes()
    if path.suffix == ".gz":
        yield path.name, gzip.decompress(data).decode("utf-8", "replace")
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                yield f"{path.name}!{name}", z.read(name).decode("utf-8", "replace")
    else:
        yield path.name, data.decode("utf-8", "replace")


def local_addresses(site_dir: Path, sources: list[str] | None = None) -> list[Problem]:
    """Every place in a built site that names a local address. A source's own address (`sources`,
    the registry's URLs: data, checked by check-data) is not the site's and is let through."""
    problems = []
    sources = [u for u in (sources or []) if u]
    for path in sorted(p for p in Path(site_dir).rglob("*") if p.is_file()):
        rel = path.relative_to(site_dir).as_posix()
        for name, text in _texts(path):
            shown = rel if name == path.name else f"{rel}!{name.split('!', 1)[1]}"
            for m in settings.LOCAL_ADDRESS_RE.finditer(text):
                if any(text.startswith(u, m.start()) for u in sources):
                    continue
                line = text.count("\n", 0, m.start()) + 1
                context = text[max(0, m.start() - 30) : m.end() + 20].replace("\n", " ")
                problems.append(
                    Problem(
                        f"site/{shown}",
                        line,
                        "",
                        f"a local address is written into the build: …{context}… (set SITE_URL, or build from a "
                        "repository whose git remote origin is on GitHub, or leave the address out)",
                        "no-local-address",
                    )
                )
    return problems
