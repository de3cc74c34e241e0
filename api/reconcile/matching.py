"""Scoring a name against the registry: exact forms first, then near ones.

Every entity is held with its written forms (its name, then its aliases). A query is
**exact** for an entity when, after the registry's own folding (``fold_case``, which makes
``entity_alias.key``; runs of spaces count as one), it is one of the entity's forms, or
its id; an alias the registry marks case-sensitive ("Allies", "FDR") must match case
and all, as the linker matches it in texts. Otherwise a form is **near** by the best of:

- its edit similarity (RapidFuzz's normalized Indel ratio), for misspellings: "Harimann";
- the same of its words in sorted order, for inverted names: "Stalin, Joseph";
- containing every word of the query: "Harriman" in "W. Averell Harriman", scored by the
  share of the form's words the query covers (65 to 95).

A query that is an entity's id scores as the nearest of near forms (100): it names the
entity, but it is no name, so it never makes a ``match``.

The score a client sees (0–100) puts every exact candidate above every near one (96 and
more against at most 90), then adds up to 4 points by how many documents name the entity
(a name the sources use more often is likelier meant), and weighs the query's properties:
dates that overlap the entity's (+3), dates that cannot be its (-25), an alternative name
that is one of its forms (+3). ``match`` is true for a candidate only when it is the one
exact candidate of its query and its dates, if given, do not contradict it.
"""

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from api.records.dates import EdtfRange
from api.records.record import fold_case

MIN_SIMILARITY = 65.0
"""Near forms scoring less are not candidates."""
FUZZY_RECALL = 50
"""Forms the edit-similarity pass brings in per name, before scoring."""
EXACT_BASE = 96.0
NEAR_WEIGHT = 0.9
_WORD = re.compile(r"\w+")


def collapse(text: str) -> str:
    return " ".join(text.split())


def fold(text: str) -> str:
    """The registry's key of a written form (``entity_alias.key``), spaces collapsed."""
    return fold_case(collapse(text))


def words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold_case(text)))


@dataclass(frozen=True, slots=True)
class Form:
    text: str
    key: str
    case_sensitive: bool
    words: frozenset[str]

    @classmethod
    def of(cls, text: str, case_sensitive: bool = False) -> "Form":
        return cls(collapse(text), fold(text), case_sensitive, words(text))


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    type: str
    name: str
    description: str | None
    date: str | None
    date_start: dt.date | None
    date_end: dt.date | None
    forms: tuple[Form, ...]  # the name first, then the aliases

    def overlaps(self, dates: list[EdtfRange]) -> bool | None:
        """Whether any of ``dates`` can fall within the entity's; None when it has none."""
        if not dates or (self.date_start is None and self.date_end is None):
            return None
        return any(
            (self.date_end is None or d.start <= self.date_end)
            and (self.date_start is None or d.end >= self.date_start)
            for d in dates
        )


@dataclass(frozen=True, slots=True)
class Hit:
    exact: bool
    similarity: float  # 0–100: 100 for an exact form


@dataclass(frozen=True, slots=True)
class Scored:
    entry: Entry
    exact: bool
    similarity: float
    documents: int
    dates: bool | None
    aliases: bool | None
    score: float


def name_hit(text: str, entry: Entry) -> Hit:
    """How ``text`` compares with the best of the entry's forms."""
    raw, key, query_words = collapse(text), fold(text), words(text)
    best = 100.0 if raw == entry.id else 0.0  # its id: as near as can be, but no name
    for form in entry.forms:
        if (raw == form.text) if form.case_sensitive else (key == form.key):
            return Hit(True, 100.0)
        best = max(best, similarity(key, query_words, form))
    return Hit(False, round(best, 2))


def similarity(key: str, query_words: frozenset[str], form: Form) -> float:
    score = max(
        fuzz.ratio(key, form.key),
        fuzz.token_sort_ratio(key, form.key, processor=utils.default_process),
    )
    if query_words and form.words and query_words <= form.words:
        score = max(score, 65.0 + 30.0 * len(query_words) / len(form.words))
    return float(score)


