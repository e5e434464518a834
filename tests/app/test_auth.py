"""AppTest of sign-in and ownership: without ``[auth]`` secrets there is no sign-in UI and one
local user; with them, a visitor who is not signed in sees only the sign-in page, and each
signed-in user sees only their own runs, scenarios and jobs, also through links that name
someone else's.

``AppTest.secrets`` stands in for ``.streamlit/secrets.toml`` and ``AppTest.user`` for the
identity claims ``st.user`` returns after a real OIDC sign-in, so no provider is contacted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from bizmodel.scenario import base_template
from mlcore.runs import run_row
from mlcore.specs import RunRecord
from present.sharelink import SharedView, encode
from store import Store
from tests.support.app import APP, make_app, no_errors, recorded
from ui.session.auth import auth_configured, current_owner

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-not-used",
    "client_id": "moatlab-test",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://id.example/.well-known/openid-configuration",
}
ISSUER = "https://id.example"
ALICE = {
    "is_logged_in": True,
    "iss": ISSUER,
    "sub": "alice",
    "name": "Alice Example",
    "email": "a@example.com",
}
BOB = {"is_logged_in": True, "iss": ISSUER, "sub": "bob", "name": "Bob Example", "email": "b@example.com"}
RUNS = "app_pages/runs.py"
SCENARIOS = "app_pages/scenarios.py"


def owner_of(claims: dict[str, Any]) -> str:
    return f"{claims['iss']}#{claims['sub']}"


def seed(owner: str | None, prefix: str, n: int = 1) -> list[RunRecord]:
    """``n`` finished runs ``<prefix>-<i>`` named ``<prefix> run <i>``, owned by ``owner``."""
    store = Store().scoped(owner)
    _, final = recorded()
    out = []
    for i in range(n):
        rec = final.replace(
            id=f"{prefix}-{i}",
            name=f"{prefix} run {i}",
            created_at=f"2026-11-2{i}T10:00:00Z",
            test_accuracy=0.9,
        )
        store.insert_run(run_row(rec))
        out.append(rec)
    return out


def app(user: dict[str, Any] | None, page: str | None = None, **params: str) -> AppTest:
    """The app as ``user`` sees it with sign-in configured (None: no ``[auth]`` secrets)."""

    def sign_in(at: AppTest) -> None:
        if user is not None:
            at.secrets["auth"] = dict(AUTH)
            at.user = dict(user)

    return make_app(page, prepare=sign_in, **params)


def all_text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "title", "info", "warning", "error")
        for e in getattr(at, kind)
    ]
    parts += [" ".join(map(str, d.value.to_numpy().ravel())) for d in at.dataframe]
    parts += [" ".join(map(str, s.options)) for s in at.selectbox]
    return " ".join(parts)


def run_names(at: AppTest) -> set[str]:
    assert at.dataframe, "the Runs page shows its table"
    return set(at.dataframe[0].value["Name"])


def gated(at: AppTest) -> bool:
    return any(b.key == "auth_sign_in" for b in at.button)


def test_without_auth_secrets_there_is_no_sign_in_and_one_local_user(app_env: Path) -> None:
    assert auth_configured() is False and current_owner() == "local"  # no secrets file: no error
    mine = seed(None, "local", 2)
    seed(owner_of(ALICE), "alice")  # written by a deployment with sign-in: not the local user's
    at = app(None, RUNS)
    no_errors(at)
    assert not gated(at) and not any(b.key == "auth_sign_out" for b in at.button)
    assert "Signed in as" not in all_text(at)
    assert run_names(at) == {r.name for r in mine}


def test_signed_out_visitors_see_only_the_sign_in_page(app_env: Path) -> None:
    seed(owner_of(ALICE), "alice")
    seed(None, "local")
    for user in ({"is_logged_in": False}, {"email": "someone@example.com"}):  # the second: no login flag
        at = app(user, RUNS)
        no_errors(at)
        assert gated(at) and [t.value for t in at.title] == ["Sign in to Moatlab"]
        assert not at.dataframe and not at.metric and not at.sidebar.children, "no page, no sidebar"
        assert "alice run 0" not in all_text(at) and "local run 0" not in all_text(at)
    # A half-written [auth] section fails closed: it names what is missing, and shows nothing else.
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["auth"] = {k: v for k, v in AUTH.items() if k != "client_secret"}
    at.user = dict(ALICE)
    at.run()
    no_errors(at)
    assert any("lacks: client_secret" in e.value for e in at.error)
    assert not gated(at) and not at.dataframe and not at.sidebar.children
    link = encode(SharedView(base_template(), page="scenarios", language="zh", name="x"))
    at = app({"is_logged_in": False}, share=link, lang="zh")
    assert gated(at) and [t.value for t in at.title] == ["登录 Moatlab"]
    assert any("再次打开该链接" in i.value for i in at.info), "a link's recipient learns to reopen it"


def test_each_signed_in_user_sees_only_their_runs_and_scenarios(app_env: Path) -> None:
    alice_runs, bob_runs = seed(owner_of(ALICE), "alice", 2), seed(owner_of(BOB), "bob", 1)
    Store().scoped(owner_of(ALICE)).save_scenario("Alice plan", "{}")
    Store().scoped(owner_of(BOB)).save_scenario("Bob plan", "{}")
    for user, mine, theirs in ((ALICE, alice_runs, bob_runs), (BOB, bob_runs, alice_runs)):
        at = app(user, RUNS)
        no_errors(at)
        assert not gated(at)
        assert run_names(at) == {r.name for r in mine}
        sidebar = " ".join(m.value for m in at.sidebar.markdown)
        assert user["name"] in sidebar and any(b.key == "auth_sign_out" for b in at.sidebar.button)
        at.switch_page(SCENARIOS).run()
        no_errors(at)
        picker = at.selectbox(key="active_scenario")
        own_plan, other_plan = ("Alice plan", "Bob plan") if user is ALICE else ("Bob plan", "Alice plan")
        assert own_plan in picker.options and other_plan not in picker.options
        binding = next(s for s in at.selectbox if s.key and s.key.startswith("scn_run_"))
        assert all(r.id not in " ".join(map(str, binding.options)) for r in theirs)
        assert not any(r.name in all_text(at) for r in theirs)
    # Signing out ends with the sign-in page.
    at = app(ALICE, RUNS)
    at.button(key="auth_sign_out").click().run()
    no_errors(at)
    at.run()
    assert gated(at) and not at.dataframe


def test_links_naming_another_users_run_scenario_or_job_show_nothing(app_env: Path) -> None:
    (bob_run,) = seed(owner_of(BOB), "bob")
    bob = Store().scoped(owner_of(BOB))
    bob_scenario = bob.save_scenario("Bob plan", '{"x": 1}')
    queued = bob_run.replace(id="bob-queued", status="queued")
    bob.submit(run_row(queued), {"id": "bobjob", "run_id": queued.id, "kind": "train", "request": "{}"})
    (alice_run,) = seed(owner_of(ALICE), "alice")

    at = app(ALICE, run=bob_run.id)  # a run id in the URL: not hers, so no active run
    no_errors(at)
    assert bob_run.name not in all_text(at) and "No finished run yet." in all_text(at)
    at = app(ALICE, SCENARIOS, scenario=bob_scenario)  # a saved scenario's id: "no longer exists"
    no_errors(at)
    assert any("no longer exists" in w.value for w in at.warning) and "Bob plan" not in all_text(at)
    at = app(ALICE, "app_pages/train.py", job="bobjob")  # a job id: unknown
    no_errors(at)
    assert any("does not exist" in w.value for w in at.warning)
    assert bob.get_job("bobjob")["status"] == "queued"

    # A share link carries the scenario itself: Alice gets an unsaved copy; Bob's run stays hidden
    # and cannot be bound to her copy.
    shared = base_template().with_values(monthly_churn=0.031)
    link = encode(SharedView(shared, run_id=bob_run.id, page="scenarios", language="en", name="Bob shared"))
    at = app(ALICE, SCENARIOS, share=link)
    no_errors(at)
    active = at.selectbox(key="active_scenario")
    assert "Bob shared" in active.options[active.index], "the unsaved copy is active"
    assert any("no longer exists" in w.value for w in at.warning), "the bound run is not hers"
    assert bob_run.name not in all_text(at)
    at.button(key="scn_save").click().run()
    no_errors(at)
    assert any("is not one of your runs. Choose one of your runs" in e.value for e in at.error)
    alice = Store().scoped(owner_of(ALICE))
    assert alice.list_scenarios() == [] and len(bob.list_scenarios()) == 1
    key = next(s.key for s in at.selectbox if s.key and s.key.startswith("scn_run_"))
    at.selectbox(key=key).set_value(alice_run.id).run()  # bound to her own run, the copy saves as hers
    at.button(key="scn_save").click().run()
    no_errors(at)
    saved = alice.list_scenarios()
    assert [(r["name"], r["run_id"]) for r in saved] == [("Bob shared", alice_run.id)]
    assert len(bob.list_scenarios()) == 1


def test_an_unreadable_secrets_file_fails_closed(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A typo in secrets.toml must not switch sign-in off: the app says why and shows nothing."""
    import ui.session.auth

    def broken() -> bool:
        raise ValueError("Invalid value (at line 3, column 17)")

    seed(None, "local")
    monkeypatch.setattr(ui.session.auth, "_load_secrets", broken)
    assert ui.session.auth.current_owner() is None and ui.session.auth.auth_configured() is False
    assert ui.session.auth.secrets_problem() == "Invalid value (at line 3, column 17)"
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("cannot be read: Invalid value (at line 3" in e.value for e in at.error)
    assert not gated(at) and not at.dataframe and not at.sidebar.children
    assert "local run 0" not in all_text(at)
