import sys

from .cli import main

# the guard keeps the import's worker processes (spawned: they import this
# module again as __mp_main__) from running the command themselves
if __name__ == '__main__':
    sys.exit(main())
