"""Commands on case files: validate, lint, score, guidance."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scoring.engine.case_path import score_case
from scoring.errors import CaseError, ResponseError
from scoring.guidance.passages import GuidanceLibrary, load_guidance
from scoring.library.loader import LoadedItemSet, case_files, load_library, load_source
from scoring.lint import RULES
from scoring.lint.engine import lint_case, lint_paths


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
        f"{_plural(len(files), 'file')} checked: "
        f"{len(library.cases) + len(library.item_sets)} valid, "
        f"{bad} with problems ({_plural(len(library.problems), 'problem')})",
        err=True,
    )
    sources = [*library.cases.values(), *library.item_sets.values()]
    findings = [f for c in sources for f in lint_case(c, lib) if not f.suppressed]
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
    """Score RESPONSES.json (step or item id → answer) against CASE.yaml or an item set.

    For a case, ``percent`` is the reported score (after the case's must-avoid cap),
    ``raw_percent`` the points over max_points; ``capped`` says whether the cap lowered it.
    For answers that stop before the end, max_points includes the most points still
    possible on the path. An item set is no attempt: each item is scored on its own.
    """
    lib = guidance_or_exit()
    try:
        loaded = load_source(case_file, lib)
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
    case = loaded.item_set if isinstance(loaded, LoadedItemSet) else loaded.case
    known = {s.id for s in case.steps}
    for step_id in responses:
        if step_id not in known:
            click.echo(f"{responses_file}: unknown step '{step_id}' in '{case.id}'", err=True)
            raise SystemExit(1)
    if isinstance(loaded, LoadedItemSet):
        _score_items(loaded, responses, responses_file, lib)
        return
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
    score = result.score
    click.echo(
        json.dumps(
            {
                "case_id": case.id,
                "points": score.points,
                "max_points": score.max_points,
                "percent": score.percent,
                "raw_percent": score.raw_percent,
                "capped": score.capped,
                "must_avoid_cap": score.cap,
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


def _score_items(
    loaded: LoadedItemSet, responses: dict, responses_file: Path, lib: GuidanceLibrary
) -> None:
    """Each answered standalone item scored on its own (a set is no attempt: no total)."""
    from scoring.engine.items import score_response

    items = {s.id: s for s in loaded.item_set.items}
    out = []
    for item_id, raw in responses.items():
        try:
            r = score_response(items[item_id], raw, lib, tuple(loaded.item_set.guidance))
        except ResponseError as exc:
            click.echo(f"{responses_file}: {exc}", err=True)
            raise SystemExit(1) from None
        out.append(
            {
                "id": item_id,
                "points": r.points,
                "max_points": r.max_points,
                "rule": r.rule,
                "arithmetic": r.arithmetic,
                "must_avoid": list(r.must_avoid_chosen),
            }
        )
    click.echo(
        json.dumps({"item_set_id": loaded.item_set.id, "items": out}, indent=2, ensure_ascii=False)
    )


class PassageOrCommand(click.Group):
    """``casebook guidance [PASSAGE-ID]`` lists or shows passages; ``casebook guidance import``
    is a subcommand. A first word that names no subcommand is read as a passage id."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            ctx.meta["passage_id"] = args[0]
            args = args[1:]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[PASSAGE-ID] [--all] | import FILE ...")


@click.group(cls=PassageOrCommand, invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Include headings and page furniture.")
@click.pass_context
def guidance(ctx: click.Context, show_all: bool) -> None:
    """List citable passages (id and text), or show one passage: guidance [PASSAGE-ID].

    `casebook guidance import FILE.txt ...` makes a passage file from a plain-text document.
    """
    if ctx.invoked_subcommand is not None:
        return
    passage_id = ctx.meta.get("passage_id")
    lib = guidance_or_exit()
    if passage_id:
        found = lib.passage(passage_id)
        if found is None:
            from scoring.format.problems import did_you_mean

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


@guidance.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "doc_id", required=True, help="Document id that cases list under guidance:.")
@click.option("--title", required=True, help="The document's title.")
@click.option("--publisher", required=True, help="Who publishes it (shown with every quote).")
@click.option("--reviewed", required=True, help="Date of its last medical review, YYYY-MM-DD.")
@click.option("--revised", help="Date it was last revised, YYYY-MM-DD (default: --reviewed).")
@click.option("--url", help="Where the document can be read.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Passage file to write (default: <guidance folder>/<id>.yaml); the text is saved "
    "beside it as <id>.source.txt.",
)
@click.option(
    "--update",
    is_flag=True,
    help="Replace an earlier import: unchanged passages keep their ids; notes are kept.",
)
@click.option(
    "--sentences",
    default=3,
    show_default=True,
    type=click.IntRange(1, 10),
    help="Most sentences in one passage.",
)
def guidance_import(
    source: Path,
    doc_id: str,
    title: str,
    publisher: str,
    reviewed: str,
    revised: str | None,
    url: str | None,
    output: Path | None,
    update: bool,
    sentences: int,
) -> None:
    """Make a passage file from a plain-text guidance document (UTF-8 .txt)."""
    from scoring.format.skeleton import ID_PATTERN
    from scoring.guidance.importer import ImportProblem, import_text, normalize
    from scoring.guidance.passages import guidance_dir, load_guidance_file

    if not ID_PATTERN.match(doc_id) or len(doc_id) > 80:
        raise click.UsageError(
            f"'{doc_id}' is not a valid id: use lowercase letters, digits, '-' and '_'"
        )
    for name, value in (("--reviewed", reviewed), ("--revised", revised)):
        if value is not None and not _iso_date(value):
            raise click.UsageError(f"{name} '{value}' is not a date like 2024-02-07")
    output = output or guidance_dir() / f"{doc_id}.yaml"
    text_file = output.with_name(f"{doc_id}.source.txt")
    previous = None
    if output.exists():
        if not update:
            _fail(f"{output} already exists; add --update to re-import over it")
        try:
            previous = load_guidance_file(output)
        except CaseError as exc:
            _fail("\n".join(str(p) for p in exc.problems))
    try:
        text = normalize(source.read_bytes())
        made = import_text(
            text,
            doc_id=doc_id,
            title=title,
            publisher=publisher,
            reviewed=reviewed,
            revised=revised,
            url=url,
            source_file=text_file.name,
            previous=previous,
            max_sentences=sentences,
        )
    except ImportProblem as exc:
        _fail(f"{source}: {exc}")
    except OSError as exc:
        _fail(f"{source}: cannot read it: {exc.strerror or exc}")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        _write(text_file, text)
        _write(output, made.yaml)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    kept = f"; {made.kept_ids} ids kept from the earlier import" if previous else ""
    click.echo(
        f"Wrote {output}: {made.passages} passages ({made.citable} citable, "
        f"{made.passages - made.citable} headings or furniture){kept}, and {text_file}. "
        f"Next: read it through, then run: casebook guidance",
        err=True,
    )


def _iso_date(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a temporary file beside it, then a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _fail(message: str) -> None:
    click.echo(f"casebook guidance import: {message}", err=True)
    raise SystemExit(1)
