"""What every page shares: the templates (one Jinja2 environment per language, gettext
installed), who is looking (the API's session cookie or token), the language cookie, the form
token against cross-site posts (the session's CSRF token), and the errors a page shows as a
page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reetrace.api.security import actor_of, csrf_matches, csrf_token, optional_principal
from reetrace.domain.accounts import Actor, Principal
from reetrace.errors import Forbidden, Unauthenticated
from reetrace.web import labels
from reetrace.web.i18n import LANGUAGE_COOKIE, LANGUAGES, Formats, language_of, translations

TEMPLATES = Path(__file__).parent / "templates"


class _Gettext(Protocol):
    """What the `jinja2.ext.i18n` extension adds to an environment when it is built
    (`Environment.extend`), which Jinja2's types cannot show."""

    def install_gettext_translations(self, translations: Any, newstyle: bool | None = None) -> None: ...


class LoginRequired(Unauthenticated):
    """A page needs someone logged in: the browser is sent to the login page."""


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    cast(_Gettext, env).install_gettext_translations(translations(language), newstyle=True)
    return env


@dataclass(frozen=True)
class Viewer:
    """The request as a page sees it: who, in which language."""

    request: Request
    principal: Principal | None
    language: str

    @property
    def fmt(self) -> Formats:
        return Formats(self.language)

    @property
    def actor(self) -> Actor:
        """The signed-in person as the access log names them (through the console)."""
        if self.principal is None:
            raise LoginRequired(self.gettext("Please log in."))
        return actor_of(self.request, self.principal)

    def gettext(self, message: str) -> str:
        return translations(self.language).gettext(message)

    @property
    def who(self) -> Principal:
        """The signed-in person (a page behind `signed_in` always has one)."""
        if self.principal is None:
            raise LoginRequired(self.gettext("Please log in."))
        return self.principal

    def csrf(self) -> str:
        return csrf_token(self.request)

    def check_form(self, token: str | None) -> None:
        if not csrf_matches(self.request, token):
            raise Forbidden(self.gettext("The form has expired. Reload the page and try again."))

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        env = environment(self.language)
        html = env.get_template(template).render(
            viewer=self,
            who=self.principal,
            lang=self.language,
            languages=LANGUAGES,
            fmt=self.fmt,
            labels=labels,
            t=self.gettext,
            path=self.request.url.path,
            query=str(self.request.url.query),
            csrf=self.csrf(),
            home=home_of(self.principal) if self.principal else "/",
            svg=Markup,
            **context,
        )
        return HTMLResponse(html, status_code=status_code)


@dataclass(frozen=True)
class SignedIn(Viewer):
    """The request as a page for signed-in people sees it: someone is always there."""

    principal: Principal


@dataclass(frozen=True)
class EnterpriseViewer(SignedIn):
    """The request as an enterprise user's page sees it: the person and their enterprise."""

    uscc: str


def viewer(request: Request, who: Principal | None = Depends(optional_principal)) -> Viewer:
    return Viewer(request, who, language_of(request.cookies.get(LANGUAGE_COOKIE)))


def signed_in(view: Viewer = Depends(viewer)) -> SignedIn:
    if view.principal is None:
        raise LoginRequired(view.gettext("Please log in."))
    return SignedIn(view.request, view.principal, view.language)


def staff(view: SignedIn = Depends(signed_in)) -> SignedIn:
    if not view.principal.is_staff:
        raise Forbidden(view.gettext("This page is for the regulator's staff."))
    return view


def enterprise_user(view: SignedIn = Depends(signed_in)) -> EnterpriseViewer:
    uscc = view.principal.uscc
    if view.principal.role != "enterprise" or uscc is None:
        raise Forbidden(view.gettext("This page is for enterprise users."))
    return EnterpriseViewer(view.request, view.principal, view.language, uscc)


def login_location(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")


def safe_next(target: str | None, fallback: str) -> str:
    """Only a path on this site (never another host) may be the place to return to."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def home_of(who: Principal) -> str:
    if who.role == "enterprise":
        return "/portal"
    if who.role in ("reviewer", "approver"):
        return "/review"
    return "/"
