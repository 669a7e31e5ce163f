"""The engine behind the site: validation, rendering, embedding, claims, links.

Plain Python with no MkDocs imports except in `mkdocs_glue`, so a move away from
MkDocs only replaces that one thin layer.
"""
