"""`linkage users add|disable|enable|list`: accounts of the review side."""

from __future__ import annotations

import click

from linkage.commands.review import review_store_option
from linkage.review import accounts
from linkage.review.store import open_review_store

db_option = click.option("--db", "db", default=None,
                         help="Workspace DuckDB file; the default review store lies beside it.")


@click.group("users")
def command() -> None:
    """Accounts of the review application: officers (by commune/province), stewards, admins."""


@command.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Display name (Họ tên).")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
@click.option("--commune", "communes", multiple=True, metavar="CODE", help="Officer's commune, or PROVINCE:COMMUNE (repeatable).")
@click.option("--province", "provinces", multiple=True, metavar="CODE", help="Officer's province (repeatable).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted when omitted.")
@review_store_option
@db_option
def add_command(username: str, display_name: str, role: str, communes: tuple[str, ...],
                provinces: tuple[str, ...], password: str, review_store: str | None, db: str | None) -> None:
    """Creates an account."""
    with open_review_store(review_store, db) as store:
        account = accounts.add_account(store, username, display_name, role, password, communes=communes,
                                       provinces=provinces)
    click.echo(f"Added {account.username} ({account.role}; {account.scope_text()})")


@command.command("disable")
@click.argument("username")
@review_store_option
@db_option
def disable_command(username: str, review_store: str | None, db: str | None) -> None:
    """Disables an account (its decisions stay in the journal)."""
    with open_review_store(review_store, db) as store:
        account = accounts.disable_account(store, username)
    click.echo(f"Disabled {account.username}")


@command.command("enable")
@click.argument("username")
@review_store_option
@db_option
def enable_command(username: str, review_store: str | None, db: str | None) -> None:
    """Enables a disabled account again."""
    with open_review_store(review_store, db) as store:
        account = accounts.set_active(store, username, True)
    click.echo(f"Enabled {account.username}")


@command.command("list")
@review_store_option
@db_option
def list_command(review_store: str | None, db: str | None) -> None:
    """Lists accounts (never passwords)."""
    with open_review_store(review_store, db) as store:
        found = accounts.list_accounts(store)
    if not found:
        click.echo("No accounts.")
        return
    width = max(len(a.username) for a in found)
    for a in found:
        state = "active" if a.active else "disabled"
        click.echo(f"{a.username:<{width}}  {a.role:<8}  {state:<8}  {a.scope_text()}  {a.display_name}")
