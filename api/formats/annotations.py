"""A document's footnotes, mentions and cross-references as W3C Web Annotations.

One ``AnnotationPage`` (Web Annotation Data Model, JSON-LD with the W3C ``anno.jsonld``
context); each annotation targets text with two selectors that must agree: a
``TextPositionSelector`` (code-point offsets, as the model defines them; UTF-16 code units
only when a client asks for them) and a ``TextQuoteSelector`` (the exact text with up to 32
characters of prefix and suffix, which survives small edits offsets do not).

What is annotated where:

- **footnotes** (``motivation: commenting``, body: the note's text) target the document's
  full text (``/text?view=full``, to which every offset refers): the word the printed
  marker is attached to — "Moyne" in "Lord Moyne⁶⁶" — ending where the marker stands. A
  note printed without a marker targets the passage it belongs to, or the whole text;
- **mentions** (``motivation: identifying``, body: the entity's IRI) in the running text
  target the full text. A mention inside a footnote targets **the footnote resource**
  (``/footnotes/{ref}``): its offsets and quote are into the note's ``text`` as that
  resource serves it, since a note's text is not part of the full text;
- **cross-references** (``motivation: linking``, body: the cited document's IRI, or for a
  reference not resolved yet a textual body naming the identifier) anchored in a passage
  or note target that span the same way. References without a span (inferred links
  between documents) annotate no text and are left to ``/cross-references``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
QUOTE_CONTEXT = 32


@dataclass(frozen=True, slots=True)
class TextTarget:
    """A span of a text resource: its URL, the text itself, and code-point offsets."""

    source: str
    text: str
    start: int
    end: int


Units = Callable[[int], int]  # a code-point offset of the target's text in another unit


def selectors(target: TextTarget, units: Units | None = None) -> dict[str, Any]:
    """The target with a position selector and a quote selector for the same span; the
    position counted by ``units`` when given (code points otherwise)."""
    text, start, end = target.text, target.start, target.end
    position = (units(start), units(end)) if units is not None else (start, end)
    return {
        "type": "SpecificResource",
        "source": target.source,
        "selector": [
            {"type": "TextPositionSelector", "start": position[0], "end": position[1]},
            {
                "type": "TextQuoteSelector",
                "exact": text[start:end],
                "prefix": text[max(0, start - QUOTE_CONTEXT) : start],
                "suffix": text[end : end + QUOTE_CONTEXT],
            },
        ],
    }


def marked_word(text: str, offset: int, lo: int, hi: int) -> tuple[int, int]:
    """The span of the word a footnote marker at ``offset`` is printed after.

    Falls back to the word after the marker when it opens its passage, and to the whole
    passage ``[lo, hi)`` when there is no word at all.
    """
    start = offset
    while start > lo and not text[start - 1].isspace():
        start -= 1
    if start < offset:
        return start, offset
    end = offset
    while end < hi and not text[end].isspace():
        end += 1
    return (offset, end) if end > offset else (lo, hi)


def annotation(
    identifier: str,
    motivation: Literal["commenting", "identifying", "linking"],
    body: dict[str, Any],
    target: TextTarget,
    units: Units | None = None,
) -> dict[str, Any]:
    return {
        "id": identifier,
        "type": "Annotation",
        "motivation": motivation,
        "body": body,
        "target": selectors(target, units),
    }


def textual_body(value: str, language: str, purpose: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "TextualBody",
        "value": value,
        "format": "text/plain",
        "language": language,
    }
    if purpose is not None:
        body["purpose"] = purpose
    return body


def page(
    page_id: str,
    collection_id: str,
    items: list[dict[str, Any]],
    *,
    total: int,
    start_index: int,
    next_page: str | None,
    previous_page: str | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@context": CONTEXT,
        "id": page_id,
        "type": "AnnotationPage",
        "partOf": {"id": collection_id, "type": "AnnotationCollection", "total": total},
        "startIndex": start_index,
        "items": items,
    }
    if next_page is not None:
        body["next"] = next_page
    if previous_page is not None:
        body["prev"] = previous_page
    return body
