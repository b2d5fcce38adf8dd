"""Entry point of the ``casebook`` command; each command family lives in its own module.

Exit codes: 0 success, 1 a content or data problem was found, 2 a usage error. An unexpected
error prints one line (set CASEBOOK_DEBUG=1 to see the traceback) and exits 3.
"""

from __future__ import annotations

import os
import sys

import click

from casebook import commands_cases


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Casebook: clinical-judgment cases for nursing education."""


for command in commands_cases.COMMANDS:
    cli.add_command(command)


def _register_optional() -> None:
    """Command families added by later modules (sessions, authoring) register themselves here."""
    import importlib

    for name in ("casebook.commands_sessions", "casebook.commands_authoring"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        for command in module.COMMANDS:
            cli.add_command(command)


_register_optional()


def main() -> None:
    """Run the CLI, turning any unexpected error into one line instead of a traceback."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # the last edge: a user never sees a traceback
        if os.environ.get("CASEBOOK_DEBUG"):
            raise
        click.echo(
            f"casebook: internal error ({type(exc).__name__}: {exc}); "
            "set CASEBOOK_DEBUG=1 for details",
            err=True,
        )
        sys.exit(3)
