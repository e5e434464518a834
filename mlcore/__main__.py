"""``python -m mlcore``: the training lab's command line (train, list, show, bench-inference,
sweep, predict), implemented in :mod:`cli.training` on top of mlcore and the store."""

import importlib
import sys

if __name__ == "__main__":
    sys.exit(importlib.import_module("cli.training").main())
