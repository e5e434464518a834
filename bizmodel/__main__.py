"""``python -m bizmodel``: the economics command line.

The command line loads runs from the store and writes the report and the workbook, so it sits on
top of every package, in :mod:`cli.economics`. This entry point only hands over to it by name:
the economics package itself imports nothing else of the project.
"""

import importlib
import sys

if __name__ == "__main__":
    sys.exit(importlib.import_module("cli.economics").main())
