"""Citations written out in a text: State Department decimal file numbers and URLs.

A pure function of the text, so the same detection serves the linker (over passages read
from the database) and an import (over a record, in the process that read the file).
"""

import re
from collections.abc import Iterable
from typing import NamedTuple, TypeVar

from api.ingest.record import normalize_identifier

# 740.62114/9–2744, 711.62114/9-2444, 816.51/1153: class.subclass/serial(–date)
FILE_NUMBER = re.compile(
    r"(?<![\w./])\d{3}\.\d{1,8}[A-Za-z]{0,4}\d{0,4}/\d{1,6}(?:[\u2010-\u2015-]\d{1,6})?(?![\w/])"
)
URL = re.compile(r"https?://[^\s<>\"“”‘’()\[\]]+")
_TRAILING = ".,;:!?"

K = TypeVar("K")


class Citation(NamedTuple):
    start: int  # offsets into the text searched
    end: int
    scheme: str  # file_number or url
    value: str  # as written
    key: str  # normalized, to match a document's identifiers


def citations(text: str) -> list[Citation]:
    found: list[Citation] = []
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


def detect(containers: Iterable[tuple[K, str]], own: set[str]) -> list[tuple[K, Citation]]:
    """The citations in each (container, text), but of the document's own identifiers.

    A document citing its own file number (in its heading, say) is no reference.
    """
    return [
        (container, found)
        for container, text in containers
        for found in citations(text)
        if found.key not in own
    ]
