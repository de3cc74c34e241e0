"""The approximate ranking's pieces: frequency estimates, match bounds and BM25 counting."""

import math

import pytest

from api.records.normalize import fold
from api.search.query import Term, parse
from api.search.ranking import (
    COMMON_WORD,
    FREQUENCY_SAMPLE,
    MIN_IDF,
    RANK_LIMIT,
    Bm25,
    estimate_frequency,
    term_pattern,
    upper_bound,
)
from api.settings import Settings


class Text:
    """A candidate as the service passes it: only its folded text matters for scoring."""

    def __init__(self, text: str):
        self.document_id = "d"
        self.seq = 1
        self.norm_text = fold(text)


def test_a_word_with_fewer_rows_than_the_sample_is_counted_exactly() -> None:
    assert estimate_frequency(17, 900, 1, 1000) == 17


def test_a_frequent_word_is_scaled_from_where_its_sample_ends() -> None:
    # The sample's last hit at id 512 of 1..1000: about half the rows hold the word.
    assert estimate_frequency(FREQUENCY_SAMPLE, 512, 1, 1000) == 500
    assert estimate_frequency(FREQUENCY_SAMPLE, FREQUENCY_SAMPLE, 1, 1000) == 1000  # every row
    assert estimate_frequency(FREQUENCY_SAMPLE, 10_000, 1, 20_000) == 512


def test_upper_bound_follows_the_query_shape() -> None:
    war, peace, yalta = Term(("war",)), Term(("peace",)), Term(("yalta",))
    frequency = {war: 900, peace: 40, yalta: 7}
    assert upper_bound(parse("war"), frequency) == 900
    assert upper_bound(parse("war peace"), frequency) == 40
    assert upper_bound(parse("war OR peace"), frequency) == 940
    assert upper_bound(parse("war -yalta"), frequency) == 900  # NOT only removes


@pytest.mark.parametrize(
    ("query", "text", "count"),
    [
        ("war", "War, war and the Warsaw uprising; postwar.", 2),
        ("war", "war war", 2),  # adjacent repeats both count
        ("repatriat*", "Repatriation, repatriated; not expatriation.", 2),
        ('"Soviet nationals"', "Soviet  nationals, Soviet — nationals; Soviet citizens", 2),
        ('"the war"', "after the war, the warden", 1),
    ],
)
def test_bm25_counts_what_the_engines_match(query: str, text: str, count: int) -> None:
    term = parse(query)
    assert isinstance(term, Term)
    assert len(term_pattern(term).findall(fold(text))) == count  # the highlighter agrees
    frequency = {term: 10}
    scorer = Bm25.build([term], frequency, 1000, [Text(text)])
    idf = math.log((1000 - 10 + 0.5) / (10 + 0.5))
    norm = 1.2 * (1 - 0.75 + 0.75)  # a single candidate is of average length
    assert scorer.scores([fold(text)]) == [pytest.approx(idf * count * 2.2 / (count + norm))]


def test_bm25_prefers_more_hits_and_shorter_texts() -> None:
    term = Term(("war",))
    texts = [
        "war " + "x " * 40,  # one hit, long
        "war war " + "x " * 40,  # two hits, long
        "war x",  # one hit, short
        "peace " + "x " * 40,  # no hit
    ]
    scorer = Bm25.build([term], {term: 3}, 100, [Text(t) for t in texts])
    one_long, two_long, one_short, none = scorer.scores([fold(t) for t in texts])
    assert two_long > one_long and one_short > one_long and none == 0.0


def test_a_word_in_most_rows_weighs_almost_nothing() -> None:
    the, lienz = Term(("the",)), Term(("lienz",))
    scorer = Bm25.build([the, lienz], {the: 900, lienz: 2}, 1000, [Text("the Lienz")])
    assert scorer.idf[0] == MIN_IDF and scorer.idf[1] > 5
    with_name, without = scorer.scores([fold("the Lienz"), fold("the the the")])
    assert with_name > 1000 * without


def test_the_service_defaults_are_the_settings_defaults() -> None:
    assert Settings.model_fields["search_rank_limit"].default == RANK_LIMIT
    assert Settings.model_fields["search_common_word"].default == COMMON_WORD
