"""The scenario being worked on, and the bar that saves, renames, duplicates and deletes it.

A scenario comes from a template (``?scenario=base|bull|bear``), from the store
(``?scenario=<id>``), or from a share link or an imported JSON file (``?scenario=shared-<digest>``:
an unsaved copy kept in this session; a share link keeps its token in ``?share=`` so a reload
reopens it). The URL always names it, so a reload reopens it. The working copy (the
document, its name, the run it is bound to, unsaved edits) lives in session state until it is
saved; saving writes the document JSON and the run id to the store in one transaction.

Scenarios and runs belong to the session's owner (the store it is given is scoped): another
owner's scenario id opens as "no longer exists", and a scenario is never saved bound to another
owner's run (a shared link's run, say): saving says so and asks to bind one of the user's own.

A saved document that no longer validates (written by hand, or by an older version) is
reported with every problem and left untouched in the store; the page falls back to the base
template so nothing is lost and nothing crashes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import streamlit as st

from bizmodel.scenario import TEMPLATES, Scenario, ScenarioError
from safetext import for_markdown, for_plain
from store import OwnerError, Store, StoreError
from ui.i18n import t
from ui.state import store_guard
from ui.widgets import name_refusal

DRAFTS_KEY = "scenario_drafts"
CURRENT_KEY = "scenario_current"
NOTICE_KEY = "scenario_notice"
TEMPLATE_PREFIX = "template:"
SAVED_PREFIX = "saved:"
SHARED_PREFIX = "shared:"
#: The URL form of a shared (or imported) scenario's source: ``shared-<digest>``.
SHARED_PARAM_PREFIX = "shared-"


@dataclass
class Work:
    """The working copy: where it came from, its document, name, bound run and edit state."""

    source: str
    document: dict[str, Any]
    name: str
    run_id: str | None = None
    dirty: bool = False
    generation: int = 0

    @property
    def saved_id(self) -> str | None:
        """The store id when the working copy came from the store."""
        return self.source[len(SAVED_PREFIX) :] if self.source.startswith(SAVED_PREFIX) else None


def source_from_param(value: str | None) -> str:
    """The source key named by the URL's ``scenario`` parameter (a template kind or a saved id)."""
    if not value:
        return TEMPLATE_PREFIX + "base"
    if value in TEMPLATES:
        return TEMPLATE_PREFIX + value
    if value.startswith(SHARED_PARAM_PREFIX):
        return SHARED_PREFIX + value[len(SHARED_PARAM_PREFIX) :]
    return SAVED_PREFIX + value


def param_from_source(source: str) -> str:
    """The URL value of a source key.

    >>> param_from_source("shared:0a1b"), source_from_param("shared-0a1b")
    ('shared-0a1b', 'shared:0a1b')
    """
    if source.startswith(SHARED_PREFIX):
        return SHARED_PARAM_PREFIX + source[len(SHARED_PREFIX) :]
    return source.split(":", 1)[1]


def document_json(document: dict[str, Any]) -> str:
    """Canonical JSON of a document (sorted keys): the store's text and the caches' key."""
    return json.dumps(document, sort_keys=True, allow_nan=False)


