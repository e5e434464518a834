"""``python -m store health``: check the database and the artifact folder (see :mod:`store.health`)."""

from __future__ import annotations

import sys

from store.health import main

if __name__ == "__main__":
    sys.exit(main())
