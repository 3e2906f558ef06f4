"""Sign-in for the app: who is using this browser session, before any figure is shown.

- No users yet: a "create the administrator" form (as Metabase does).
- Local accounts: a sign-in form (argon2 hashes, lockout: insight/auth/users.py).
- `[auth]` in `.streamlit/secrets.toml`: Streamlit's own `st.login` (OIDC); the identity's email
  maps to a user row, and the first identity to arrive creates the administrator.
- `INSIGHT_ACCESS_TOKEN=<secret>`: `?token=<secret>` signs the browser in as an administrator
  (automation, browser tests; as Jupyter's token URLs do, a cookie keeps it for later visits);
  off unless the variable is set.

A reload opens a new Streamlit session, so a password sign-in is kept in a cookie: a random
session token (its SHA-256 is stored in the workspace, with an expiry; sign-out deletes it).
Streamlit 1.67 reads cookies (`st.context.cookies`, sent with the page's websocket) but has no
call to set one, so a tiny `st.components.v2` component sets it from the page (`SameSite=Strict`,
`Secure` over HTTPS). JavaScript can read such a cookie, which is why no user text ever becomes
markup (insight/escape.py).
"""

from __future__ import annotations

import hmac

import streamlit as st

from insight import settings
from insight.auth import audit, users
from insight.auth.access import RowScope
from insight.auth.users import User
from insight.db.workspace import Workspace
from insight.errors import InsightError
from insight.escape import md
from insight.i18n import t

COOKIE, TOKEN_COOKIE = "insight_session", "insight_token"
_USER, _TOKEN_ADMIN, _SESSION, _COOKIES = "_auth_user", "_auth_token_admin", "_auth_session", "_auth_cookies"

_COOKIE_JS = """
export default function ({ data }) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  for (const [name, value] of Object.entries(data.cookies)) {
    const age = value ? data.max_age : 0;
    document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=${age}; SameSite=Strict${secure}`;
  }
}
"""
_cookie = st.components.v2.component("insight_session_cookie", js=_COOKIE_JS)


def origin() -> str:
    """Where a request comes from, for the audit log."""
    ip = st.context.ip_address
    return ip if isinstance(ip, str) and ip else "local"


