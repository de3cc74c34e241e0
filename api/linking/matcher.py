"""Find curated aliases in text with exact code-point offsets.

One Aho–Corasick automaton per case rule scans a text once for every alias. Case-
insensitive aliases are matched in a copy folded one code point at a time, so offsets in
the copy are offsets in the original. A match must stand on word boundaries, and where
matches overlap the leftmost, then longest, wins ("Nazi Germany" over "Germany").
"""

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from api.records.record import fold_case


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    entity_id: str
    surface: str


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class AliasMatcher:
    def __init__(self, aliases: Iterable[tuple[str, str, bool]]):
        """``aliases``: (text, entity id, case sensitive)."""
        self._folded = ahocorasick.Automaton()
        self._exact = ahocorasick.Automaton()
        self.size = 0
        for text, entity_id, case_sensitive in aliases:
            if not text:
                continue
            automaton = self._exact if case_sensitive else self._folded
            key = text if case_sensitive else fold_case(text)
            automaton.add_word(key, (len(key), entity_id))
            self.size += 1
        for automaton in (self._folded, self._exact):
            if len(automaton):
                automaton.make_automaton()

    def find(self, text: str) -> list[Match]:
        candidates: list[tuple[int, int, str]] = []
        for automaton, haystack in ((self._folded, fold_case(text)), (self._exact, text)):
            if not len(automaton):
                continue
            for last, (length, entity_id) in automaton.iter(haystack):
                start, end = last - length + 1, last + 1
                if _is_word(text[start]) and start > 0 and _is_word(text[start - 1]):
                    continue
                if _is_word(text[end - 1]) and end < len(text) and _is_word(text[end]):
                    continue
                candidates.append((start, end, entity_id))
        candidates.sort(key=lambda c: (c[0], -(c[1] - c[0]), c[2]))
        matches: list[Match] = []
        boundary = 0
        for start, end, entity_id in candidates:
            if start >= boundary:
                matches.append(Match(start, end, entity_id, text[start:end]))
                boundary = end
        return matches
