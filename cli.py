"""The `linkage` command line: a thin layer that parses options and calls the engine's modules."""

from __future__ import annotations

import importlib
import sys

import click

from linkage import __version__
from linkage.commands import COMMAND_MODULES


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="linkage")
def main() -> None:
    """Links civil-status, household-book and citizen-ID records of the same persons, flags their
    conflicts for Justice officers, and produces golden records."""


def _register() -> None:
    for name in COMMAND_MODULES:
        main.add_command(importlib.import_module(f"linkage.commands.{name}").command)


_register()

if __name__ == "__main__":
    sys.exit(main())
