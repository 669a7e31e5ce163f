"""The plugin's typed configuration (`plugins: [explainer: {...}]` in mkdocs.yml), after the
pattern of Material's plugins (`material/plugins/*/config.py`): every option the plugin reads,
with its type and default, checked by MkDocs when it loads the config.

The folders may also be pointed elsewhere through the environment, which wins over the config
(tests build copies that way): $EXPLAINER_DATA_DIR, $EXPLAINER_CHARTS_DIR, $EXPLAINER_BUILD_DIR.
"""

from __future__ import annotations

from mkdocs.config.base import Config
from mkdocs.config.config_options import Type

# -----------------------------------------------------------------------------
# Classes
# -----------------------------------------------------------------------------


# Explainer plugin configuration
class ExplainerConfig(Config):
    # Where the explainer's files are, relative to the folder holding mkdocs.yml
    data_dir = Type(str, default="data")  # datasets, the source registry, the claims ledger
    charts_dir = Type(str, default="charts")  # the chart modules, one chart per file
    build_dir = Type(str, default="build")  # generated, git-ignored artifacts and caches

    # Under `mkdocs serve`: keep Material's search entries and the theme's compiled templates
    # between rebuilds, update the served folder in place, and watch with native file events
    # (explainer/mkdocs/serve_speedups.py). Off, serve rebuilds as MkDocs does by itself.
    serve_speedups = Type(bool, default=True)
