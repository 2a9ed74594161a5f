"""`linkage audit verify`: checks the decisions journal's hash chain and its head file."""

from __future__ import annotations

import click


@click.group("audit")
def command() -> None:
    """Tamper evidence of the decisions journal (kiểm tra toàn vẹn nhật ký quyết định)."""
