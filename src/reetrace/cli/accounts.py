"""`reetrace users …` and `reetrace tokens …`: accounts for the HTTP API and its pages, and API
tokens for machines (shown once, kept only as SHA-256)."""

from __future__ import annotations

import os

import typer
from rich.table import Table

from reetrace.cli import app, console, err_console, reports_errors
from reetrace.cli.ledger import Output, emit_json, store_for
from reetrace.errors import UsageError

users_app = typer.Typer(
    help="Accounts: regulator, inspector, reviewer, approver, auditor (read-only), enterprise (bound to one USCC).",
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
    role: str = typer.Option(..., "--role", help="regulator, inspector, reviewer, approver, auditor or enterprise."),
    uscc: str | None = typer.Option(None, "--uscc", help="The enterprise of an enterprise user."),
    name: str | None = typer.Option(None, "--name", help="The person's name, for display."),
    password: str | None = typer.Option(None, "--password", help=f"Else {PASSWORD_ENV}, else asked twice."),
):
    """Add an account (the password is kept as an argon2id hash)."""
    from reetrace.services.accounts import add_user

    who = add_user(store_for(ctx), username, _password(password), role, uscc, name)
    console.print(f"User {who.username}: {who.role}" + (f" of {who.uscc}" if who.uscc else ""))


@users_app.command("list")
@reports_errors
def users_list(ctx: typer.Context, format: Output = typer.Option(Output.table, "--format")):
    """Every account with its role."""
    from reetrace.store.accounts_repo import list_users

    with store_for(ctx).reading() as conn:
        users = list_users(conn)
    if format is Output.json:
        emit_json(
            [
                {"username": u.username, "role": u.role, "uscc": u.uscc, "name": u.display_name, "disabled": u.disabled}
                for u in users
            ]
        )
        return
    table = Table(title="Users")
    for column in ("username", "role", "enterprise", "name", "disabled"):
        table.add_column(column)
    for u in users:
        table.add_row(u.username, u.role, u.uscc or "", u.display_name or "", "yes" if u.disabled else "")
    console.print(table)


@tokens_app.command("new")
@reports_errors
def tokens_new(
    ctx: typer.Context, username: str, label: str = typer.Option("", "--label", help="What the token is for.")
):
    """Issue an API token for a user; it is printed once and cannot be shown again."""
    from reetrace.services.accounts import issue_token

    token_id, token = issue_token(store_for(ctx), username, label)
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

    revoke_token(store_for(ctx), token_id)
    console.print(f"token {token_id} revoked")
