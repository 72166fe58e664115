"""Organisations, users and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from asylon.cli.context import console
from asylon.cli.errors import run_guarded
from asylon.db.engine import transaction
from asylon.db.models import Organisation, User
from asylon.domain.organisations import OrgKind, Role
from asylon.services import accounts

orgs_app = typer.Typer(help="Organisations.", no_args_is_help=True)
users_app = typer.Typer(help="Users of an organisation.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)


@orgs_app.command("create")
def orgs_create(
    slug: str,
    name: Annotated[str, typer.Option(help="Display name")],
    kind: Annotated[OrgKind, typer.Option(help="Kind of organisation")],
    country: Annotated[str | None, typer.Option(help="ISO 3166 alpha-3 (required for a state authority)")] = None,
) -> None:
    """Create an organisation."""

    def action() -> None:
        with transaction() as session:
            accounts.create_organisation(session, slug=slug, name=name, kind=kind, country=country)

    run_guarded(action)
    console.print(f"created organisation [bold]{slug}[/]")


@orgs_app.command("list")
def orgs_list() -> None:
    """List organisations."""
    with transaction(write=False) as session:
        table = Table("slug", "name", "kind", "country")
        for org in session.scalars(select(Organisation).order_by(Organisation.slug)):
            table.add_row(org.slug, org.name, org.kind, org.country or "")
    console.print(table)


@users_app.command("create")
def users_create(
    email: str,
    org: Annotated[str, typer.Option(help="Slug of the user's organisation")],
    role: Annotated[Role, typer.Option(help="Role")] = Role.CASEWORKER,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    password: Annotated[str | None, typer.Option(help="Password for the web UI (prompted if omitted)",
                                                 prompt=True, hide_input=True, confirmation_prompt=True)] = None,
) -> None:
    """Create a user."""

    def action() -> None:
        with transaction() as session:
            organisation = accounts.get_organisation(session, org)
            accounts.create_user(session, organisation=organisation, email=email,
                                 display_name=name or email.split("@")[0], role=role, password=password or None)

    run_guarded(action)
    console.print(f"created user [bold]{email}[/] ({role}) in {org}")


@users_app.command("list")
def users_list(org: Annotated[str, typer.Option(help="Slug of the organisation")]) -> None:
    """List an organisation's users."""

    def action() -> Table:
        with transaction(write=False) as session:
            organisation = accounts.get_organisation(session, org)
            table = Table("id", "e-mail", "name", "role", "active")
            for user in session.scalars(select(User).where(User.organisation_id == organisation.id).order_by(User.id)):
                table.add_row(str(user.id), user.email, user.display_name, user.role, "yes" if user.active else "no")
            return table

    console.print(run_guarded(action))


@tokens_app.command("create")
def tokens_create(
    email: Annotated[str, typer.Option("--user", "-u", envvar="ASYLON_USER", help="E-mail of the token's user")],
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    days: Annotated[int | None, typer.Option(help="Validity in days")] = None,
) -> None:
    """Create an API token. It is printed once; only its hash is stored."""

    def action() -> str:
        with transaction() as session:
            user = accounts.find_user(session, email)
            return accounts.issue_token(session, user=user, name=name, days=days).token

    token = run_guarded(action)
    console.print("token (shown once, keep it safe):", style="bold", highlight=False)
    print(token)


@tokens_app.command("list")
def tokens_list(
    email: Annotated[str, typer.Option("--user", "-u", envvar="ASYLON_USER", help="E-mail of the tokens' user")],
) -> None:
    """List a user's tokens."""

    def action() -> Table:
        with transaction(write=False) as session:
            user = accounts.find_user(session, email)
            table = Table("id", "name", "prefix", "created", "expires", "revoked")
            for t in accounts.list_tokens(session, user=user):
                table.add_row(str(t.id), t.name, t.prefix + "…", f"{t.created_at:%Y-%m-%d}",
                              f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "", "yes" if t.revoked_at else "")
            return table

    console.print(run_guarded(action))


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: int,
    email: Annotated[str, typer.Option("--user", "-u", envvar="ASYLON_USER", help="E-mail of the token's user")],
) -> None:
    """Revoke a token at once."""

    def action() -> None:
        with transaction() as session:
            accounts.revoke_token(session, user=accounts.find_user(session, email), token_id=token_id)

    run_guarded(action)
    console.print(f"revoked token {token_id}")


def register(app: typer.Typer) -> None:
    app.add_typer(orgs_app, name="orgs")
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
