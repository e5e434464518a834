"""Share what the founder built: the link that reopens this view, the HTML report and the workbook.
Overview and the Share page offer them; both build the report the same way, cached by what
decides it."""

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
from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import ScenarioError
from mlcore.runs import get_run
from present import format as fmt
from present.explored import Explored, explored_in
from present.page_registry import DEFAULT_PAGE
from present.report_data import Report, ReportOptions, build_report, scenario_json
from present.sharelink import PAGES, SharedView, ShareLinkError, encode
from safetext import for_markdown
from store import Store
from ui.components.catalog import active_catalog
from ui.components.scenario_compute import CHANGE_KEY, PATHS_KEY, SEED_KEY
from ui.components.scenario_work import Work
from ui.session.admission import Busy, TooLarge
from ui.session.capacity import heavy, session_id, show_refusal
from ui.session.i18n import current_language, t
from ui.session.share_gate import SHARE_PARAM
from ui.session.state import store_guard

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_SAFE_FILE = re.compile(r"[^0-9A-Za-z._-]+")


def _digest(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:12]


def analysis_settings() -> tuple[int, int, float]:
    """The Monte Carlo paths and seed and the tornado's move (fraction) chosen on Scenarios in this
    session (the defaults until changed): links, the Overview and the exports use the same."""
    defaults = ReportOptions()
    paths = int(st.session_state.get(PATHS_KEY, defaults.paths))
    seed = int(st.session_state.get(SEED_KEY, defaults.seed))
    change = float(st.session_state.get(CHANGE_KEY, round(defaults.change * 100))) / 100.0
    return paths, seed, change


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
    ``settings``' paths; a bound run may add two ranges): :class:`~ui.session.admission.Busy` when the
    budget has no room within ``_wait_seconds`` (default: the budget's). ``explored_json``: what
    the session explored (:meth:`present.explored.Explored.to_dict` as JSON)."""
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
    #: What the session explored (:class:`present.explored.Explored`) as JSON.
    explored: str = "{}"

    def report(self, *, wait_seconds: float | None = None) -> Report:
        """The report (cached by scenario, run, settings, catalog and what was explored); may
        raise :class:`~ui.session.admission.Busy` or :class:`~ui.session.admission.TooLarge`."""
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
    from present.report import render_html
    from present.workbook import workbook_bytes

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
