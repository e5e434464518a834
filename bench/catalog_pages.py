"""How long Compute cost and Build vs buy take with a large price catalog (issue 20, finding D14).

Builds a valid instances catalog of ``--rows`` rows (default 20,000, the upload limit: the
bundled rows repeated over made-up regions, so every row is distinct) with the bundled
accelerator specs, saves it as the app saves an upload, and renders each page through AppTest
(the page's script, no browser): once cold (fresh caches: what the first visitor after an upload
waits for) and ``--repeats`` times warm (a rerun, e.g. after clicking a widget). The same for the
bundled catalog (69 rows) beside it. Prints seconds per page and catalog: cold, and the median of
the warm runs. No PASS/FAIL: it depends on the machine; the tests check the bounds, not the time.

    .venv/bin/python bench/catalog_pages.py
    .venv/bin/python bench/catalog_pages.py --rows 5000 --repeats 5
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = ("app_pages/compute.py", "app_pages/build_buy.py")


def large_catalog_csv(rows: int) -> tuple[bytes, bytes]:
    """(instances CSV, accelerators CSV) of a valid catalog with ``rows`` instance rows."""
    import pandas as pd

    from bizmodel.catalog import load_bundled, to_csv_bytes

    instances, accelerators = to_csv_bytes(load_bundled())
    base = pd.read_csv(io.BytesIO(instances), dtype=str, keep_default_na=False).assign(
        source="bench", notes=""
    )
    parts, total, n = [], 0, 0
    while total < rows:
        part = base.assign(region=base["region"] + f"-{n}")
        parts.append(part)
        total, n = total + len(part), n + 1
    return pd.concat(parts).head(rows).to_csv(index=False).encode(), accelerators


def render_seconds(page: str, version: str | None, repeats: int) -> tuple[float, float]:
    """(cold seconds, median warm seconds) of one page rendered through AppTest."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    if version:
        at.query_params["catalog"] = version
    at.run()
    at.switch_page(page)
    if version:
        at.query_params["catalog"] = version
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    warm = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    return cold, statistics.median(warm) if warm else float("nan")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=20_000, help="instance rows of the large catalog")
    p.add_argument("--repeats", type=int, default=3, help="warm runs per page (median printed)")
    args = p.parse_args(argv)
    os.environ.update(
        MOATLAB_HOME=tempfile.mkdtemp(prefix="moatlab-catalog-bench-"),
        MOATLAB_START_WORKER="0",
        MOATLAB_OFFLINE="1",
    )
    from streamlit.logger import set_log_level

    set_log_level("error")  # AppTest has no server runtime: its warnings say so on every run
    from bizmodel.catalog import read_catalog
    from ui.views import catalog as catalog_view

    instances, accelerators = large_catalog_csv(args.rows)
    catalog = read_catalog(instances, accelerators, name="bench")
    version = catalog_view.save_catalog(catalog)
    size = len(instances) / 2**20
    print(f"catalog of {len(catalog.instances):,} instance rows ({size:.1f} MB), version {version}")
    print(f"{'page':<24} {'catalog':<10} {'cold s':>8} {'warm s':>8}")
    for page in PAGES:
        for label, wanted in (("bundled", None), (f"{args.rows:,}", version)):
            cold, warm = render_seconds(page, wanted, args.repeats)
            print(f"{page:<24} {label:<10} {cold:>8.2f} {warm:>8.2f}")
    print(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
