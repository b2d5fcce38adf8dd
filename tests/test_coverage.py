"""`casebook coverage`: the blueprint of passages, skills and item types per case."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from casebook.cli import cli
from scoring.format.models import ITEM_TYPES, Skill
from scoring.guidance.passages import Guidance, GuidanceLibrary
from scoring.library.coverage import coverage, coverage_csv, coverage_table
from scoring.library.loader import load_case_bytes

ROOT = Path(__file__).resolve().parent.parent
SECOND = """\
  - id: second
    skill: take_action
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: select_all
    prompt: Which actions?
    feedback: Call, and teach.
    options:
      - id: call
        text: Call the provider
        keyed: true
        rationale: Right away.
        cite: [scc-emergency-call, nursing]
        goto: third
        consequence:
          narrative: The provider comes.
          cite: [bone-metastasis:scc-untreated-paralysis]
      - id: wait
        text: Wait
        rationale: Delay.
        cite:
          - passage: scc-emergency-call
            quote: right away
  - id: third
    skill: evaluate_outcomes
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: matrix_choice
    prompt: Working?
    feedback: Check.
    columns: [{id: yes-col, text: Working}, {id: no-col, text: Not working}]
    rows:
      - {id: r1, text: Walking, keyed: yes-col, rationale: Good., cite: [scc-symptoms]}
      - {id: r2, text: Numb chest, keyed: no-col, rationale: Bad., cite: [nursing]}
"""


def _cases(guidance_lib, minimal_yaml):
    first = load_case_bytes(minimal_yaml.encode(), "a", guidance_lib).case
    text = minimal_yaml.replace("id: minimal", "id: bigger") + SECOND
    return [first, load_case_bytes(text.encode(), "b", guidance_lib).case]


def test_counts_skills_item_types_and_citations(guidance_lib, minimal_yaml):
    cov = coverage(_cases(guidance_lib, minimal_yaml), guidance_lib)
    assert [c.case_id for c in cov.cases] == ["bigger", "minimal"]
    bigger = cov.cases[0]
    assert bigger.skills == {"recognize_cues": 1, "take_action": 1, "evaluate_outcomes": 1}
    assert bigger.item_types == {"multiple_choice": 1, "select_all": 1, "matrix_choice": 1}
    doc = "bone-metastasis"
    assert bigger.passages[(doc, "scc-emergency-call")] == 2  # plain and quoted
    assert bigger.passages[(doc, "scc-untreated-paralysis")] == 1  # in a consequence
    assert bigger.passages[(doc, "scc-symptoms")] == 1  # in a matrix row
    assert bigger.nursing == 2
    assert cov.cited_by((doc, "hypercalcemia-early-symptoms")) == ["bigger", "minimal"]


def test_uncited_lists_every_citable_passage_no_case_cites(guidance_lib, minimal_yaml):
    cov = coverage(_cases(guidance_lib, minimal_yaml), guidance_lib)
    cited = {
        ("bone-metastasis", p)
        for p in (
            "hypercalcemia-early-symptoms",
            "scc-symptoms",
            "scc-emergency-call",
            "scc-untreated-paralysis",
        )
    }
    assert set(cov.uncited) == set(cov.passages) - cited
    assert ("bone-metastasis", "page-title") not in cov.passages  # not citable


def test_terminal_table(guidance_lib, minimal_yaml):
    text = coverage_table(coverage(_cases(guidance_lib, minimal_yaml), guidance_lib))
    assert "RC  AC  PH  GS  TA  EO" in text
    assert "minimal: 1 passages, 0 nursing" in text
    assert "  scc-emergency-call (2)" in text
    assert "Passages cited nowhere: 32 of 36" in text


def test_csv_is_one_grid_with_a_column_per_case(guidance_lib, minimal_yaml):
    cov = coverage(_cases(guidance_lib, minimal_yaml), guidance_lib)
    rows = list(csv.reader(io.StringIO(coverage_csv(cov))))
    assert rows[0] == ["kind", "id", "label", "bigger", "minimal", "total"]
    by_id = {(r[0], r[1]): r for r in rows[1:]}
    assert by_id[("skill", "recognize_cues")][3:] == ["1", "1", "2"]
    assert by_id[("item_type", "bow_tie")][3:] == ["0", "0", "0"]
    assert by_id[("passage", "scc-emergency-call")][3:] == ["2", "0", "2"]
    assert by_id[("basis", "nursing")][3:] == ["2", "0", "2"]
    kinds = [r[0] for r in rows[1:]]
    assert kinds.count("skill") == len(Skill) and kinds.count("item_type") == len(ITEM_TYPES)
    assert kinds.count("passage") == len(cov.passages)


def test_csv_cells_never_start_a_formula(guidance_lib):
    doc = Guidance(
        id="d",
        title="T",
        publisher="P",
        last_medical_review="x",
        last_revised="y",
        passages=[{"id": "p", "section": "s", "text": "=HYPERLINK(1)"}],
    )
    cov = coverage([], GuidanceLibrary([doc]))
    assert "'=HYPERLINK(1)" in coverage_csv(cov)


def test_cli_coverage_of_the_library(tmp_path, monkeypatch):
    runner = CliRunner()
    table = runner.invoke(cli, ["coverage", str(ROOT / "cases")], catch_exceptions=False)
    assert table.exit_code == 0
    assert "scc-back-pain-could-not-wait" in table.stdout
    assert "bone-metastasis-standalone" in table.stdout  # item sets are in the blueprint too
    grid = runner.invoke(cli, ["coverage", "--csv", str(ROOT / "cases")])
    header = grid.stdout.splitlines()[0].split(",")
    assert header[:3] == ["kind", "id", "label"] and header[-1] == "total"
    assert header[3:-1] == sorted(header[3:-1]) and "found-on-the-bathroom-floor" in header
    trend = next(r for r in grid.stdout.splitlines() if r.startswith("trend,"))
    assert trend.split(",")[header.index("bone-metastasis-standalone")] == "1"
    monkeypatch.setenv("CASEBOOK_CASES_DIR", str(ROOT / "cases"))
    assert runner.invoke(cli, ["coverage", "--csv"]).stdout == grid.stdout


def test_cli_coverage_names_files_left_out(tmp_path, minimal_yaml):
    (tmp_path / "good.yaml").write_text(minimal_yaml, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("id: bad\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["coverage", str(tmp_path)])
    assert result.exit_code == 1
    assert "minimal" in result.stdout
    assert "1 file(s) left out because of problems" in result.stderr
