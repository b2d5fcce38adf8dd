"""Entry point of the ``casebook`` command; each command family lives in its own module.

Exit codes: 0 success, 1 a content or data problem was found, 2 a usage error. An unexpected
error prints one line (set CASEBOOK_DEBUG=1 to see the traceback) and exits 3.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

# Command → "module:attribute". Modules load only when their command runs, so
# `casebook validate` does not pay for pandas, SQLAlchemy and Alembic (about a second).
LAZY_COMMANDS = {
    "validate": "casebook.commands_cases:validate",
    "lint": "casebook.commands_cases:lint",
    "score": "casebook.commands_cases:score",
    "guidance": "casebook.commands_cases:guidance",
    "schema": "casebook.commands_authoring:schema",
    "new": "casebook.commands_authoring:new",
    "coverage": "casebook.commands_authoring:coverage",
    "session": "casebook.commands_sessions:session_group",
    "simulate": "casebook.commands_sessions:simulate",
    "report": "casebook.commands_sessions:report",
    "course": "casebook.commands_courses:course_group",
    "roster": "casebook.commands_courses:roster_group",
    "lti": "casebook.commands_lti:lti_group",
    "gradebook": "casebook.commands_gradebook:gradebook",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used (click docs)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Casebook: clinical-judgment cases for nursing education."""


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
