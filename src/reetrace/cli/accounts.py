"""`reetrace users …` and `reetrace tokens …`: accounts for the HTTP API and its pages (adding,
disabling and enabling them, setting a password or a role, the second factor and the policy
that requires it per role), and API tokens for machines (shown once, kept only as SHA-256).
Every change is recorded with the operating-system user who made it."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from reetrace.cli import app, console, err_console, reports_errors
from reetrace.cli.ledger import Output, emit_json, store_for
from reetrace.cli.operator import operator
from reetrace.errors import UsageError

users_app = typer.Typer(
    help="Accounts: regulator, inspector, reviewer, approver, auditor (read-only), enterprise (bound to one USCC), "
    "capture (a machine's, bound to one USCC, that may only capture EPCIS documents).",
    no_args_is_help=True,
)
tokens_app = typer.Typer(
    help="API tokens for machines: shown once, stored as SHA-256, revocable.", no_args_is_help=True
)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
PASSWORD_ENV = "REETRACE_PASSWORD"


def _password(given: str | None) -> str:
    if given:
        return given
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    try:
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    except typer.Abort:
        raise UsageError(f"a password is needed: --password, {PASSWORD_ENV} or the prompt") from None


@users_app.command("add")
@reports_errors
def users_add(
    ctx: typer.Context,
    username: str,
    role: str = typer.Option(
        ..., "--role", help="regulator, inspector, reviewer, approver, auditor, enterprise or capture."
    ),
    uscc: str | None = typer.Option(None, "--uscc", help="The enterprise of an enterprise user or capture account."),
    name: str | None = typer.Option(None, "--name", help="The person's name, for display."),
    password: str | None = typer.Option(None, "--password", help=f"Else {PASSWORD_ENV}, else asked twice."),
):
    """Add an account (the password is kept as an argon2id hash). A password has at least 12
    characters, does not contain the username and is not one of the passwords most used in
    breaches. A capture account has no password: it captures with API tokens (`tokens new`)."""
    from reetrace.domain.accounts import CAPTURE
    from reetrace.services.accounts import add_user

    secret = password if role == CAPTURE else _password(password)
    who = add_user(store_for(ctx), username, secret, role, uscc, name, actor=operator())
    console.print(f"User {who.username}: {who.role}" + (f" of {who.uscc}" if who.uscc else ""))


@users_app.command("password")
@reports_errors
def users_password(
    ctx: typer.Context,
    username: str,
    password: str = typer.Option(None, "--password", help=f"Else {PASSWORD_ENV}, else asked twice."),
):
    """Set a user's password (same policy as `users add`); every session of theirs ends."""
    from reetrace.services.accounts import set_password

    ended = set_password(store_for(ctx), operator(), username, _password(password))
    console.print(f"password of {username} set; {ended} session(s) ended")


@users_app.command("disable")
@reports_errors
def users_disable(ctx: typer.Context, username: str):
    """Disable a user: their sessions end at once and their API tokens are refused until enabled."""
    from reetrace.services.accounts import disable_user

    ended = disable_user(store_for(ctx), operator(), username)
    console.print(f"user {username} disabled; {ended} session(s) ended")


@users_app.command("enable")
@reports_errors
def users_enable(ctx: typer.Context, username: str):
    """Enable a disabled user again (they log in anew)."""
    from reetrace.services.accounts import enable_user

    enable_user(store_for(ctx), operator(), username)
    console.print(f"user {username} enabled")


@users_app.command("role")
@reports_errors
def users_role(
    ctx: typer.Context,
    username: str,
    role: str = typer.Argument(..., help="regulator, inspector, reviewer, approver, auditor, enterprise or capture."),
    uscc: str = typer.Option(None, "--uscc", help="The enterprise of an enterprise user or capture account."),
):
    """Give a user another role; their sessions end."""
    from reetrace.services.accounts import set_role

    set_role(store_for(ctx), operator(), username, role, uscc)
    console.print(f"user {username}: {role}" + (f" of {uscc}" if uscc else ""))


