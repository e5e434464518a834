"""The active scenario, the working copy being edited, and the bar that saves, renames, duplicates
and deletes it.

**The active scenario** is the one every page that needs a scenario uses (Overview, Scenarios,
Compare's default, Build vs buy, Data value's value of accuracy, the share link and the report). It is
chosen in the sidebar on every page (:func:`active_scenario_picker`); :func:`active_source` is the one
answer to "which scenario is active?" and only :func:`activate` changes it. It is kept in the URL
(``?scenario=``, so a reload or a link keeps it) and in the session (a click on a page in the
sidebar's navigation drops the link's parameters).

A scenario comes from a template (``?scenario=base|bull|bear``), from the store
(``?scenario=<id>``), or from a share link or an imported JSON file (``?scenario=shared-<digest>``:
an unsaved copy kept in this session; a share link keeps its token in ``?share=`` so a reload
reopens it). A share link's scenario is active for its viewer only: it lives in their session.

The Scenarios page edits the active scenario. The working copy (the document, its name, the run it
is bound to, unsaved edits) lives in session state until it is saved; saving writes the document
JSON and the run id to the store in one transaction. The rule of the bar:

* **Save** stores the scenario being edited (a template or a shared copy becomes a new saved
  scenario) and it stays active, under its saved name: nothing on any page changes but the name.
* **Save as new** and **Duplicate** store a copy (with the unsaved edits, if any). The active
  scenario does not change: it goes back to its saved version. The message offers a button to make
  the copy active.
* **Rename** renames; the active scenario stays the same scenario.
* **Delete** of the active scenario makes the base template active, and says so.

Scenarios and runs belong to the session's owner (the store it is given is scoped): another
owner's scenario id opens as "no longer exists", and a scenario is never saved bound to another
owner's run (a shared link's run, say): saving says so and asks to bind one of the user's own.

A saved document that no longer validates (written by hand, or by an older version), or a link's
scenario that no longer exists, is reported with every problem (above the page, on whichever page
the link opens) and left untouched in the store; the base template becomes active so nothing is lost
and nothing crashes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import streamlit as st

from bizmodel.scenario import TEMPLATES, Scenario
from bizmodel.scenario_bounds import ScenarioError
from safetext import for_markdown, for_plain
from store import OwnerError, Store, StoreError
from ui.components.widgets import name_refusal
from ui.session.i18n import t
from ui.session.share_gate import SHARE_PARAM  # the URL parameter of a share link's token
from ui.session.state import store_guard

DRAFTS_KEY = "scenario_drafts"
CURRENT_KEY = "scenario_current"
NOTICE_KEY = "scenario_notice"
TEMPLATE_PREFIX = "template:"
SAVED_PREFIX = "saved:"
SHARED_PREFIX = "shared:"
#: The URL form of a shared (or imported) scenario's source: ``shared-<digest>``.
SHARED_PARAM_PREFIX = "shared-"
#: The source key of the base template: active when nothing else is.
BASE = TEMPLATE_PREFIX + "base"


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


def _choices(store: Store) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """:func:`scenario_choices` without the store guard (raises StoreError)."""
    labels = {k: t("scenario.option.template", name=t(f"scenario.template.{k}")) for k in TEMPLATES}
    saved = {row["id"]: row for row in store.list_scenarios()}
    labels.update({sid: row["name"] for sid, row in saved.items()})
    return labels, saved


def scenario_choices(store: Store) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Every scenario one can open, keyed by its link value (a template kind or a saved id): the
    display labels (templates first, then saved scenarios, newest first) and the saved rows by id."""
    with store_guard():
        return _choices(store)


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


def active_source() -> str:
    """Which scenario is active, as a source key: the link's ``?scenario=``, else the one active
    last in this session (a click on a page in the sidebar's navigation drops the link's
    parameters), else the base template.

    The one home of this fact: every page asks it (through :func:`current_work`), and only
    :func:`activate` changes it. It may name a scenario that no longer exists; :func:`current_work`
    then makes the base template active.
    """
    param = st.query_params.get("scenario")
    if param:
        return source_from_param(param)
    return st.session_state.get(CURRENT_KEY) or BASE


