"""Build scripts: sourced datasets in, Altair charts and checked claims out.

Chart modules are the top-level files of this package (one chart per file; the
module's stem is the chart id). `data` is the one shared loader; files and
packages starting with `_` are helpers, not charts.
"""
