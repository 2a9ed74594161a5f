"""Errors a user can fix. They print as one line and exit with code 2, never with a traceback."""

from __future__ import annotations

import click


class UserError(click.ClickException):
    """A problem with the user's input or environment, reported as one clear line (exit code 2)."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None) -> None:
        where = ""
        if file is not None:
            where = f"{file}: "
            if row is not None:
                where = f"{file}: row {row}: "
        super().__init__(where + message)

    def format_message(self) -> str:
        return self.message


class WorkspaceInUse(UserError):
    """Another process holds the workspace's write lock."""
