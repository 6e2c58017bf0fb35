"""The `catalogue users` and `catalogue tokens` commands: accounts, their roles and API tokens."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group()
def users() -> None:
    """Accounts and their roles."""


def _lookup_user(email: str):
    from catalogue import db as database
    from catalogue.accounts.services import find_user_by_email

    user = find_user_by_email(database.get_session(), email)
    if user is None:
        raise click.ClickException(f"no account with e-mail address {email}")
    return user


def _grant(user, role: str, institution: str | None, region: str | None) -> None:
    from catalogue import db as database
    from catalogue.accounts import services as accounts
    from catalogue.accounts.permissions import SYSTEM
    from catalogue.institutions import services as institutions

    session = database.get_session()
    ids = {}  # of the institution and the region, when named
    if institution:
        ids["institution_id"] = institutions.get_institution(session=session, code=institution).id
    if region:
        ids["region_id"] = institutions.get_region(session=session, code=region).id
    accounts.grant_role(session=session, actor=SYSTEM, user_id=user.id, role=role, **ids)


ROLE_OPTIONS = [
    click.option("--role", type=click.Choice(["administrator", "editor", "coordinator"])),
    click.option("--institution", help="Institution code (for editors)."),
    click.option("--region", help="Region code (for coordinators)."),
]


def _role_options(command):
    for option in reversed(ROLE_OPTIONS):
        command = option(command)
    return command


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option(help="Asked for when not given.")
@_role_options
@with_appcontext
def users_create(email, name, password, role, institution, region) -> None:
    """Create an account, optionally with a role."""
    from catalogue import db as database
    from catalogue.accounts import services as accounts
    from catalogue.accounts.permissions import SYSTEM
    from catalogue.errors import CatalogueError

    try:
        user = accounts.create_user(
            session=database.get_session(), actor=SYSTEM, email=email, name=name, password=password
        )
        if role:
            _grant(user, role, institution, region)
    except CatalogueError as exc:
        raise click.ClickException(error_text(exc)) from exc
    click.echo(f"Created account {user.email}" + (f" ({role})." if role else "."))


@users.command("grant")
@click.argument("email")
@_role_options
@with_appcontext
def users_grant(email, role, institution, region) -> None:
    """Give an account a role."""
    from catalogue.errors import CatalogueError

    if not role:
        raise click.ClickException("give --role")
    try:
        _grant(_lookup_user(email), role, institution, region)
    except CatalogueError as exc:
        raise click.ClickException(error_text(exc)) from exc
    click.echo(f"{email} is now {role}.")


@users.command("list")
@with_appcontext
def users_list() -> None:
    """List accounts and their roles."""
    from catalogue import db as database
    from catalogue.accounts import services as accounts
    from catalogue.accounts.permissions import SYSTEM

    for user in accounts.list_users(session=database.get_session(), actor=SYSTEM):
        roles = ", ".join(
            m.role
            + (f":{m.institution.code}" if m.institution else "")
            + (f":{m.region.code}" if m.region else "")
            for m in user.memberships
        )
        state = "" if user.is_active else " [blocked]"
        click.echo(f"{user.email:40} {user.name:30} {roles}{state}")


@click.group()
def tokens() -> None:
    """API tokens for institutions' systems."""


@tokens.command("create")
@click.option("--email", required=True, help="The account the token acts for.")
@click.option("--name", required=True, help="What the token is for, e.g. 'Osiris koppeling'.")
@with_appcontext
def tokens_create(email: str, name: str) -> None:
    """Create a token; it is printed once and stored only as a hash."""
    from catalogue import db as database
    from catalogue.accounts.permissions import SYSTEM
    from catalogue.accounts.tokens import create_token

    issued = create_token(
        session=database.get_session(), actor=SYSTEM, user=_lookup_user(email), name=name
    )
    click.echo(
        f"Token {issued.token.id} ({name}) for {email}. Store it now; it is not shown again:"
    )
    click.echo(issued.secret)


@tokens.command("list")
@click.option("--email", required=True)
@with_appcontext
def tokens_list(email: str) -> None:
    """List an account's tokens."""
    from catalogue import db as database
    from catalogue.accounts.tokens import list_tokens

    for token in list_tokens(session=database.get_session(), user_id=_lookup_user(email).id):
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(f"{token.id:5} {token.prefix}…  {token.name:30} {state:20} last used {used}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id."""
    from catalogue import db as database
    from catalogue.accounts.permissions import SYSTEM
    from catalogue.accounts.tokens import revoke_token
    from catalogue.errors import CatalogueError

    try:
        token = revoke_token(session=database.get_session(), actor=SYSTEM, token_id=token_id)
    except CatalogueError as exc:
        raise click.ClickException(error_text(exc)) from exc
    click.echo(f"Token {token.id} ({token.name}) is revoked.")


def error_text(exc) -> str:
    fields = getattr(exc, "fields", None) or {}
    details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in fields.items())
    return exc.message + (f" ({details})" if details else "")
