"""docs/recognition.md shows the lifecycle table the code reads."""

from __future__ import annotations

from pathlib import Path

from catalogue.recognition.lifecycle import TABLE, transition_table_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "recognition.md"
START, END = "<!-- lifecycle-table:start -->\n", "<!-- lifecycle-table:end -->"


def test_the_documented_transition_table_is_the_one_the_code_reads():
    text = DOC.read_text(encoding="utf-8")
    documented = text.split(START, 1)[1].split(END, 1)[0]
    assert documented == transition_table_markdown(), (
        "docs/recognition.md is out of date: paste transition_table_markdown() between the "
        "lifecycle-table markers"
    )


def test_every_transition_of_the_table_is_a_row_of_the_document():
    documented = DOC.read_text(encoding="utf-8")
    for (state, action), (_effect, after) in TABLE.items():
        assert f"| {state or '(new)'} | {action} |" in documented
        assert f"| {after} |" in documented
