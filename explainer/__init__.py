"""The explainer engine: sourced data in, a checked, self-contained static site out.

Loading and validating data, rendering charts, expanding page markers, evaluating claims,
checking links, and one command line (`python -m explainer`). It knows nothing of any one
essay: a project (mkdocs.yml, data/, docs/, charts/) supplies that. ARCHITECTURE.md maps it.
"""
