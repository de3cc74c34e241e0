"""Where a query matched inside a hit, and the excerpt that shows it.

Done in Python on the page's texts rather than by the engines' own highlighters
(``snippet()``, ``ts_headline``), so that offsets and excerpts are the same on both engines
and count code points of the text as served: offsets into the passage's or note's text,
which the service places in the full text.
"""

import html

from api.records.normalize import fold
from api.records.offsets import Utf16Map
from api.search.query import Node, positive_terms
from api.search.ranking import term_pattern
from api.search.schemas import Highlight, SearchSnippet

SNIPPET_RADIUS = 80

Span = tuple[int, int]  # start and end of a match in a passage's or note's text


def find_matches(text: str, query: Node, folded: str | None = None) -> list[Span]:
    """Where the query's positive terms stand in ``text`` (offsets in the text as printed).

    ``folded`` is the stored ``norm_text`` when the caller has it: the same string as
    ``fold(text)`` (the loader writes it so), without folding hundreds of characters again.
    """
    if folded is None or len(folded) != len(text):
        folded = fold(text)
    spans = sorted(
        {
            (m.start(), m.end())
            for term in positive_terms(query)
            for m in term_pattern(term).finditer(folded)
        }
    )
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, matches: list[Span], *, utf16: bool = False) -> SearchSnippet:
    """An excerpt around the first match, cut at spaces so that no word is cut in half;
    ``utf16``: its highlights count UTF-16 code units of the excerpt."""
    if matches:
        left = max(0, matches[0][0] - SNIPPET_RADIUS)
        right = min(len(text), matches[0][1] + SNIPPET_RADIUS)
    else:
        left, right = 0, min(len(text), 2 * SNIPPET_RADIUS)
    if left > 0:
        space = text.find(" ", left, matches[0][0] if matches else right)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", matches[0][1] if matches else left, right)
        right = space if space > left else right
    prefix = "… " if left > 0 else ""
    suffix = " …" if right < len(text) else ""
    excerpt = prefix + text[left:right] + suffix
    shift = len(prefix) - left
    inside = [
        (start + shift, end + shift) for start, end in matches if start >= left and end <= right
    ]
    pieces: list[str] = []
    cursor = 0
    for start, end in inside:
        pieces.append(html.escape(excerpt[cursor:start]))
        pieces.append("<mark>" + html.escape(excerpt[start:end]) + "</mark>")
        cursor = end
    pieces.append(html.escape(excerpt[cursor:]))
    unit = Utf16Map(excerpt) if utf16 else None
    return SearchSnippet(
        text=excerpt,
        html="".join(pieces),
        highlights=[
            Highlight(snippet_start=unit(start), snippet_end=unit(end))
            if unit
            else Highlight(snippet_start=start, snippet_end=end)
            for start, end in inside
        ],
    )
