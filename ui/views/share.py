"""Sharing the active scenario: the share link, the HTML report, the workbook, JSON export and import.

* **Share link** — :func:`share_link` packs the working scenario (as typed, with the run that
  drives it), its name, the page and the language into a :mod:`present.sharelink` token and builds
  ``<this app>/<page>?share=<token>&lang=…`` (plus ``cur``/``fx`` when the currency is CNY).
  :func:`open_shared_link`, called by the router when a run has a link (:mod:`ui.session.share_gate`),
  opens such a link once per session: the scenario becomes an unsaved copy in the session
  (``?scenario=shared-<digest>``), the run
  becomes the active run and the page the link's page. A bad link shows what is wrong and the app
  falls back to its defaults; a token is never evaluated, unpickled or used as a path.
* **Exports** — the report and the workbook are built from one cached
  :func:`present.report_data.build_report` (so they carry the page's numbers) only when the button is
  clicked; the scenario's JSON is the file ``python -m bizmodel project`` reads. What this session
  explored on the Compute cost and Data value pages (:func:`present.explored.explored_in`) goes into
  the report with it.
* **Import** — a JSON file is validated by :meth:`~bizmodel.scenario.Scenario.from_dict`; every
  problem is listed by field, nothing is saved until the user saves it.
"""

from __future__ import annotations

import json

import streamlit as st

from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import ScenarioError
from present.page_registry import page_file
from present.sharelink import PAGES, ShareLinkError, decode
from safetext import for_markdown
from ui.components.exports import _digest
from ui.components.scenario_compute import CHANGE_KEY, PATHS_KEY, SEED_KEY
from ui.components.scenario_work import SHARED_PREFIX, open_copy
from ui.session.i18n import t
from ui.session.share_gate import ERROR_KEY, SHARE_PARAM

APPLIED_KEY = "share_applied"
#: The page file of each page a link can name.
PAGE_FILES = {key: page_file(key) for key in PAGES}  # the pages a link may open
#: The page served at the app's root (Streamlit gives the default page no path of its own).
#: Largest scenario JSON file accepted for import (bytes).
MAX_IMPORT_BYTES = 256_000


#: The Scenarios page's analysis widgets (Monte Carlo paths and seed, tornado ± % move).


# ---------------------------------------------------------------------- opening a link


def open_shared_link(current_page: str | None) -> None:
    """Open the link's ``?share=`` token once per session (module docstring); a bad token is
    dropped from the URL and its message shown by :func:`show_link_problem`."""
    token = st.query_params.get(SHARE_PARAM)
    if not token or st.session_state.get(APPLIED_KEY) == token:
        return
    st.session_state[APPLIED_KEY] = token
    try:
        view = decode(token)
    except ShareLinkError as exc:
        st.session_state[ERROR_KEY] = str(exc)
        del st.query_params[SHARE_PARAM]
        return
    name = view.name or t("share.default_name")
    open_copy(SHARED_PREFIX + _digest(token), view.scenario, name, view.run_id)
    st.session_state[PATHS_KEY], st.session_state[SEED_KEY] = view.paths, view.seed
    st.session_state[CHANGE_KEY] = round(view.change * 20) * 5  # the page's slider moves in 5 % steps
    if view.run_id:
        st.query_params["run"] = view.run_id
    elif "run" in st.query_params:
        del st.query_params["run"]
    if "lang" not in st.query_params:
        st.query_params["lang"] = view.language
    if current_page != view.page:
        st.switch_page(PAGE_FILES[view.page], query_params=st.query_params.to_dict())
    st.rerun()  # once per link: the language, run and scenario now come from it


def show_link_problem() -> None:
    """Say once why a share link could not be opened, and what happens instead."""
    problem = st.session_state.pop(ERROR_KEY, None)
    if problem:
        st.error(t("share.bad_link", reason=for_markdown(problem)), icon=":material/link_off:")


# ---------------------------------------------------------------------- making a link


# ---------------------------------------------------------------------- exports


# ---------------------------------------------------------------------- import


def read_scenario_file(data: bytes) -> Scenario:
    """The scenario in an uploaded JSON file.

    Raises
    ------
    ScenarioError
        With every problem: too large, not UTF-8, not JSON (with line and column), NaN or
        Infinity, an integer of more digits than Python reads (4,300), nested too deeply, or each
        invalid field (values quoted short, see :func:`safetext.shown`).
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise ScenarioError(
            [f"the file is {len(data):,} bytes; a scenario file is at most {MAX_IMPORT_BYTES:,} bytes"]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(["the file is not UTF-8 text; save the scenario as UTF-8 JSON"]) from None
    try:
        document = json.loads(text, parse_constant=_no_constant, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise ScenarioError([f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from None
    except RecursionError:
        raise ScenarioError(
            ["the file is nested too deeply (lists or objects inside each other); it is not a scenario"]
        ) from None
    except _BadNumber as exc:
        raise ScenarioError([str(exc)]) from None
    except ValueError:  # any other refusal of the JSON reader, worded for the user
        raise ScenarioError(["the file is not valid JSON; export the scenario again"]) from None
    return Scenario.from_dict(document)


#: The most digits of a whole number in an imported scenario: Python reads at most 4,300 (its
#: guard against slow conversions); a shorter one out of range is refused naming its field.
MAX_INT_DIGITS = 4_300


class _BadNumber(ValueError):
    """A JSON number a scenario file must never hold; the message says what to write instead."""


def _no_constant(name: str) -> None:
    raise _BadNumber(f"{name} is not a number JSON allows; write a finite number")


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _BadNumber(
            f"the file holds a whole number of {digits:,} digits; no scenario field needs more than 15, "
            "so write the value you mean (e.g. 2e6)"
        )
    return int(text)


def import_box() -> None:
    """Open a scenario JSON file as an unsaved copy (save it to keep it)."""
    upload = st.file_uploader(
        t("share.import"), type=["json"], key="share_import", help=t("share.import_help")
    )
    if upload is None:
        return
    data = upload.getvalue()
    marker = _digest(data)
    if st.session_state.get("share_imported") == marker:
        return
    try:
        scenario = read_scenario_file(data)
    except ScenarioError as exc:
        st.error(
            t("share.import_invalid", name=for_markdown(upload.name))
            + "\n\n"
            + "\n".join(f"- {for_markdown(p)}" for p in exc.problems)
        )
        return
    st.session_state["share_imported"] = marker
    name = upload.name.rsplit(".", 1)[0][:200] or t("share.default_name")
    open_copy(SHARED_PREFIX + marker, scenario, name, None)
    st.rerun()