def activate(source: str) -> None:
    """Make ``source`` the active scenario of this session and name it in the link (a share
    link's token is dropped once its scenario is no longer the active one)."""
    st.session_state[CURRENT_KEY] = source
    param = param_from_source(source)
    if st.query_params.get("scenario") != param:
        st.query_params["scenario"] = param
    if not source.startswith(SHARED_PREFIX) and SHARE_PARAM in st.query_params:
        del st.query_params[SHARE_PARAM]


def _active_work(store: Store) -> Work:
    """:func:`current_work` without the store guard.

    Raises
    ------
    StoreError
        The database cannot be read.
    """
    wanted = active_source()
    pool = drafts()
    work = pool.get(wanted)
    if work is None:
        work, problems = _load(store, wanted, next_generation())
        if work is None:  # missing or invalid: say why once, fall back to base, lose nothing
            st.session_state[NOTICE_KEY] = problems
            work = pool.get(BASE) or _template("base", next_generation())
        pool[work.source] = work
    activate(work.source)
    return work


def current_work(store: Store) -> Work:
    """The active scenario's working copy: its draft (with unsaved edits) when this session has
    one, else loaded. A scenario that no longer exists or no longer validates makes the base
    template active; the problems wait for :func:`show_notice`."""
    with store_guard():
        return _active_work(store)


def open_copy(source: str, scenario: Scenario, name: str, run_id: str | None) -> Work:
    """Make an unsaved working copy of a shared or imported scenario the active one (kept under
    ``source`` for the session; opening the same one again keeps its edits)."""
    pool = drafts()
    work = pool.get(source)
    if work is None:
        work = Work(
            source=source, document=scenario.to_dict(), name=name, run_id=run_id, generation=next_generation()
        )
        pool[source] = work
    activate(source)
    return work


def show_notice() -> None:
    """Say once, above the page, why the link's scenario could not be opened (and that the base
    template is active instead)."""
    problems = st.session_state.pop(NOTICE_KEY, None)
    if problems:
        st.warning("\n\n".join(for_markdown(p) for p in problems), icon=":material/warning:")


def as_seen(key: str, saved: dict[str, dict[str, Any]]) -> tuple[Scenario, str | None, bool]:
    """The scenario a link value names (see :func:`scenario_of`) as this session sees it: its
    working copy when it has unsaved edits here (the same numbers as the pages that use the active
    scenario), else the stored version; and whether the edits were used.

    Raises
    ------
    ScenarioError
        The saved document is not JSON or no longer validates.
    """
    draft = drafts().get(source_from_param(key))
    if draft is not None and draft.dirty:
        return Scenario.from_dict(draft.document), draft.run_id, True
    scenario, run_id = scenario_of(key, saved)
    return scenario, run_id, False


def _options(store: Store) -> tuple[list[str], dict[str, str]]:
    """Source keys and their labels (templates, saved scenarios newest first, this session's shared
    or imported copies); scenarios with unsaved edits in this session are marked.

    Raises
    ------
    StoreError
        The database cannot be read.
    """
    choices, _ = _choices(store)
    labels = {source_from_param(k): label for k, label in choices.items()}
    for source, draft in drafts().items():
        if source.startswith(SHARED_PREFIX):
            labels[source] = t("scenario.option.shared", name=draft.name)
        elif draft.dirty and source in labels:
            labels[source] = t("scenario.option.unsaved", name=labels[source])
    return list(labels), labels


#: The key of the sidebar's select box of the active scenario.
PICK_KEY = "active_scenario"


def active_scenario_picker(store: Store | None) -> None:
    """The sidebar's choice of the active scenario, on every page: a select box of the templates
    (translated), the user's saved scenarios and this session's shared copies, showing the active
    one (marked when it has unsaved edits). Choosing another makes it active on every page.

    Without a database (``store`` None, or it fails) it only says so: the page explains why.
    """
    work: Work | None = None
    options: list[str] = []
    labels: dict[str, str] = {}
    if store is not None:
        try:
            work = _active_work(store)
            options, labels = _options(store)
        except StoreError:
            work = None
    if work is None:
        st.caption(t("sidebar.active_scenario"))
        st.caption(t("sidebar.no_scenario"))
        return
    if work.source not in labels:
        options.append(work.source)
        labels[work.source] = work.name
    if st.session_state.get(PICK_KEY) != work.source:
        st.session_state[PICK_KEY] = work.source

    def _picked() -> None:
        # The browser names the choice by its label: a label that changed since it was drawn
        # ("• unsaved edits" gone after a save) comes back as raw text, which is no choice at all.
        chosen = st.session_state[PICK_KEY]
        if chosen in labels:
            activate(chosen)
        else:
            st.session_state[PICK_KEY] = work.source

    st.selectbox(
        t("sidebar.active_scenario"),
        options,
        format_func=lambda s: for_plain(labels.get(s, s)),
        key=PICK_KEY,
        on_change=_picked,
        help=t("sidebar.active_scenario_help"),
    )


