"""``python -m cli.economics``: the same as ``python -m bizmodel``."""

import sys

from cli.economics import main

sys.exit(main())
