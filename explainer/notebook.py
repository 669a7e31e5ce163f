"""Notebook pages made light and self-contained: nbconvert's CDN loaders and its 570 KB theme removed."""

from __future__ import annotations

import re

_MATHJAX = re.compile(
    r'<!-- Load mathjax -->\s*<script src="[^"]*">\s*</script>\s*<!-- MathJax configuration -->\s*'
    r'<script type="text/x-mathjax-config">.*?</script>\s*<!-- End of mathjax configuration -->',
    re.S,
)


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_MERMAID = re.compile(
    r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded".*?mermaid.*?</script>', re.S
)


def clean_notebook_html(page: str) -> str:
    """Keep the notebook page light and self-contained.

    nbconvert adds a MathJax loader (a CDN, or an empty src) and a Mermaid loader that imports
    from a CDN; the Methods page has neither maths nor diagrams, so both go. Its JupyterLab theme
    is a 570 KB inline stylesheet; it is replaced by assets/css/notebook.css (a few lines).
    """
    if "jupyter-wrapper" not in page:
        return page
    page = _MATHJAX.sub("", page)
    page = _MERMAID.sub("", page)

    def keep(m: re.Match) -> str:
        css = m.group(1)
        # Drop the JupyterLab theme and variables and the Mermaid styles; keep small scoped rules
        # (pandas tables) and the code-highlighting classes, which notebook.css maps to Material.
        if ".jupyter-wrapper{" in css.replace(" ", "") or ".jp-Mermaid" in css:
            return ""
        return m.group(0)

    page = _STYLE.sub(keep, page)
    # jupytext gives every cell a random id, and nbconvert writes it into the page: number the
    # cells instead, so two builds of the same commit are byte-identical.
    counter = iter(range(1, 10_000))
    page = re.sub(r'id="cell-id=[^"]*"', lambda m: f'id="cell-{next(counter)}"', page)
    root = re.search(r'<link rel="stylesheet" href="([^"]*)assets/stylesheets/main\.[^"]+\.min\.css"', page)
    href = (root.group(1) if root else "../") + "assets/css/notebook.css"
    return page.replace("</head>", f'  <link rel="stylesheet" href="{href}">\n  </head>', 1)
