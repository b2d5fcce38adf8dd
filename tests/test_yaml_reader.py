"""The safe YAML reader: positions, explicit typing, and hostile input refused fast."""

from __future__ import annotations

import pytest

from scoring.format.yaml_reader import MAX_DEPTH, YamlError, read_yaml_bytes, read_yaml_file


def refuse(raw: bytes) -> str:
    with pytest.raises(YamlError) as info:
        read_yaml_bytes(raw, "x.yaml")
    return str(info.value)


def test_times_yes_no_and_dates_stay_text():
    doc = read_yaml_bytes(
        b"t: 12:30\na: yes\nb: no\nd: 2014-02-07\nn: 5\nf: 1.5\nx: true\n", "x.yaml"
    )
    assert doc.data == {
        "t": "12:30",
        "a": "yes",
        "b": "no",
        "d": "2014-02-07",
        "n": 5,
        "f": 1.5,
        "x": True,
    }


def test_quoted_values_are_always_text():
    assert read_yaml_bytes(b'n: "5"\nb: "true"\nz: ~\n', "x.yaml").data == {
        "n": "5",
        "b": "true",
        "z": None,
    }


def test_positions_of_keys_and_values():
    doc = read_yaml_bytes(b"a:\n  b:\n    - 1\n    - c: 2\n", "x.yaml")
    assert doc.position(("a", "b", 1, "c")) == (4, 10)
    assert doc.position(("a", "b", 1, "c"), key=True) == (4, 7)
    assert doc.position(("a", "missing")) == doc.position(("a",))


def test_duplicate_key_names_both_lines():
    assert refuse(b"a: 1\nb: 2\na: 3\n") == (
        "x.yaml:3:1: duplicate key 'a' (first given on line 1)"
    )


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "the file is empty"),
        (b"# only a comment\n", "the file is empty"),
        (b"- a\n- b\n", "must be a mapping"),
        (b"just text\n", "must be a mapping"),
        (b"a: !!python/object/apply:os.system [ls]\n", "!!python/object/apply:os.system"),
        (b"a: !custom x\n", "tags such as"),
        (b"a: &x 1\nb: *x\n", "anchors"),
        (b"a: 1\n---\nb: 2\n", "one document"),
        (b"a: [1, 2\n", "YAML syntax error"),
        (b"a: caf\xe9\n", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (b"{[1]: 2}\n", "key must be plain text"),
        (b'a: 1\nb: "\x01"\n', "control character (#x0001)"),
    ],
)
def test_refusals_are_one_clear_line(raw, words):
    message = refuse(raw)
    assert words in message and message.startswith("x.yaml:")
    assert "Traceback" not in message


def test_non_utf8_reports_the_line():
    assert refuse(b"a: 1\nb: caf\xe9\n").startswith(
        "x.yaml:2:7:"
    )  # b=1 :=2 space=3 c=4 a=5 f=6 é=7


def test_oversized_file_refused_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (2 * 1024 * 1024) + b"\n")
    with pytest.raises(YamlError, match="must be under 1 MiB"):
        read_yaml_file(big)


def test_billion_laughs_refused_at_first_alias():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    with pytest.raises(YamlError, match="anchors"):
        read_yaml_bytes("\n".join(lines).encode(), "laughs.yaml")


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_deep_nesting_refused_without_recursion(opener):
    closer = "]" if opener == "[" else "}"
    raw = ("x: " + opener * 20000 + "1" + closer * 20000 + "\n").encode()
    assert f"more than {MAX_DEPTH} levels" in refuse(raw)


def test_block_nesting_within_limit_is_fine():
    raw = "".join(f"{'  ' * i}k{i}:\n" for i in range(30)) + "  " * 30 + "v\n"
    read_yaml_bytes(raw.encode(), "ok.yaml")


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    with pytest.raises(YamlError, match="cannot read the file"):
        read_yaml_file(tmp_path / "nope.yaml")