def oidc() -> bool:
    """Whether `[auth]` is configured in secrets.toml (then st.login is used)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def gate(ws: Workspace, lang: str) -> User:
    """The signed-in user; otherwise draws the setup or sign-in screen and stops the run."""
    user = _token(ws, lang) or _current(ws)
    if user is not None:
        _keep_cookie()
        return user
    if oidc():
        screen = _oidc_screen
    elif not users.has_users(ws):
        screen = _setup_screen
    else:
        screen = _signin_screen
    _keep_cookie()
    _everywhere(lambda: screen(ws, lang))
    st.stop()


def _everywhere(render) -> None:
    """Show `render` at every page's URL, so a deep link (`/churn?…`) opened before signing in
    is where the user lands after it."""
    from insight.views.views import PAGES

    def page(name: str, **kw):
        def run() -> None:
            render()

        run.__name__ = f"signin_{name}"
        return st.Page(run, title=t("auth.signin.title", "en"), url_path=name, **kw)

    pages = [page("home", default=True), *(page(name) for name in (*PAGES, "saved", "admin"))]
    st.navigation(pages, position="hidden").run()


def _token(ws: Workspace, lang: str) -> User | None:
    secret = settings.access_token()
    given = st.query_params.get("token")
    if given is None:  # a browser that presented the token before keeps it in a cookie
        # (the page's cookies are those of its first request: after a sign-out they are stale)
        kept = None if st.session_state.get("_auth_out") else st.context.cookies.get(TOKEN_COOKIE)
        if secret and isinstance(kept, str) and not st.session_state.get(_TOKEN_ADMIN) and _same(kept, secret):
            st.session_state[_TOKEN_ADMIN] = True
            audit.record(ws, users.TOKEN.name, "signin", "access token (cookie)", origin())
            return users.TOKEN
        return None
    del st.query_params["token"]  # never left in the URL, so never in a share link
    if secret and _same(given, secret):
        st.session_state[_TOKEN_ADMIN] = True
        st.session_state[_COOKIES] = {TOKEN_COOKIE: secret}
        audit.record(ws, users.TOKEN.name, "signin", "access token", origin())
        return users.TOKEN
    audit.record(ws, users.TOKEN.name, "signin_failed", "access token", origin(), ok=False)
    st.session_state["_auth_error"] = "auth.token_refused"
    return None


def _same(given: str, secret: str) -> bool:
    return hmac.compare_digest(given.encode(), secret.encode())


def _current(ws: Workspace) -> User | None:
    if st.session_state.get(_TOKEN_ADMIN):
        return users.TOKEN
    if oidc():
        email = st.user.get("email") if st.user.is_logged_in else None
        return users.by_email(ws, email) if email else None
    name = st.session_state.get(_USER)
    if name:  # re-read every run: a role or scope change applies at once, a removed user is out
        user = users.get(ws, name)
        if user is None:
            _forget()
        return user
    token = st.context.cookies.get(COOKIE)
    token = token if isinstance(token, str) else None
    user = users.session_user(ws, token)
    if user is not None:
        st.session_state[_USER], st.session_state[_SESSION] = user.name, token
    return user


def _signed_in(ws: Workspace, user: User) -> None:
    st.session_state[_USER] = user.name
    st.session_state.pop("_auth_out", None)
    st.session_state[_SESSION] = users.start_session(ws, user)
    st.session_state[_COOKIES] = {COOKIE: st.session_state[_SESSION]}
    st.rerun()


def _keep_cookie() -> None:
    """Sets (after a sign-in) or clears (after a sign-out, as "") the sign-in cookies."""
    cookies = st.session_state.get(_COOKIES)
    if cookies:
        data = {"cookies": cookies, "max_age": settings.SESSION_DAYS * 86400}
        with st.container(key="urlstate_cookie"):  # hidden, like the URL-state inputs
            _cookie(data=data, key=f"_cookie_{'_'.join(f'{k}{bool(v)}' for k, v in cookies.items())}")


def _error(lang: str) -> None:
    if key := st.session_state.pop("_auth_error", None):
        st.error(t(key, lang), icon=":material/lock:")


def _setup_screen(ws: Workspace, lang: str) -> None:
    st.title(t("auth.setup.title", lang))
    st.markdown(t("auth.setup.help", lang))
    _error(lang)
    with st.form("auth_setup"):
        name = st.text_input(t("auth.name", lang), key="setup_name")
        password = st.text_input(t("auth.password", lang), type="password", key="setup_password")
        again = st.text_input(t("auth.password.again", lang), type="password", key="setup_again")
        if st.form_submit_button(t("auth.setup.button", lang), type="primary"):
            if password != again:
                st.error(t("auth.password.mismatch", lang))
                return
            try:
                user = users.add(ws, name, "admin", password, RowScope.all(), by=name.strip(), origin=origin())
            except InsightError as exc:
                st.error(exc.text(lang, markdown=True))
                return
            audit.record(ws, user.name, "signin", "first administrator", origin())
            _signed_in(ws, user)


def _signin_screen(ws: Workspace, lang: str) -> None:
    st.title(t("auth.signin.title", lang))
    _error(lang)
    with st.form("auth_signin"):
        name = st.text_input(t("auth.name", lang), key="signin_name")
        password = st.text_input(t("auth.password", lang), type="password", key="signin_password")
        if st.form_submit_button(t("auth.signin.button", lang), type="primary"):
            try:
                user = users.authenticate(ws, name, password, origin=origin())
            except InsightError as exc:
                st.error(exc.text(lang, markdown=True), icon=":material/lock:")
                return
            _signed_in(ws, user)


def _oidc_screen(ws: Workspace, lang: str) -> None:
    st.title(t("auth.signin.title", lang))
    if not st.user.is_logged_in:
        st.button(t("auth.sso", lang), on_click=st.login, type="primary", icon=":material/login:")
        return
    email = st.user.get("email")
    if not users.has_users(ws) and email:
        name = str(st.user.get("name") or email.split("@")[0])
        user = users.add(ws, name, "admin", None, RowScope.all(), email, by=name, origin=origin())
        audit.record(ws, user.name, "signin", f"first administrator, single sign-on {email}", origin())
        st.rerun()
    audit.record(ws, email or "?", "signin_failed", "single sign-on: no user with this email", origin(), ok=False)
    st.warning(t("auth.sso.unknown", lang, email=md(email or "—")), icon=":material/lock:")
    st.button(t("auth.signout", lang), on_click=st.logout)


def account(ws: Workspace, user: User, lang: str) -> None:
    """The sidebar line: who is signed in, with which role and rows, and Sign out."""
    rows = t("auth.rows.all", lang) if user.rows.everything else user.rows.describe()
    st.caption(t("auth.signed_in", lang, name=md(user.name), role=t(f"role.{user.role}", lang), rows=md(rows)))
    st.button(
        t("auth.signout", lang), on_click=_sign_out, args=(ws, user), key="auth_signout", icon=":material/logout:"
    )


def _sign_out(ws: Workspace, user: User) -> None:
    users.end_session(ws, st.session_state.get(_SESSION))
    audit.record(ws, user.name, "signout", "", origin())
    _forget()
    st.session_state[_COOKIES] = {COOKIE: "", TOKEN_COOKIE: ""}
    st.session_state["_auth_out"] = True
    if oidc() and st.user.is_logged_in:
        st.logout()


def _forget() -> None:
    for key in (_USER, _TOKEN_ADMIN, _SESSION):
        st.session_state.pop(key, None)
