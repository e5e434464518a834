"""Shared test helpers: the one place a test module imports helpers from.

Fixtures live in the ``conftest.py`` of the narrowest folder that uses them; plain helpers
(builders of records and catalogs, runners of the command lines, AppTest and browser drivers,
hostile inputs) live here, one module per concern:

- :mod:`tests.support.services`: PostgreSQL and Chromium gates (skip locally, fail in CI)
- :mod:`tests.support.app`: AppTest (``make_app``), the recorded run, the replaying worker, seeds
- :mod:`tests.support.english`: English runs and words in the Chinese UI (AppTest and browser)
- :mod:`tests.support.economics`: runs, profiles, curves, catalogs and scenarios for bizmodel
- :mod:`tests.support.cli`: the command lines, in-process (``main(argv)``) and as processes
- :mod:`tests.support.browser`: the served app and headless Chromium, and page helpers
- :mod:`tests.support.inert`, :mod:`tests.support.refusals`: hostile inputs and their checks
- :mod:`tests.support.store`, :mod:`tests.support.claimer`: store rows and queue helpers
- :mod:`tests.support.worker`: waiting on the training worker
"""

from __future__ import annotations

from pathlib import Path

#: The repository root.
ROOT = Path(__file__).resolve().parents[2]


PROJECT_CODE = (
    "app.py",
    "app_pages",
    "ui",
    "present",
    "cli",
    "mlcore",
    "bizmodel",
    "store",
    "safetext",
    "settings",
    "tablecheck",
    "measurements",
)