def manager_bar(store: Store, work: Work) -> None:
    """The active scenario's name and state; save, save as new, rename, duplicate or delete it
    (the rule is in the module docstring, and said on the page)."""
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    with c1:
        st.markdown(t("scenario.editing_active", name=for_markdown(work.name)))
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
    st.caption(t("scenario.active_rule"))
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, text, offer = flash
        (st.success if kind == "ok" else st.error)(text)
        if offer is not None:  # a copy was saved: making it active is the user's choice
            source, name = offer
            st.button(
                t("scenario.activate_copy", name=for_markdown(name)),
                key="scn_activate_copy",
                on_click=activate,
                args=(source,),
                icon=":material/check_circle:",
            )


FLASH_KEY = "scn_flash"


def _flash(kind: str, text: str, offer: tuple[str, str] | None = None) -> None:
    """A message for the next run of the bar; ``offer`` (source, name) adds the button that makes a
    saved copy active."""
    st.session_state[FLASH_KEY] = (kind, text, offer)


def _keep_original(work: Work) -> None:
    """After a copy was stored: the scenario being edited goes back to its saved (or template)
    version and stays active; its unsaved edits are in the copy. A shared or imported copy has no
    saved version to go back to and keeps its draft."""
    if not work.source.startswith(SHARED_PREFIX):
        drafts().pop(work.source, None)


def _save(store: Store, work: Work, name_key: str, as_new: bool) -> None:
    """Save (the scenario being edited, which stays active) or save as new (a copy; the active
    scenario does not change)."""
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
    saved_name = row["name"] if row else name
    if as_new:
        _keep_original(work)
        text = t("scenario.copy_saved", copy=for_markdown(saved_name), name=for_markdown(work.name))
        _flash("ok", text, offer=(SAVED_PREFIX + sid, saved_name))
        return
    pool = drafts()
    pool.pop(work.source, None)  # a template (or a shared copy) reopens as it was
    work.source = SAVED_PREFIX + sid
    work.name = saved_name
    work.dirty = False
    work.generation = next_generation()
    pool[work.source] = work
    activate(work.source)  # the scenario being edited is the active one: it stays active
    _flash("ok", t("scenario.saved", name=for_markdown(work.name)))


def _rename(store: Store, work: Work, name_key: str) -> None:
    """Rename the saved scenario being edited (it stays active)."""
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
    """Copy the scenario as it is on screen (with unsaved edits, the copy holds them and the
    original goes back to its saved version); the active scenario does not change."""
    if work.saved_id is None:
        return
    try:
        new_id = store.duplicate_scenario(work.saved_id)
        row = store.get_scenario(new_id) if new_id is not None else None
        if row is not None and work.dirty:
            Scenario.from_dict(work.document)
            text = document_json(work.document)
            store.save_scenario(row["name"], text, run_id=work.run_id, scenario_id=new_id)
    except ScenarioError as exc:
        _flash("error", t("scenario.cannot_save") + " " + for_markdown("; ".join(exc.problems)))
        return
    except (StoreError, LookupError, ValueError) as exc:
        _flash("error", t("scenario.store_failed", reason=for_markdown(str(exc))))
        return
    if new_id is None or row is None:
        _flash("error", t("scenario.missing", id=for_markdown(work.saved_id)))
        return
    _keep_original(work)
    text = t("scenario.copy_saved", copy=for_markdown(row["name"]), name=for_markdown(work.name))
    _flash("ok", text, offer=(SAVED_PREFIX + new_id, row["name"]))


def _delete(store: Store, work: Work) -> None:
    """Delete the saved scenario being edited (the active one): the base template becomes active."""
    if work.saved_id is None:
        return
    try:
        store.delete_scenario(work.saved_id)
    except StoreError as exc:
        _flash("error", t("scenario.store_failed", reason=for_markdown(str(exc))))
        return
    drafts().pop(work.source, None)
    activate(BASE)
    _flash("ok", t("scenario.deleted", name=for_markdown(work.name), base=t("scenario.template.base")))
