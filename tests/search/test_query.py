"""The query language: what it accepts, how it compiles, what it refuses."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.records.normalize import FOLD_TABLE, fold, tokens
from api.search.query import QueryError, parse, to_fts5, to_tsquery


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ("Moyne", '"moyne"', "'moyne'"),
        ("soviet nationals", '("soviet" AND "nationals")', "('soviet' & 'nationals')"),
        ('"Soviet nationals"', '"soviet nationals"', "('soviet' <-> 'nationals')"),
        ("repatriat*", '"repatriat"*', "'repatriat':*"),
        ("Potsdam -Yalta", '(("potsdam") NOT "yalta")', "('potsdam' & !'yalta')"),
        ("Potsdam NOT Yalta", '(("potsdam") NOT "yalta")', "('potsdam' & !'yalta')"),
        ("Yalta OR Potsdam", '("yalta" OR "potsdam")', "('yalta' | 'potsdam')"),
        ("a AND b", '("a" AND "b")', "('a' & 'b')"),
        ("(Yalta OR Potsdam) Stalin", '(("yalta" OR "potsdam") AND "stalin")', None),
        ("711.62114/9–2444", '"711 62114 9 2444"', "('711' <-> '62114' <-> '9' <-> '2444')"),
        ("Zürich", '"zurich"', "'zurich'"),
        ("near", '"near"', "'near'"),
    ],
)
def test_compiles_for_both_engines(query: str, fts5: str, tsquery: str | None) -> None:
    node = parse(query)
    assert to_fts5(node) == fts5
    if tsquery is not None:
        assert to_tsquery(node) == tsquery


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ('"Soviet nationals', "unbalanced"),
        ("AND", "cannot start"),
        ("OR", "cannot start"),
        ("NOT", "needs a term"),
        ("Yalta AND", "both sides"),
        ("Yalta OR", "both sides"),
        ("-Yalta", "at least one term"),
        ("NOT Yalta", "at least one term"),
        ("NEAR(Yalta Potsdam)", "NEAR"),
        ("text:Moyne", "col:"),
        ("Moyne^2", "boosts"),
        ("(Yalta", "unclosed"),
        ("()", "Empty parentheses"),
        ("Yalta)", "Unexpected"),
        ("re*pat", "only allowed at the end"),
        ("—", "no letters"),
        ("x" * 1000, "longer than"),
        (" ".join(["w"] * 40), "more than"),
    ],
)
def test_refuses_what_it_cannot_search(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse(query)


def test_folding_keeps_offsets() -> None:
    text = "“Großbritannien” – Zürich, İstanbul; 740.62114/9–2744"
    assert len(fold(text)) == len(text)
    assert tokens(text) == ["großbritannien", "zurich", "istanbul", "740", "62114", "9", "2744"]


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_folds_as_every_other_text(text: str) -> None:
    """The byte-table shortcut for ASCII gives what the per-character table gives."""
    assert fold(text) == text.translate(FOLD_TABLE)
