"""`python -m charts [ids...] [--force]`: build all charts, or the named ones."""
import sys

from charts._site.render import main

sys.exit(main(sys.argv[1:]))
