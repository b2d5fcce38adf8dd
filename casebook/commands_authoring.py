"""Commands for case authors: schema, new, coverage."""

from __future__ import annotations

import os
from pathlib import Path

import click

from casebook.commands_cases import guidance_or_exit
from scoring.format.models import ITEM_TYPES
from scoring.format.schema import ITEM_SET_SCHEMA_FILE, SCHEMA_FILE, schema_text
from scoring.format.skeleton import SkeletonError, item_set_skeleton, skeleton
from scoring.library.coverage import coverage as build_coverage
from scoring.library.coverage import coverage_csv, coverage_table
from scoring.library.loader import cases_dir, load_library
from scoring.library.targets import targets_table


@click.command()
@click.option(
    "--item-set",
    is_flag=True,
    help="The schema of an item-set file instead (cases/item-set.schema.json).",
)
def schema(item_set: bool) -> None:
    """Print the JSON Schema of a case file (committed as cases/case.schema.json)."""
    click.echo(schema_text(item_set), nl=False)


def _schema_ref(target: Path | None, name: str = SCHEMA_FILE) -> str:
    """The modeline's path from the new file's folder to the committed schema."""
    if target is None:
        return f"./{name}" if name == SCHEMA_FILE else f"../{name}"  # cases/ or cases/items/
    rel = os.path.relpath(cases_dir() / name, target.resolve().parent)
    rel = rel.replace(os.sep, "/")
    return rel if rel.startswith(".") else f"./{rel}"


@click.command()
@click.argument("case_id")
@click.option(
    "--type",
    "item_types",
    multiple=True,
    type=click.Choice([*ITEM_TYPES, "all"]),
    help="Item type of a template step; repeat for more steps, or 'all' for one of each.",
)
@click.option(
    "--item-set",
    is_flag=True,
    help="An item set of standalone quiz items (the first a trend item) instead of a case.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (never overwritten) instead of printing.",
)
def new(case_id: str, item_types: tuple[str, ...], item_set: bool, output: Path | None) -> None:
    """Write a commented skeleton of a new case (or item set) that validates as is."""
    lib = guidance_or_exit()
    doc = next(iter(lib.documents))
    passages = lib.passage_ids([doc])
    make = item_set_skeleton if item_set else skeleton
    try:
        text = make(
            case_id,
            item_types or ("multiple_choice",),
            guidance_id=doc,
            passage_id=passages[0],
            schema_path=_schema_ref(output, ITEM_SET_SCHEMA_FILE if item_set else SCHEMA_FILE),
        )
    except SkeletonError as exc:
        raise click.UsageError(str(exc)) from None
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        click.echo(f"casebook new: {output} already exists; choose another name", err=True)
        raise SystemExit(1) from None
    except OSError as exc:
        click.echo(f"casebook new: cannot write {output}: {exc.strerror or exc}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Wrote {output}. Next: edit it, then run: casebook validate {output}", err=True)


@click.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one column per case) instead.")
def coverage(path: Path | None, as_csv: bool) -> None:
    """Blueprint of PATH (default: the library): skills, client needs, item types, decision
    points, passages, and the quiz bank's targets."""
    lib = guidance_or_exit()
    library = load_library(path or cases_dir(), lib)
    cov = build_coverage(library.sources(), lib)
    text = coverage_csv(cov) if as_csv else coverage_table(cov) + "\n" + targets_table(cov)
    click.echo(text, nl=False)
    if library.problems:
        files = len({p.path for p in library.problems})
        click.echo(
            f"{files} file(s) left out because of problems; run: casebook validate "
            f"{path or cases_dir()}",
            err=True,
        )
        raise SystemExit(1)
