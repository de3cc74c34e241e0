"""Where a query matched inside a hit, and the excerpt that shows it.

Done in Python on the page's texts rather than by the engines' own highlighters
(``snippet()``, ``ts_headline``), so that offsets and excerpts are the same on both engines
and count code points of the text as served — the offsets a client adds to ``text_start``.
"""

import html

from api.records.normalize import fold
from api.search.query import Node, positive_terms
from api.search.ranking import term_pattern
from api.search.schemas import SearchSnippet, Span

SNIPPET_RADIUS = 80


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
        if merged and start <= merged[-1].end:
            merged[-1] = Span(start=merged[-1].start, end=max(end, merged[-1].end))
        else:
            merged.append(Span(start=start, end=end))
    return merged


def make_snippet(text: str, matches: list[Span]) -> SearchSnippet:
    """An excerpt around the first match, cut at spaces so that no word is cut in half."""
    if matches:
        left = max(0, matches[0].start - SNIPPET_RADIUS)
        right = min(len(text), matches[0].end + SNIPPET_RADIUS)
    else:
        left, right = 0, min(len(text), 2 * SNIPPET_RADIUS)
    if left > 0:
        space = text.find(" ", left, matches[0].start if matches else right)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", matches[0].end if matches else left, right)
        right = space if space > left else right
    prefix = "… " if left > 0 else ""
    suffix = " …" if right < len(text) else ""
    excerpt = prefix + text[left:right] + suffix
    shift = len(prefix) - left
    inside = [
        Span(start=m.start + shift, end=m.end + shift)
        for m in matches
        if m.start >= left and m.end <= right
    ]
    pieces: list[str] = []
    cursor = 0
    for span in inside:
        pieces.append(html.escape(excerpt[cursor : span.start]))
        pieces.append("<mark>" + html.escape(excerpt[span.start : span.end]) + "</mark>")
        cursor = span.end
    pieces.append(html.escape(excerpt[cursor:]))
    return SearchSnippet(text=excerpt, html="".join(pieces), highlights=inside)
