"""Citations written out in a text: file numbers, URLs, documents and telegrams by number.

- State Department decimal file numbers (``740.62114/9–2744``) and URLs name a source
  anywhere in the corpus;
- ``Document 117`` (``Documents 141 and 149``, ``See Document I 7`` as a scan prints 17)
  names a document of the same printed collection by its number in it: the key is the
  collection and the number, which documents carry as their ``document_number`` identifier.
  ``Document 90, Volume XIV`` is another volume's document and is not read as this one's;
- ``our telegram 489``, ``your cablegram D193``, ``Your 2926`` name a telegram by its
  number, within the same collection (telegram numbers repeat across senders and years).

A pure function of the text and the collection it belongs to, so the same detection serves
the linker (over passages read from the database) and an import (over a record, in the
process that read the file).
"""

import re
from collections.abc import Iterable
from typing import NamedTuple, TypeVar

from api.records.record import normalize_identifier

# 740.62114/9–2744, 711.62114/9-2444, 816.51/1153: class.subclass/serial(–date)
FILE_NUMBER = re.compile(
    r"(?<![\w./])\d{3}\.\d{1,8}[A-Za-z]{0,4}\d{0,4}/\d{1,6}(?:[\u2010-\u2015-]\d{1,6})?(?![\w/])"
)
URL = re.compile(r"https?://[^\s<>\"“”‘’()\[\]]+")
_TRAILING = ".,;:!?"
_NUMBER = r"(?:[Il](?=\s?\d))?\s?\d{1,4}\b"
DOCUMENT = re.compile(
    rf"\bDocuments?\s+(?:No\.?\s*)?(?P<first>{_NUMBER})"
    rf"(?P<more>(?:\s*(?:,|and|&)\s*{_NUMBER})*)"
)
_OTHER_VOLUME_AFTER = re.compile(r"^,?\s*(?:in\s+)?(?:Volume|Vol\.)\s+[IVXLC\d]+")
_OTHER_VOLUME_BEFORE = re.compile(r"(?:Volume|Vol\.)\s+[IVXLC\d]+,?\s*$")
# "our telegram 489", "his cablegram No. 12", "Your 2926" (bare, a telegram's opening);
# starting with a character class lets the engine skip ahead fast
TELEGRAM = re.compile(
    r"[OoYyMmHhTt](?:ur|our|y|is|heir)\s+(?:(?P<kind>telegram|cablegram|cable|savingram)s?"
    r"\s+(?:No\.?\s*)?|(?:No\.\s*)?)(?P<number>[A-Z]{0,3}\d{1,5})\b(?!\.\d)"
)
_BARE_OWNERS = ("Your", "Our", "My")

K = TypeVar("K")


class Citation(NamedTuple):
    start: int  # offsets into the text searched
    end: int
    scheme: str  # file_number, url, document_number or telegram_number
    value: str  # as written
    key: str  # normalized, to match a document's identifiers


def scoped_key(scope: str, number: str) -> str:
    """The key of a number within a collection, as its documents' identifiers are keyed."""
    return normalize_identifier(f"{scope}/{number}")


def citations(text: str, scope: str | None = None) -> list[Citation]:
    """The citations in ``text``; ``scope`` (the collection) enables those by number."""
    found: list[Citation] = []
    if scope is not None:
        if "ocument" in text:
            found.extend(_documents(text, scope))
        if any(word in text for word in _OWNERS):
            found.extend(_telegrams(text, scope))
    if "/" not in text:
        return found  # both a file number and a URL have one; most passages have none
    for match in FILE_NUMBER.finditer(text):
        value = match.group()
        found.append(
            Citation(match.start(), match.end(), "file_number", value, normalize_identifier(value))
        )
    for match in URL.finditer(text):
        value = match.group().rstrip(_TRAILING)
        end = match.start() + len(value)
        found.append(Citation(match.start(), end, "url", value, normalize_identifier(value)))
    return found


def _documents(text: str, scope: str) -> list[Citation]:
    found: list[Citation] = []
    for match in DOCUMENT.finditer(text):
        if _OTHER_VOLUME_AFTER.match(text[match.end() :]) or _OTHER_VOLUME_BEFORE.search(
            text[max(0, match.start() - 20) : match.start()]
        ):
            continue
        spans = [match.span("first")]
        more_start = match.start("more")
        spans += [
            (more_start + m.start(), more_start + m.end())
            for m in re.finditer(_NUMBER, match.group("more"))
        ]
        for start, end in spans:
            while text[start] == " ":
                start += 1
            digits = text[start:end].translate(_SCANNED_ONE).replace(" ", "")
            key = scoped_key(scope, digits)
            found.append(Citation(start, end, "document_number", f"Document {digits}", key))
    return found


_OWNERS = ("our", "Our", "my ", "My ", "his ", "eir ")
_SCANNED_ONE = str.maketrans({"I": "1", "l": "1"})


def _telegrams(text: str, scope: str) -> list[Citation]:
    found: list[Citation] = []
    for match in TELEGRAM.finditer(text):
        start = match.start()
        if start and text[start - 1].isalnum():
            continue  # inside a word ("Tour", "detour")
        if match.group("kind") is None and not match.group().startswith(_BARE_OWNERS):
            continue  # "his 12 men": a bare number is a telegram only after Your/Our/My
        number = match.group("number")
        found.append(
            Citation(
                match.start("number"),
                match.end("number"),
                "telegram_number",
                number,
                scoped_key(scope, number),
            )
        )
    return found


def detect(
    containers: Iterable[tuple[K, str]], own: set[str], scope: str | None = None
) -> list[tuple[K, Citation]]:
    """The citations in each (container, text), but of the document's own identifiers.

    A document citing its own file number (in its heading, say) is no reference.
    ``scope``: the document's collection, for the citations by number within it.
    """
    return [
        (container, found)
        for container, text in containers
        for found in citations(text, scope)
        if found.key not in own
    ]


def detected_reference(document_id: str, citation: Citation) -> dict[str, object]:
    """The columns of a detected reference but the passage or note it stands in."""
    return {
        "relation": "cites",
        "origin": "detected",
        "source_document_id": document_id,
        "source_start": citation.start,
        "source_end": citation.end,
        "target_scheme": citation.scheme,
        "target_value": citation.value,
        "target_key": citation.key,
    }
