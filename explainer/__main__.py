"""`python -m explainer`: see explainer/cli.py."""

import sys

from explainer.cli import main

sys.exit(main())
