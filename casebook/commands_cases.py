"""Commands on case files: validate, lint, score, guidance."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scoring.case_path import score_case
from scoring.errors import CaseError, ResponseError
from scoring.guidance import GuidanceLibrary, load_guidance
from scoring.lint import RULES
from scoring.lint.engine import lint_case, lint_paths
from scoring.loader import case_files, load_case, load_library


def guidance_or_exit() -> GuidanceLibrary:
    """The guidance documents, or their problems printed and exit 1."""
    try:
        return load_guidance()
    except CaseError as exc:
        for p in exc.problems:
            click.echo(str(p), err=True)
        raise SystemExit(1) from None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _paths_or_exit(command: str, paths: tuple[Path, ...]) -> list[Path]:
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        click.echo(f"casebook {command}: no such file or folder: {p}", err=True)
    if missing:
        raise SystemExit(2)
    return list(paths)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check case files or folders; print one path:line:col: message per problem.

    The item-writing checks of `casebook lint` are summarised in one line; they do not
    change the exit code.
    """
    roots = _paths_or_exit("validate", paths)
    files = case_files(roots)
    lib = guidance_or_exit()
    library = load_library(roots, lib)
    for problem in library.problems:
        click.echo(str(problem))
    bad = len({p.path for p in library.problems})
    click.echo(
        f"{_plural(len(files), 'file')} checked: {len(library.cases)} valid, "
        f"{bad} with problems ({_plural(len(library.problems), 'problem')})",
        err=True,
    )
    findings = [f for c in library.cases.values() for f in lint_case(c, lib) if not f.suppressed]
    if findings:
        where = " ".join(str(p) for p in paths)
        click.echo(
            f"lint: {_plural(len(findings), 'item-writing finding')} in "
            f"{_plural(len({f.path for f in findings}), 'file')} (see: casebook lint {where})",
            err=True,
        )
    raise SystemExit(1 if library.problems else 0)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--suppressed", is_flag=True, help="Also list the findings a step allows, with its reason."
)
@click.option("--rules", "list_rules", is_flag=True, help="List the rule ids and stop.")
def lint(paths: tuple[Path, ...], suppressed: bool, list_rules: bool) -> None:
    """Item-writing checks: one path:line:col: rule-id: reason. Fix: … per finding.

    Exit 0 when no finding is open, 1 when one is (or a file does not validate).
    """
    if list_rules:
        for rule_id, summary in RULES.items():
            click.echo(f"{rule_id}\t{summary}")
        return
    if not paths:
        raise click.UsageError("give at least one case file or folder (e.g. casebook lint cases/)")
    report = lint_paths(_paths_or_exit("lint", paths), guidance_or_exit())
    for problem in report.problems:
        click.echo(f"{problem} (not linted: run casebook validate)")
    for finding in report.open:
        click.echo(str(finding))
    if suppressed:
        for finding in report.suppressed:
            click.echo(f"{finding} (allowed: {finding.suppressed})")
    skipped = len({p.path for p in report.problems})
    click.echo(
        f"{_plural(report.files, 'file')} linted: {_plural(len(report.open), 'finding')}, "
        f"{len(report.suppressed)} allowed"
        + ("" if suppressed or not report.suppressed else " (list them with --suppressed)")
        + (f"; {_plural(skipped, 'file')} not linted because of problems" if skipped else ""),
        err=True,
    )
    raise SystemExit(1 if report.open or report.problems else 0)


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
