"""The page registry is the one list of pages: every script under app_pages/ is in it once, its
files exist, its link paths are unique, and the share link codec opens exactly its shareable ones."""

from __future__ import annotations

from pathlib import Path

from present import page_registry, sharelink
from present.i18n import catalog

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_script_is_registered_once() -> None:
    files = [p.file for p in page_registry.PAGES]
    assert len(files) == len(set(files))
    on_disk = sorted(
        str(f.relative_to(ROOT)) for f in (ROOT / "app_pages").glob("*.py") if f.name != "__init__.py"
    )
    assert sorted(files) == on_disk


def test_link_paths_titles_and_the_default() -> None:
    keys = [p.key for p in page_registry.PAGES]
    assert len(keys) == len(set(keys))
    assert [p.key for p in page_registry.PAGES if p.default] == ["overview"]
    for lang in ("en", "zh"):
        strings = catalog(lang)
        for page in page_registry.PAGES:
            assert page.title_key in strings and page.section_key in strings, (lang, page.key)


def test_share_links_open_the_shareable_pages() -> None:
    assert set(sharelink.PAGES) == {p.key for p in page_registry.PAGES if p.shareable}
    assert set(sharelink.PAGES) == {
        "overview",
        "scenarios",
        "compare",
        "build-vs-buy",
        "data-value",
        "compute",
    }
    assert page_registry.page_file("data-value") == "app_pages/data_value.py"
