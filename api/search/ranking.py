"""Relevance for queries the engine cannot rank quickly: BM25 over a bounded set of matches.

Ranking every match is what makes a very common query slow, not finding them: FTS5 reads
every match of every query word once to weigh the words (its BM25 needs, for each word, the
number of rows holding it) and then scores and sorts every match; on PostgreSQL,
``ts_rank_cd`` reads the tsvector of every match. Over a million passages that is about a
second for "the". So when a query may have more matches than ``search_rank_limit`` (as
estimated from the index), or (SQLite) holds a word found in more than
``search_common_word`` rows, the API ranks it itself:

* the candidates are the first N matches in index order (row id), found by the engine with
  every filter applied — so matching stays exact: phrases, NOT, prefixes and filters mean
  what they always mean, and a hit is never invented or dropped;
* each candidate is scored with FTS5's BM25 formula (k1 = 1.2, b = 0.75) from its folded
  text, with word frequencies estimated from the index (``estimate_frequency``) rather
  than counted over every row;
* matches after the first N follow the ranked ones in index order, so paging still reaches
  every hit exactly once.

The response says ``ranking: "approximate"`` when this happened. The price is that a better
hit among the later matches is not found; and since row ids follow loading order, the first
matches favour what was loaded first. docs/benchmarks.md measures both the time saved and
how much score the top 20 lose.
"""

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from api.search.query import And, Node, Not, Or, Term

# The defaults of the settings search_rank_limit and search_common_word (a test keeps them
# equal): ranking 500 matches here costs a few milliseconds, and FTS5 weighing a word found
# in 50,000 rows about two.
RANK_LIMIT = 500
COMMON_WORD = 50_000
K1 = 1.2
B = 0.75
# Matches read to estimate how many rows hold a word: the estimate's relative error is
# about 1/sqrt(FREQUENCY_SAMPLE) (6 %), and reading them costs well under a millisecond.
FREQUENCY_SAMPLE = 256
MIN_IDF = 1e-6  # FTS5 clamps the IDF of a word found in more than half the rows to this


@lru_cache(maxsize=1024)
def term_pattern(term: Term) -> re.Pattern[str]:
    """Where ``term`` occurs in folded text, on the same token boundaries as the engines."""
    words = r"\s+".join(re.escape(token) for token in term.tokens)
    tail = r"[^\W_]*" if term.prefix else r"(?![^\W_])"
    return re.compile(r"(?<![^\W_])" + words + tail)


def estimate_frequency(count: int, last_id: int | None, first_id: int, rows: int) -> int:
    """Rows holding a word, from the first ``count`` of them in id order.

    Fewer than ``FREQUENCY_SAMPLE`` means that is all of them. Otherwise the word is taken
    to be spread evenly over the ids: ``count`` hits among the ids up to ``last_id`` scale
    to the whole table.
    """
    if count < FREQUENCY_SAMPLE or last_id is None:
        return count
    seen = max(1, last_id - first_id + 1)
    return min(rows, max(count, round(count * rows / seen)))


def upper_bound(node: Node, frequency: dict[Term, int]) -> int:
    """At most how many rows match ``node``, from the frequencies of its words."""
    if isinstance(node, Term):
        return frequency[node]
    if isinstance(node, Or):
        return sum(upper_bound(child, frequency) for child in node.nodes)
    if isinstance(node, And):
        return min(upper_bound(c, frequency) for c in node.nodes if not isinstance(c, Not))
    return 0  # a NOT alone matches nothing the parser lets through


class Candidate(Protocol):
    """A match to rank: enough to score it and to break ties as the SQL ordering does."""

    @property
    def document_id(self) -> str: ...

    @property
    def seq(self) -> int: ...

    @property
    def norm_text(self) -> str: ...


def _counter(term: Term) -> re.Pattern[str]:
    """Counts ``term`` in folded text padded with a space at each end.

    Folded text holds only letters, digits and spaces, so a token starts after a space and
    ends before one. Starting with a literal lets the regex engine skip ahead to candidate
    positions (about a microsecond a passage), several times faster than ``term_pattern``'s
    look-behind; the look-ahead leaves the closing space to the next occurrence ("war war"
    counts twice).
    """
    words = " +".join(re.escape(token) for token in term.tokens)
    return re.compile(" " + words + ("" if term.prefix else "(?= )"))


@dataclass(frozen=True)
class Bm25:
    """FTS5's BM25 over one table, with estimated statistics.

    ``rows`` and ``frequency`` (rows holding each query term) stand for the whole table.
    Lengths are counted in characters rather than tokens, and the average length is that of
    the candidates: both are what this ranking reads anyway, and BM25 only uses their ratio.
    """

    counters: Sequence[re.Pattern[str]]
    idf: Sequence[float]
    average_length: float

    @classmethod
    def build(
        cls,
        terms: Sequence[Term],
        frequency: dict[Term, int],
        rows: int,
        candidates: Iterable[Candidate],
    ) -> "Bm25":
        lengths = [len(c.norm_text) for c in candidates]
        average = sum(lengths) / len(lengths) if lengths else 1.0
        idf = []
        for term in terms:
            hits = frequency[term]
            value = math.log((rows - hits + 0.5) / (hits + 0.5)) if rows else 0.0
            idf.append(value if value > 0 else MIN_IDF)
        return cls([_counter(t) for t in terms], idf, max(average, 1.0))

    def scores(self, texts: Sequence[str]) -> list[float]:
        """The score of each folded text (a loop kept tight: it runs for every candidate)."""
        k1, b, plus = K1, B, K1 + 1
        average = self.average_length
        weighted = list(zip(self.counters, self.idf, strict=True))
        out = []
        for text in texts:
            padded = f" {text} "
            norm = k1 * (1 - b + b * len(text) / average)
            total = 0.0
            for counter, idf in weighted:
                tf = len(counter.findall(padded))
                if tf:
                    total += idf * tf * plus / (tf + norm)
            out.append(total)
        return out
