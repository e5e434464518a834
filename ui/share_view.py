"""Sharing the active scenario: the share link, the HTML report, the workbook, JSON export and import.

* **Share link** — :func:`share_link` packs the working scenario (as typed, with the run that
  drives it), its name, the page and the language into a :mod:`ui.sharelink` token and builds
  ``<this app>/<page>?share=<token>&lang=…`` (plus ``cur``/``fx`` when the currency is CNY).
  :func:`open_shared_link`, called by the router when a run has a link (:mod:`ui.share_gate`),
  opens such a link once per session: the scenario becomes an unsaved copy in the session
  (``?scenario=shared-<digest>``), the run
  becomes the active run and the page the link's page. A bad link shows what is wrong and the app
  falls back to its defaults; a token is never evaluated, unpickled or used as a path.
* **Exports** — the report and the workbook are built from one cached
  :func:`ui.report_data.build_report` (so they carry the page's numbers) only when the button is
  clicked; the scenario's JSON is the file ``python -m bizmodel project`` reads. What this session
  explored on the Compute cost and Data value pages (:func:`ui.explored.explored_in`) goes into
  the report with it.
* **Import** — a JSON file is validated by :meth:`~bizmodel.scenario.Scenario.from_dict`; every
  problem is listed by field, nothing is saved until the user saves it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlencode, urljoin, urlsplit

import streamlit as st

from bizmodel.catalog import Catalog
from bizmodel.montecarlo import working_bytes
from bizmodel.scenario import Scenario, ScenarioError
from mlcore.runs import get_run
from safetext import for_markdown
from store import Store
from ui import format as fmt
from ui.admission import Busy, TooLarge
from ui.capacity import heavy, session_id, show_refusal
from ui.catalog_view import active_catalog
from ui.explored import Explored, explored_in
from ui.i18n import current_language, t
from ui.page_registry import page_file
from ui.report_data import Report, ReportOptions, build_report, scenario_json
from ui.scenario_work import SHARED_PREFIX, Work, open_copy
from ui.share_gate import ERROR_KEY, SHARE_PARAM
from ui.sharelink import PAGES, SharedView, ShareLinkError, decode, encode
from ui.state import store_guard

APPLIED_KEY = "share_applied"
#: The page file of each page a link can name.
PAGE_FILES = {key: page_file(key) for key in PAGES}  # the pages a link may open
#: The page served at the app's root (Streamlit gives the default page no path of its own).
DEFAULT_PAGE = "overview"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Largest scenario JSON file accepted for import (bytes).
MAX_IMPORT_BYTES = 256_000
_SAFE_FILE = re.compile(r"[^0-9A-Za-z._-]+")


def _digest(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:12]


#: The Scenarios page's analysis widgets (Monte Carlo paths and seed, tornado ± % move).
PATHS_KEY, SEED_KEY, CHANGE_KEY = "scn_mc_paths", "scn_mc_seed", "scn_tornado_change"


def analysis_settings() -> tuple[int, int, float]:
    """The Monte Carlo paths and seed and the tornado's move (fraction) chosen on Scenarios in this
    session (the defaults until changed): links, the Overview and the exports use the same."""
    defaults = ReportOptions()
    paths = int(st.session_state.get(PATHS_KEY, defaults.paths))
    seed = int(st.session_state.get(SEED_KEY, defaults.seed))
    change = float(st.session_state.get(CHANGE_KEY, round(defaults.change * 100))) / 100.0
    return paths, seed, change


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


def share_link(work: Work, page: str) -> str:
    """The share link of ``work`` on ``page`` (absolute when the app knows its own URL).

    Raises
    ------
    ShareLinkError
        The scenario does not validate, or its link would be too long.
    """
    try:
        scenario = Scenario.from_dict(work.document)
    except ScenarioError as exc:
        raise ShareLinkError("; ".join(exc.problems)) from None
    language = current_language()
    paths, seed, change = analysis_settings()
    view = SharedView(
        scenario,
        run_id=work.run_id,
        page=page,
        language=language,
        name=work.name,
        paths=paths,
        seed=seed,
        change=change,
    )
    params = {SHARE_PARAM: encode(view), "lang": language, "catalog": active_catalog().version}
    style = fmt.current_style()
    if style.currency != "USD":
        params.update(cur=style.currency, fx=f"{style.usd_to_cny:g}")
    query = urlencode(params)
    base = st.context.url
    if not base:
        return f"./{'' if page == DEFAULT_PAGE else page}?{query}"
    parts = urlsplit(base)
    root = f"{parts.scheme}://{parts.netloc}{parts.path}"
    path = "" if page == DEFAULT_PAGE else page  # the default page lives at the app's root
    return f"{urljoin(root, path)}?{query}"


def share_button(work: Work, page: str) -> None:
    """ "Copy share link": a popover with the link (the code box has a copy button)."""
    assert page in PAGES
    with st.popover(t("share.button"), icon=":material/share:"):
        try:
            link = share_link(work, page)
        except ShareLinkError as exc:
            st.error(t("share.cannot", reason=for_markdown(str(exc))))
            return
        st.caption(t("share.copy_help"))
        st.code(link, language=None, wrap_lines=True)
        st.caption(t("share.contains", chars=f"{len(link):,}"))


# ---------------------------------------------------------------------- exports


@st.cache_data(max_entries=8, show_spinner=False)
def _report(
    document: str,
    *,
    name: str,
    run_id: str | None,
    run_json: str | None,
    settings: tuple[int, int, float],
    catalog_version: str,
    _catalog: Catalog,
    _session: str,
    explored_json: str = "{}",
    _wait_seconds: float | None = None,
) -> Report:
    """The report, computed within the work budget as ``_session`` (it holds a Monte Carlo of
    ``settings``' paths; a bound run may add two ranges): :class:`~ui.admission.Busy` when the
    budget has no room within ``_wait_seconds`` (default: the budget's). ``explored_json``: what
    the session explored (:meth:`ui.explored.Explored.to_dict` as JSON)."""
    del catalog_version, run_id  # cache key only
    from mlcore.specs import RunRecord

    run = RunRecord.from_dict(json.loads(run_json)) if run_json else None
    paths, seed, change = settings
    explored = Explored.from_dict(json.loads(explored_json))
    options = ReportOptions(paths=paths, seed=seed, change=change, explored=explored)
    scenario = Scenario.from_dict(json.loads(document))
    cost = working_bytes(paths, scenario.horizon_months, len(scenario.ranges) + 2)
    with heavy(cost, session=_session, wait_seconds=_wait_seconds):
        return build_report(scenario, name=name, run=run, catalog=_catalog, options=options)


#: How long a download waits for room in the work budget (it runs in a thread of its own, so
#: waiting holds no page up; still no room: the browser says the file could not be made).
DOWNLOAD_WAIT_SECONDS = 120.0


@dataclass(frozen=True)
class ReportInputs:
    """What a report is computed from (taken in the script thread; the download callbacks run
    outside it and must not touch Streamlit state)."""

    document: str
    name: str
    run_id: str | None
    run_json: str | None
    catalog: Catalog
    settings: tuple[int, int, float]
    session: str
    #: What the session explored (:class:`ui.explored.Explored`) as JSON.
    explored: str = "{}"

    def report(self, *, wait_seconds: float | None = None) -> Report:
        """The report (cached by scenario, run, settings, catalog and what was explored); may
        raise :class:`~ui.admission.Busy` or :class:`~ui.admission.TooLarge`."""
        return _report(
            self.document,
            name=self.name,
            run_id=self.run_id,
            run_json=self.run_json,
            settings=self.settings,
            catalog_version=self.catalog.version,
            _catalog=self.catalog,
            _session=self.session,
            explored_json=self.explored,
            _wait_seconds=wait_seconds,
        )


def report_inputs(store: Store, work: Work) -> ReportInputs | None:
    """The inputs of ``work``'s report, or None after saying why (the scenario does not validate)."""
    try:
        scenario = Scenario.from_dict(work.document)
    except ScenarioError as exc:
        st.error(t("scenario.invalid") + "\n\n" + "\n".join(f"- {for_markdown(p)}" for p in exc.problems))
        return None
    run = None
    if work.run_id:
        with store_guard():
            run = get_run(store, work.run_id)
        if run is None or run.test_accuracy is None:
            st.warning(t("scenario.run_gone", run=for_markdown(work.run_id[:40])))
            run = None
    return ReportInputs(
        document=json.dumps(scenario.to_dict(), sort_keys=True),
        name=work.name,
        run_id=work.run_id,
        run_json=json.dumps(run.to_dict(), sort_keys=True) if run is not None else None,
        catalog=active_catalog(),
        settings=analysis_settings(),
        session=session_id(),
        explored=json.dumps(explored_in(st.session_state).to_dict(), sort_keys=True),
    )


def report_of(store: Store, work: Work) -> Report | None:
    """The report of ``work`` (computed once per scenario, run and catalog), or None after saying why."""
    inputs = report_inputs(store, work)
    if inputs is None:
        return None
    try:
        with st.spinner(t("share.computing")):
            return inputs.report()
    except (Busy, TooLarge) as exc:
        show_refusal(exc, key="share_report_retry")
        return None


def _file_stem(name: str) -> str:
    stem = _SAFE_FILE.sub("-", name).strip("-.")[:60]
    return stem or "scenario"


def export_buttons(store: Store, work: Work) -> None:
    """Download the HTML report, the Excel workbook and the scenario JSON (built on click)."""
    from ui.report import render_html
    from ui.workbook import workbook_bytes

    inputs = report_inputs(store, work)
    if inputs is None:
        return
    stem = _file_stem(work.name)
    style = fmt.current_style()
    document = json.loads(inputs.document)

    def _fresh() -> Report:  # the cached numbers, stamped with the time of the download
        report = inputs.report(wait_seconds=DOWNLOAD_WAIT_SECONDS)
        return replace(report, generated_at=datetime.now(UTC).replace(microsecond=0))

    def _html() -> bytes:
        return render_html(_fresh(), style).encode("utf-8")

    def _xlsx() -> bytes:
        return workbook_bytes(_fresh(), style)

    def _json() -> bytes:
        return scenario_json(Scenario.from_dict(document)).encode("utf-8")

    downloads = (
        ("report", _html, f"{stem}-report.html", "text/html", ":material/description:"),
        ("workbook", _xlsx, f"{stem}.xlsx", XLSX_MIME, ":material/table_view:"),
        ("json", _json, f"{stem}.json", "application/json", ":material/data_object:"),
    )
    for column, (what, build, file_name, mime, icon) in zip(st.columns(3), downloads, strict=True):
        column.download_button(
            t(f"share.{what}"),
            data=build,
            file_name=file_name,
            mime=mime,
            on_click="ignore",  # built when clicked, without rerunning the page
            icon=icon,
            key=f"share_{what}",
            width="stretch",
        )


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
