"""Sign-in (Streamlit's built-in OpenID Connect login) and who owns what this session does.

Sign-in is on when ``.streamlit/secrets.toml`` has an ``[auth]`` section with every key of
:data:`REQUIRED_KEYS` (the default provider of ``st.login()``; see the README). Then a visitor
who is not signed in sees only :func:`sign_in_gate`'s explanation and "Sign in" button, and each
signed-in user owns their runs and scenarios (:func:`current_owner`). Without ``[auth]`` nothing
changes: no sign-in UI, one local user (:data:`store.LOCAL_OWNER`) owns everything.

The owner id of a signed-in user is ``"<iss>#<sub>"`` — the identity provider's issuer URL and
its subject claim. OIDC promises that this pair names one account for good, whereas an email
address can change or be handed to someone else later, and two providers may both vouch for one
address. Only when a provider sends no ``sub`` does the id fall back to ``"email:<address>"``
(lower-cased). An id longer than :data:`store.OWNER_MAX` characters is replaced by a digest of
it (``"oidc-sha256:<hex>"``), which is just as stable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from safetext import for_markdown
from store import LOCAL_OWNER, OWNER_MAX
from ui.session.i18n import t

#: The ``[auth]`` keys sign-in needs (all non-empty) before the app asks anyone to sign in.
REQUIRED_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


class SecretsUnreadable(Exception):
    """A secrets file exists but cannot be read or parsed: sign-in may be meant to be on, so the
    app refuses to run rather than fall back to one shared user."""


def _load_secrets() -> bool:
    """Streamlit's ``st.secrets.load_if_toml_exists()``: False when no secrets file exists."""
    return bool(st.secrets.load_if_toml_exists())


def _auth_section() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of the app's secrets, or None when there is no secrets file or no
    such section. A secrets file that exists but cannot be read or parsed raises
    :class:`SecretsUnreadable` with the reason."""
    try:
        if not _load_secrets():
            return None
        section = st.secrets.get("auth")
    except FileNotFoundError:
        return None
    except (KeyError, ValueError, OSError, StreamlitAPIException) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SecretsUnreadable(reason[:300]) from None
    return section if isinstance(section, Mapping) else None


def missing_auth_keys() -> list[str] | None:
    """The keys of :data:`REQUIRED_KEYS` the ``[auth]`` section lacks (or leaves empty); None
    when there is no ``[auth]`` section at all. An unreadable secrets file counts as an
    ``[auth]`` section that lacks every key (see :func:`secrets_problem`)."""
    try:
        section = _auth_section()
    except SecretsUnreadable:
        return list(REQUIRED_KEYS)
    if section is None:
        return None
    return [k for k in REQUIRED_KEYS if not (isinstance(section.get(k), str) and section[k].strip())]


def secrets_problem() -> str | None:
    """Why the secrets file cannot be read or parsed, or None when it can (or there is none)."""
    try:
        _auth_section()
    except SecretsUnreadable as exc:
        return str(exc)
    return None


def auth_configured() -> bool:
    """Whether sign-in is configured: an ``[auth]`` section with every key of :data:`REQUIRED_KEYS`."""
    return missing_auth_keys() == []


def owner_from_claims(claims: Mapping[str, Any]) -> str | None:
    """The stable owner id of a signed-in user's identity claims (module docstring), or None
    when the claims say nobody is signed in or name nobody.

    >>> owner_from_claims({"is_logged_in": True, "iss": "https://id.example", "sub": "42"})
    'https://id.example#42'
    >>> owner_from_claims({"is_logged_in": True, "email": "Ada@Example.com"})
    'email:ada@example.com'
    >>> owner_from_claims({"is_logged_in": False, "sub": "42"}) is None
    True
    >>> owner_from_claims({"is_logged_in": True, "iss": "i", "sub": "s" * 300})[:12]
    'oidc-sha256:'
    """
    if claims.get("is_logged_in") is not True:
        return None
    issuer, subject = str(claims.get("iss") or "").strip(), str(claims.get("sub") or "").strip()
    email = str(claims.get("email") or "").strip().lower()
    if subject:
        owner = f"{issuer}#{subject}"
    elif email:
        owner = f"email:{email}"
    else:
        return None
    if len(owner) > OWNER_MAX:
        owner = "oidc-sha256:" + hashlib.sha256(owner.encode("utf-8")).hexdigest()
    return owner


def _claims() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict())
    except StreamlitAPIException:
        return {}


def current_owner() -> str | None:
    """Who this session acts as: :data:`store.LOCAL_OWNER` without an ``[auth]`` section, the
    signed-in user's owner id when sign-in is configured, and None when it is configured but
    nobody is signed in, or when ``[auth]`` is there but incomplete (then :func:`sign_in_gate`
    has stopped the page: a half-configured sign-in never falls back to one shared user)."""
    missing = missing_auth_keys()
    if missing is None:
        return LOCAL_OWNER
    if missing:
        return None
    return owner_from_claims(_claims())


def display_name() -> str:
    """The signed-in user as people know them: name, else email, else the subject claim."""
    claims = _claims()
    for key in ("name", "email", "preferred_username", "sub"):
        value = str(claims.get(key) or "").strip()
        if value:
            return value
    return "?"


def sign_in_gate() -> bool:
    """Whether the page may render. When sign-in is configured and nobody is signed in, show a
    short explanation and a "Sign in" button (``st.login()``) and return False: the caller
    renders nothing else. Without ``[auth]``, or once signed in, show nothing and return True.
    An ``[auth]`` section that lacks keys shows which, and nothing else."""
    missing = missing_auth_keys()
    if missing is None or current_owner() is not None:
        return True
    st.title(t("auth.title"))
    problem = secrets_problem()
    if problem is not None:
        st.error(t("auth.secrets_unreadable", reason=problem), icon=":material/lock:")
        return False
    if missing:
        st.error(t("auth.incomplete", keys=", ".join(missing)), icon=":material/lock:")
        return False
    st.markdown(t("auth.explain"))
    if "share" in st.query_params:  # the provider returns to the home page, without the link
        st.info(t("auth.share_hint"), icon=":material/link:")
    if st.button(t("auth.sign_in"), key="auth_sign_in", type="primary", icon=":material/login:"):
        try:
            st.login()
        except StreamlitAPIException as exc:  # Authlib missing, or an [auth] value it refuses
            st.error(t("auth.failed", reason=str(exc).strip().splitlines()[0] if str(exc) else "?"))
    return False


def account_sidebar() -> None:
    """In the sidebar, who is signed in and a "Sign out" button (nothing without sign-in)."""
    if not auth_configured() or current_owner() is None:
        return
    with st.sidebar:
        st.caption(t("auth.signed_in_as"))
        st.markdown(f"**{for_markdown(display_name())}**")
        if st.button(t("auth.sign_out"), key="auth_sign_out", icon=":material/logout:"):
            st.logout()  # the browser goes to the provider's sign-out, then to a new session
            st.stop()
