"""A Content-Security-Policy for every page, as a meta tag: same origin only.

Scripts: our own files plus the theme's few inline scripts, allowed by their SHA-256
hashes (computed from each page as built, so a changed theme cannot slip in unlisted code).
No 'unsafe-eval': charts.js asks vega-embed for Vega's AST interpreter instead of compiling
expressions with Function().
Styles: 'unsafe-inline' is the one exception, because vega-embed and vega-tooltip set inline
styles on the elements they create, the Jupyter notebook page carries nbconvert's inline
<style> blocks, and the theme writes style attributes; styles cannot run code.
Images: same origin plus data: URIs (the theme's icons are inline SVG data URIs).
"""

from __future__ import annotations

import base64
import hashlib
import re

SCRIPT_RE = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
EXEC_TYPES = ("", "text/javascript", "module", "application/javascript")


def inline_script_hashes(page: str) -> list[str]:
    hashes = []
    for m in SCRIPT_RE.finditer(page):
        attrs = m.group("attrs")
        if re.search(r"\bsrc\s*=", attrs, re.I):
            continue
        t = re.search(r'\btype\s*=\s*"([^"]*)"', attrs, re.I)
        if (t.group(1).lower() if t else "") not in EXEC_TYPES:
            continue
        digest = base64.b64encode(hashlib.sha256(m.group("body").encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


def policy(page: str) -> str:
    scripts = " ".join(["'self'", *inline_script_hashes(page)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def apply(page: str) -> str:
    """Insert the policy as the first element of <head>, before any script can run."""
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy(page)}">'
    return re.sub(r"<head>", "<head>\n    " + tag, page, count=1)
