"""Commands on case files: validate, score, guidance."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scoring.case_path import score_case
from scoring.errors import CaseError, ResponseError
from scoring.guidance import GuidanceLibrary, load_guidance
from scoring.loader import case_files, load_case, load_library


def guidance_or_exit() -> GuidanceLibrary:
    """The guidance documents, or their problems printed and exit 1."""
    try:
        return load_guidance()
    except CaseError as exc:
        for p in exc.problems:
            click.echo(str(p), err=True)
        raise SystemExit(1) from None


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check case files or folders; print one path:line:col: message per problem."""
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        click.echo(f"casebook validate: no such file or folder: {p}", err=True)
    if missing:
        raise SystemExit(2)
    files = case_files(list(paths))
    library = load_library(list(paths), guidance_or_exit())
    for problem in library.problems:
        click.echo(str(problem))
    bad = len({p.path for p in library.problems})
    click.echo(
        f"{len(files)} file{'s' * (len(files) != 1)} checked: "
        f"{len(library.cases) + len(library.item_sets)} valid, "
        f"{bad} with problems ({len(library.problems)} problem"
        f"{'s' * (len(library.problems) != 1)})",
        err=True,
    )
    raise SystemExit(1 if library.problems else 0)


@click.command()
@click.argument("case_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("responses_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def score(case_file: Path, responses_file: Path) -> None:
    """Score RESPONSES.json (step id → answer) against CASE.yaml; print JSON."""
    lib = guidance_or_exit()
    try:
        loaded = load_case(case_file, lib)
    except CaseError as exc:
        for p in exc.problems:
            click.echo(str(p), err=True)
        raise SystemExit(1) from None
    try:
        responses = json.loads(responses_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        click.echo(f"{responses_file}: not valid JSON: {exc}", err=True)
        raise SystemExit(1) from None
    if not isinstance(responses, dict):
        click.echo(f"{responses_file}: expected a JSON object mapping step id to answer", err=True)
        raise SystemExit(1)
    case = loaded.case
    known = {s.id for s in case.steps}
    for step_id in responses:
        if step_id not in known:
            click.echo(f"{responses_file}: unknown step '{step_id}' in case '{case.id}'", err=True)
            raise SystemExit(1)
    try:
        result = score_case(case, responses, lib)
    except ResponseError as exc:
        click.echo(f"{responses_file}: {exc}", err=True)
        raise SystemExit(1) from None
    off_path = sorted(set(responses) - set(result.path))
    if off_path:
        click.echo(
            f"{responses_file}: step '{off_path[0]}' is not on the path these answers "
            f"take ({' → '.join(result.path)})",
            err=True,
        )
        raise SystemExit(1)
    click.echo(
        json.dumps(
            {
                "case_id": case.id,
                "points": result.points,
                "max_points": result.max_points,
                "percent": round(result.percent, 1),
                "finished": result.finished,
                "must_avoid": [{"step": s, "choice": c} for s, c in result.must_avoid],
                "steps": [
                    {
                        "id": i.step_id,
                        "points": i.points,
                        "max_points": i.max_points,
                        "rule": i.rule,
                    }
                    for i in result.items
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
    )


@click.command()
@click.argument("passage_id", required=False)
@click.option("--all", "show_all", is_flag=True, help="Include headings and page furniture.")
def guidance(passage_id: str | None, show_all: bool) -> None:
    """List citable passages (id and text), or show one passage."""
    lib = guidance_or_exit()
    if passage_id:
        found = lib.passage(passage_id)
        if found is None:
            from scoring.problems import did_you_mean

            click.echo(
                f"unknown passage id '{passage_id}'" + did_you_mean(passage_id, lib.passage_ids()),
                err=True,
            )
            raise SystemExit(1)
        click.echo(f"{found.passage.id}  ({found.guidance.id}; {found.passage.section})")
        click.echo(found.passage.text)
        click.echo(f"— {found.guidance.source_date}")
        return
    for doc in lib.documents.values():
        click.echo(f"# {doc.id}: {doc.source_date}")
        for p in doc.passages:
            if p.citable or show_all:
                text = " ".join(p.text.split())
                click.echo(f"{p.id}\t{text}" + ("" if p.citable else "\t(not citable)"))
