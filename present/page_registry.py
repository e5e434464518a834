"""The app's pages, declared once: file, link path, title, icon, navigation section, and whether a
share link may open it.

Pure (no Streamlit): the router (``app.py``) builds its navigation from :data:`PAGES`, the share
link codec (:mod:`present.sharelink`) and the sharing view take the shareable ones from here, and every
link between pages names its target through :func:`page_file`. Adding a page means one entry here
and its file under ``app_pages/`` (not ``pages/``: that folder name switches Streamlit to its
legacy routing).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """One page: ``key`` is its link path (``/train``), ``file`` its script, ``title_key`` and
    ``section_key`` its catalog keys, ``icon`` a Material icon, ``shareable`` whether a share link
    may open it, ``default`` whether it is served at the app's root."""

    key: str
    file: str
    title_key: str
    icon: str
    section_key: str
    shareable: bool = False
    default: bool = False


_START, _MODEL, _ECONOMICS = "nav.start", "nav.model", "nav.economics"

PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "app_pages/overview.py", "nav.overview", ":material/home:", _START, True, True),
    PageSpec("train", "app_pages/train.py", "nav.train", ":material/model_training:", _MODEL),
    PageSpec("evaluate", "app_pages/evaluate.py", "nav.evaluate", ":material/fact_check:", _MODEL),
    PageSpec("inference", "app_pages/inference.py", "nav.inference", ":material/speed:", _MODEL),
    PageSpec("learn", "app_pages/learn.py", "nav.learn", ":material/school:", _MODEL),
    PageSpec("runs", "app_pages/runs.py", "nav.runs", ":material/table_rows:", _MODEL),
    PageSpec("compute", "app_pages/compute.py", "nav.compute", ":material/payments:", _ECONOMICS, True),
    PageSpec(
        "data-value",
        "app_pages/data_value.py",
        "nav.data_value",
        ":material/database:",
        "nav.economics",
        True,
    ),
    PageSpec(
        "scenarios",
        "app_pages/scenarios.py",
        "nav.scenarios",
        ":material/query_stats:",
        "nav.economics",
        True,
    ),
    PageSpec("compare", "app_pages/compare.py", "nav.compare", ":material/compare:", _ECONOMICS, True),
    PageSpec(
        "build-vs-buy", "app_pages/build_buy.py", "nav.build_buy", ":material/balance:", _ECONOMICS, True
    ),
)

#: The page served at the app's root (a link to it carries no path).
DEFAULT_PAGE: str = next(p.key for p in PAGES if p.default)

#: The link paths a share link may open.
SHAREABLE: tuple[str, ...] = tuple(p.key for p in PAGES if p.shareable)

_BY_KEY = {p.key: p for p in PAGES}


def page_file(key: str) -> str:
    """The script of the page at link path ``key``.

    >>> page_file("build-vs-buy")
    'app_pages/build_buy.py'
    """
    return _BY_KEY[key].file


def sections() -> dict[str, list[PageSpec]]:
    """The pages grouped by navigation section key, in declaration order.

    >>> [(k, len(v)) for k, v in sections().items()]
    [('nav.start', 1), ('nav.model', 5), ('nav.economics', 5)]
    """
    out: dict[str, list[PageSpec]] = {}
    for page in PAGES:
        out.setdefault(page.section_key, []).append(page)
    return out