class Registry:
    """The registry's entries with the indexes a query looks them up by."""

    def __init__(self, entries: Iterable[Entry]):
        self.entries = list(entries)
        self.by_id = {entry.id: n for n, entry in enumerate(self.entries)}
        self._exact: dict[str, set[int]] = {}
        self._cased: dict[str, set[int]] = {}
        self._by_word: dict[str, set[int]] = {}
        self._keys: list[str] = []
        self._key_entry: list[int] = []
        for n, entry in enumerate(self.entries):
            for form in entry.forms:
                if form.case_sensitive:
                    self._cased.setdefault(form.text, set()).add(n)
                else:
                    self._exact.setdefault(form.key, set()).add(n)
                for word in form.words:
                    self._by_word.setdefault(word, set()).add(n)
                self._keys.append(form.key)
                self._key_entry.append(n)

    def search(self, text: str) -> dict[int, Hit]:
        """The entries ``text`` may name (exact or near enough), by index."""
        raw, key, query_words = collapse(text), fold(text), words(text)
        if not key:
            return {}
        found = set(self._exact.get(key, ())) | self._cased.get(raw, set())
        if raw in self.by_id:
            found.add(self.by_id[raw])
        if query_words:  # entries holding every word of the query
            sets = [self._by_word.get(word, set()) for word in query_words]
            found |= set.intersection(*sets) if all(sets) else set()
        for _, _, n in process.extract(
            key, self._keys, scorer=fuzz.ratio, limit=FUZZY_RECALL, score_cutoff=MIN_SIMILARITY
        ):
            found.add(self._key_entry[n])
        hits = {n: name_hit(text, self.entries[n]) for n in found}
        return {n: h for n, h in hits.items() if h.exact or h.similarity >= MIN_SIMILARITY}

    def suggest(self, prefix: str, types: set[str] | None) -> list[Entry]:
        """Entries a user typing ``prefix`` may mean: name starts so, then an alias, then
        a word of a name or alias, then the id; by name within each."""
        start = fold(prefix)
        ranked: list[tuple[int, str, str, Entry]] = []
        for entry in self.entries:
            if types is not None and entry.type not in types:
                continue
            rank = _prefix_rank(start, entry)
            if rank is not None:
                ranked.append((rank, entry.forms[0].key, entry.id, entry))
        ranked.sort(key=lambda r: r[:3])
        return [r[3] for r in ranked]


def _prefix_rank(start: str, entry: Entry) -> int | None:
    if not start or entry.forms[0].key.startswith(start):
        return 0
    if any(form.key.startswith(start) for form in entry.forms[1:]):
        return 1
    if any(word.startswith(start) for form in entry.forms for word in form.words):
        return 2
    if entry.id.startswith(start):
        return 3
    return None


def popularity(documents: int) -> float:
    """Up to 4 points by how many documents name an entity (1: 0.6, 10: 2.1, 100: 4)."""
    return min(4.0, 2.0 * math.log10(1 + documents))


def score(
    entry: Entry, hit: Hit, *, documents: int, dates: bool | None, aliases: bool | None
) -> Scored:
    value = (EXACT_BASE if hit.exact else NEAR_WEIGHT * hit.similarity) + popularity(documents)
    if dates is True:
        value += 3.0
    elif dates is False:
        value -= 25.0
    if aliases:
        value += 3.0
    return Scored(
        entry=entry,
        exact=hit.exact,
        similarity=hit.similarity,
        documents=documents,
        dates=dates,
        aliases=aliases,
        score=round(min(100.0, max(0.0, value)), 2),
    )


def rank(scored: Iterable[Scored]) -> list[Scored]:
    """Exact candidates first, then by score, then by name and id (a stable order)."""
    return sorted(scored, key=lambda s: (not s.exact, -s.score, s.entry.forms[0].key, s.entry.id))


def the_match(ranked: list[Scored]) -> Scored | None:
    """The one candidate that is certainly meant: the only exact one, not contradicted."""
    exact = [s for s in ranked if s.exact]
    if len(exact) == 1 and exact[0].dates is not False:
        return exact[0]
    return None