@users_app.command("totp")
@reports_errors
def users_totp(
    ctx: typer.Context,
    username: str,
    off: bool = typer.Option(
        False, "--off", help="Remove the second factor (the user enrols again at login if required)."
    ),
    qr: Path = typer.Option(None, "--qr", help="Also write the QR code to this SVG file."),
):
    """Give a user a new second factor (printed as a QR code and an otpauth:// URI, to be handed
    to them for their authenticator app), or remove it with --off."""
    from reetrace.services.accounts import reset_second_factor
    from reetrace.services.second_factor import provisioning_uri

    secret = reset_second_factor(store_for(ctx), operator(), username, enrol=not off)
    if secret is None:
        console.print(f"second factor of {username} removed")
        return
    import segno

    uri = provisioning_uri(secret, username)
    code = segno.make(uri, error="m")
    if qr is not None:
        code.save(str(qr), kind="svg", scale=4)
        err_console.print(f"QR code written to {qr}", style="dim")
    else:
        code.terminal(compact=True)
    typer.echo(uri)
    err_console.print(f"second factor of {username} set: hand this over now, it is not shown again", style="dim")


@users_app.command("require-totp")
@reports_errors
def users_require_totp(
    ctx: typer.Context,
    role: str,
    off: bool = typer.Option(False, "--off", help="No longer require it."),
):
    """Require a second factor of every user of ROLE (those without one enrol at their next
    login, before anything else), or with --off no longer require it."""
    from reetrace.services.accounts import require_second_factor

    require_second_factor(store_for(ctx), operator(), role, not off)
    console.print(f"{role}: second factor {'not ' if off else ''}required")


@users_app.command("list")
@reports_errors
def users_list(ctx: typer.Context, format: Output = typer.Option(Output.table, "--format")):
    """Every account with its role, whether it is disabled and has a second factor, and the
    roles that require one."""
    from reetrace.store.accounts_repo import list_users, policies

    with store_for(ctx).reading() as conn:
        users = list_users(conn)
        required = {role for role, on in policies(conn).items() if on}
    if format is Output.json:
        emit_json(
            [
                {
                    "username": u.username,
                    "role": u.role,
                    "uscc": u.uscc,
                    "name": u.display_name,
                    "disabled": u.disabled,
                    "second_factor": u.totp_secret is not None,
                    "second_factor_required": u.role in required,
                }
                for u in users
            ]
        )
        return
    table = Table(title="Users")
    for column in ("username", "role", "enterprise", "name", "disabled", "second factor"):
        table.add_column(column)
    for u in users:
        factor = "yes" if u.totp_secret else ("required, not enrolled" if u.role in required else "")
        table.add_row(u.username, u.role, u.uscc or "", u.display_name or "", "yes" if u.disabled else "", factor)
    console.print(table)
    if required:
        console.print(f"second factor required of: {', '.join(sorted(required))}")


@tokens_app.command("new")
@reports_errors
def tokens_new(
    ctx: typer.Context, username: str, label: str = typer.Option("", "--label", help="What the token is for.")
):
    """Issue an API token for a user; it is printed once and cannot be shown again."""
    from reetrace.services.accounts import issue_token

    token_id, token = issue_token(store_for(ctx), username, label, actor=operator())
    typer.echo(token)
    err_console.print(f"token {token_id} for {username}: keep it now, it is not stored", style="dim")


@tokens_app.command("list")
@reports_errors
def tokens_list(
    ctx: typer.Context,
    user: str | None = typer.Option(None, "--user"),
    format: Output = typer.Option(Output.table, "--format"),
):
    """API tokens (never the tokens themselves): id, owner, label, when issued and revoked."""
    from reetrace.store.accounts_repo import list_tokens

    with store_for(ctx).reading() as conn:
        rows = list_tokens(conn, user)
    if format is Output.json:
        emit_json(
            [
                {
                    "id": r.id,
                    "username": r.username,
                    "label": r.label,
                    "created_at": r.created_at,
                    "revoked_at": r.revoked_at,
                }
                for r in rows
            ]
        )
        return
    table = Table(title="API tokens")
    for column in ("id", "user", "label", "issued", "revoked"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r.id), r.username, r.label, r.created_at[:19], (r.revoked_at or "")[:19])
    console.print(table)


@tokens_app.command("revoke")
@reports_errors
def tokens_revoke(ctx: typer.Context, token_id: int = typer.Argument(..., metavar="ID")):
    """Revoke an API token: it stops working at once."""
    from reetrace.services.accounts import revoke_token

    revoke_token(store_for(ctx), token_id, actor=operator())
    console.print(f"token {token_id} revoked")