def scenario_choices(store: Store) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Every scenario one can open, keyed by its link value (a template kind or a saved id): the
    display labels (templates first, then saved scenarios, newest first) and the saved rows by id."""
    labels = {k: t("scenario.option.template", name=t(f"scenario.template.{k}")) for k in TEMPLATES}
    with store_guard():
        saved = {row["id"]: row for row in store.list_scenarios()}
    labels.update({sid: row["name"] for sid, row in saved.items()})
    return labels, saved


def scenario_of(key: str, saved: dict[str, dict[str, Any]]) -> tuple[Scenario, str | None]:
    """The scenario a link value names (a template, or a saved row of ``saved``) and its bound run.

    Raises
    ------
    ScenarioError
        The saved document is not JSON or no longer validates (every problem listed).
    """
    if key in TEMPLATES:
        return TEMPLATES[key](), None
    row = saved[key]
    try:
        document = json.loads(row["document"])
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"the saved document is not readable JSON: {exc}") from None
    return Scenario.from_dict(document), row.get("run_id")


def _template(kind: str, generation: int) -> Work:
    scenario = TEMPLATES[kind]()
    return Work(
        source=TEMPLATE_PREFIX + kind,
        document=scenario.to_dict(),
        name=t(f"scenario.template.{kind}"),
        generation=generation,
    )


def _load(store: Store, source: str, generation: int) -> tuple[Work | None, list[str]]:
    """A fresh working copy of ``source``, or None and why (a missing or invalid saved one)."""
    if source.startswith(TEMPLATE_PREFIX):
        return _template(source[len(TEMPLATE_PREFIX) :], generation), []
    if source.startswith(SHARED_PREFIX):  # a shared or imported copy lives only in its session
        return None, [t("share.gone")]
    sid = source[len(SAVED_PREFIX) :]
    row = store.get_scenario(sid)
    if row is None:
        return None, [t("scenario.missing", id=sid[:40])]
    try:
        scenario, _ = scenario_of(sid, {sid: row})
    except ScenarioError as exc:
        return None, [t("scenario.invalid_saved", name=row["name"]), *exc.problems]
    document = scenario.to_dict()
    work = Work(
        source=source, document=document, name=row["name"], run_id=row.get("run_id"), generation=generation
    )
    return work, []


def next_generation() -> int:
    """A number never used before in this session: part of every editor widget's key, so
    widgets start afresh from the document whenever another scenario (or version) is shown."""
    generation = int(st.session_state.get("scn_generation", 0)) + 1
    st.session_state["scn_generation"] = generation
    return generation


def drafts() -> dict[str, Work]:
    """Working copies by source key, kept for the session: leaving a scenario (another page,
    another scenario) and coming back finds its unsaved edits where they were."""
    found = st.session_state.get(DRAFTS_KEY)
    if found is None:
        found = {}
        st.session_state[DRAFTS_KEY] = found
    return found


def wanted_source() -> str:
    """The scenario to show: the link's ``?scenario=``, else the one shown last in this session
    (a click in the sidebar drops the link's parameters), else the base template."""
    param = st.query_params.get("scenario")
    if param:
        return source_from_param(param)
    return st.session_state.get(CURRENT_KEY) or TEMPLATE_PREFIX + "base"


def current_work(store: Store) -> Work:
    """The working copy of the scenario to show (a draft when there is one, else loaded)."""
    wanted = wanted_source()
    pool = drafts()
    work = pool.get(wanted)
    if work is None:
        with store_guard():
            work, problems = _load(store, wanted, next_generation())
        if work is None:  # missing or invalid: say why once, fall back to base, lose nothing
            st.session_state[NOTICE_KEY] = problems
            fallback = TEMPLATE_PREFIX + "base"
            work = pool.get(fallback) or _template("base", next_generation())
        pool[work.source] = work
    st.session_state[CURRENT_KEY] = work.source
    if st.query_params.get("scenario") != param_from_source(work.source):
        st.query_params["scenario"] = param_from_source(work.source)
    if not work.source.startswith(SHARED_PREFIX) and "share" in st.query_params:
        del st.query_params["share"]  # the link's scenario is no longer the one shown
    return work


def open_copy(source: str, scenario: Scenario, name: str, run_id: str | None) -> Work:
    """Make an unsaved working copy of a shared or imported scenario the one shown (kept under
    ``source`` for the session; opening the same one again keeps its edits)."""
    pool = drafts()
    work = pool.get(source)
    if work is None:
        work = Work(
            source=source, document=scenario.to_dict(), name=name, run_id=run_id, generation=next_generation()
        )
        pool[source] = work
    st.session_state[CURRENT_KEY] = source
    st.query_params["scenario"] = param_from_source(source)
    return work


def take_notice() -> list[str]:
    """Problems met while opening the scenario (shown once)."""
    return list(st.session_state.pop(NOTICE_KEY, None) or [])


def active_scenario_label(store: Store | None = None) -> str | None:
    """The sidebar's "active scenario": the one open on the scenario pages (the session's last,
    else the link's), with "unsaved edits" when it has some; None before any was opened."""
    source = st.session_state.get(CURRENT_KEY)
    if not source and st.query_params.get("scenario"):
        source = source_from_param(st.query_params.get("scenario"))
    if not source:  # nothing opened yet: the Overview and Scenarios show the base template
        source = TEMPLATE_PREFIX + "base"
    work = drafts().get(source)
    if work is not None:
        return t("sidebar.scenario_unsaved", name=work.name) if work.dirty else work.name
    if source.startswith(TEMPLATE_PREFIX):
        kind = source[len(TEMPLATE_PREFIX) :]
        return t(f"scenario.template.{kind}") if kind in TEMPLATES else None
    if store is None or not source.startswith(SAVED_PREFIX):
        return None
    try:
        row = store.get_scenario(source[len(SAVED_PREFIX) :])
    except StoreError:
        return None
    return row["name"] if row else None


def switch_to(source: str) -> None:
    """Open another scenario (the next run loads it, or its draft)."""
    st.query_params["scenario"] = param_from_source(source)
    if not source.startswith(SHARED_PREFIX) and "share" in st.query_params:
        del st.query_params["share"]


def _options(store: Store) -> tuple[list[str], dict[str, str]]:
    """Source keys and their labels; scenarios with unsaved edits in this session are marked."""
    choices, _ = scenario_choices(store)
    labels = {source_from_param(k): label for k, label in choices.items()}
    for source, draft in drafts().items():
        if source.startswith(SHARED_PREFIX):
            labels[source] = t("scenario.option.shared", name=draft.name)
        elif draft.dirty and source in labels:
            labels[source] = t("scenario.option.unsaved", name=labels[source])
    return list(labels), labels


def manager_bar(store: Store, work: Work) -> None:
    """Choose a scenario; save, save as new, rename, duplicate or delete it."""
    options, labels = _options(store)
    if work.source not in labels:
        options.append(work.source)
        labels[work.source] = work.name
    key = f"scn_pick_{work.generation}"

    def _picked() -> None:
        switch_to(st.session_state[key])

    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    with c1:
        st.selectbox(
            t("scenario.pick"),
            options,
            index=options.index(work.source),
            format_func=lambda s: for_plain(labels.get(s, s)),
            key=key,
            on_change=_picked,
        )
    with c2:
        state = t("scenario.unsaved") if work.dirty or work.saved_id is None else t("scenario.saved_state")
        st.caption(state)
    name_key = f"scn_name_{work.generation}"
    st.text_input(t("scenario.name"), value=work.name, max_chars=200, key=name_key)
    b1, b2, b3, b4, b5 = st.columns(5)
    saved = work.saved_id is not None
    b1.button(
        t("scenario.save"),
        type="primary",
        key="scn_save",
        on_click=_save,
        args=(store, work, name_key, False),
        width="stretch",
    )
    b2.button(
        t("scenario.save_new"),
        key="scn_save_new",
        on_click=_save,
        args=(store, work, name_key, True),
        width="stretch",
    )
    b3.button(
        t("scenario.rename"),
        key="scn_rename",
        on_click=_rename,
        args=(store, work, name_key),
        disabled=not saved,
        width="stretch",
    )
    b4.button(
        t("scenario.duplicate"),
        key="scn_duplicate",
        on_click=_duplicate,
        args=(store, work),
        disabled=not saved,
        width="stretch",
    )
    with b5.popover(t("scenario.delete"), disabled=not saved, width="stretch"):
        st.caption(t("scenario.delete_confirm", name=for_markdown(work.name)))
        st.button(
            t("scenario.delete_yes"), key="scn_delete", on_click=_delete, args=(store, work), type="primary"
        )
    flash = st.session_state.pop("scn_flash", None)
    if flash:
        kind, text = flash
        (st.success if kind == "ok" else st.error)(text)


def _flash(kind: str, text: str) -> None:
    st.session_state["scn_flash"] = (kind, text)


def _save(store: Store, work: Work, name_key: str, as_new: bool) -> None:
    name = str(st.session_state.get(name_key) or "").strip()
    if not name:
        _flash("error", t("scenario.name_empty"))
        return
    refusal = name_refusal(name)
    if refusal is not None:
        _flash("error", refusal)
        return
    try:
        Scenario.from_dict(work.document)
        text = document_json(work.document)
        if work.saved_id and not as_new:
            sid = store.save_scenario(name, text, run_id=work.run_id, scenario_id=work.saved_id)
        else:
            sid = store.save_scenario(store.unique_scenario_name(name), text, run_id=work.run_id)
        row = store.get_scenario(sid)
    except ScenarioError as exc:
        _flash("error", t("scenario.cannot_save") + " " + for_markdown("; ".join(exc.problems)))
        return
    except OwnerError as exc:  # a link's run that belongs to someone else: never bound to this copy
        _flash("error", t("scenario.run_not_yours", run=for_markdown(exc.run_id[:40])))
        return
    except (StoreError, LookupError, ValueError) as exc:
        _flash("error", t("scenario.store_failed", reason=for_markdown(str(exc))))
        return
    pool = drafts()
    pool.pop(work.source, None)  # a template (or the scenario saved as new) reopens as stored
    work.source = SAVED_PREFIX + sid
    work.name = row["name"] if row else name
    work.dirty = False
    work.generation = next_generation()
    pool[work.source] = work
    st.session_state[CURRENT_KEY] = work.source
    st.query_params["scenario"] = sid
    _flash("ok", t("scenario.saved", name=for_markdown(work.name)))


def _rename(store: Store, work: Work, name_key: str) -> None:
    name = str(st.session_state.get(name_key) or "").strip()
    if not name or work.saved_id is None:
        _flash("error", t("scenario.name_empty"))
        return
    refusal = name_refusal(name)
    if refusal is not None:
        _flash("error", refusal)
        return
    try:
        ok = store.rename_scenario(work.saved_id, name)
    except (StoreError, ValueError) as exc:
        _flash("error", t("scenario.store_failed", reason=for_markdown(str(exc))))
        return
    if ok:
        work.name = name
        _flash("ok", t("scenario.renamed", name=for_markdown(name)))
    else:
        _flash("error", t("scenario.missing", id=for_markdown(work.saved_id)))


def _duplicate(store: Store, work: Work) -> None:
    """Copy the scenario as it is on screen: with unsaved edits, the copy holds them and the
    original goes back to its saved version."""
    if work.saved_id is None:
        return
    try:
        new_id = store.duplicate_scenario(work.saved_id)
        if new_id is not None and work.dirty:
            Scenario.from_dict(work.document)
            row = store.get_scenario(new_id)
            if row is not None:
                store.save_scenario(
                    row["name"], document_json(work.document), run_id=work.run_id, scenario_id=new_id
                )
    except ScenarioError as exc:
        _flash("error", t("scenario.cannot_save") + " " + for_markdown("; ".join(exc.problems)))
        return
    except (StoreError, LookupError, ValueError) as exc:
        _flash("error", t("scenario.store_failed", reason=for_markdown(str(exc))))
        return
    if new_id is None:
        _flash("error", t("scenario.missing", id=for_markdown(work.saved_id)))
        return
    drafts().pop(work.source, None)
    st.session_state[CURRENT_KEY] = SAVED_PREFIX + new_id
    st.query_params["scenario"] = new_id
    _flash("ok", t("scenario.duplicated"))


def _delete(store: Store, work: Work) -> None:
    if work.saved_id is None:
        return
    try:
        store.delete_scenario(work.saved_id)
    except StoreError as exc:
        _flash("error", t("scenario.store_failed", reason=for_markdown(str(exc))))
        return
    drafts().pop(work.source, None)
    st.session_state[CURRENT_KEY] = TEMPLATE_PREFIX + "base"
    st.query_params["scenario"] = "base"
    _flash("ok", t("scenario.deleted", name=for_markdown(work.name)))
