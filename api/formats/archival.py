"""Archival reference lines: where a printed document is kept, as its edition cites it.

Editions close a document with the reference of the original: ``[AA : A1066, IC45/6/2/1,
i]``, ``[NAA: A1838, 532/7 part 1]``, ``[EGGLESTON PAPERS, NLA : MS423/11/835]``,
``[DFAT: WALLER PAPERS]``, ``[REPORTED IN 'SYDNEY MORNING HERALD', 3 MAY 1945]``. They are
provenance, not text. What sets them apart from an editor's bracketed remark (``[matter
omitted]``, ``[Received 2 May 1945]``) is the way they are written: in capitals, or as a
repository code, a colon and a reference. An unbracketed ``Repository: reference`` line
counts only where references stand — next to the notes or at the end of the document —
since such a line in running text is usually prose.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

# Codes that editions use for the repositories they cite; any other is kept as printed.
REPOSITORIES = {
    "AA": "National Archives of Australia",
    "NAA": "National Archives of Australia",
    "NLA": "National Library of Australia",
    "DFAT": "Department of Foreign Affairs and Trade",
    "FA": "Department of Foreign Affairs",
    "ANZ": "Archives New Zealand",
    "NZNA": "Archives New Zealand",
    "PRO": "Public Record Office",
    "TNA": "The National Archives (UK)",
    "NARA": "National Archives and Records Administration",
    "AWM": "Australian War Memorial",
    "ML": "Mitchell Library",
}
_BRACKETED = re.compile(r"^\s*\[\s*(?P<body>[^\[\]]+?)\s*\]\s*$")
# a code or name, a colon, a reference with a digit or a capital word
_REPO_REF = re.compile(
    r"^(?P<repo>[A-Z][A-Za-z.,&’' ]{0,60}?)\s*[:;]\s*(?P<ref>\S.*)$",
)
_PLAIN_LINE = re.compile(
    r"^(?P<repo>(?:[A-Z][A-Za-z.&’']*\s?){1,6}?)\s*:\s*(?P<ref>[A-Z0-9][^:]{0,200}\d[^:]*)$"
)
_LETTERS = re.compile(r"[^\W\d_]")
ARCHIVAL_LENGTH = 200  # an unbracketed reference line is no longer than this


@dataclass(frozen=True)
class ArchivalLine:
    printed: str  # as printed, without brackets, spaces single
    repository: str | None  # the repository's name when the line names one

    @property
    def reference(self) -> str:
        """The reference without the repository's code: ``A1066, IC45/6/2/1, i``."""
        match = _REPO_REF.match(self.printed)
        return (
            match.group("ref").strip()
            if match is not None and _coded(self.printed)
            else (self.printed)
        )

    @property
    def citation(self) -> str:
        """The part that identifies the file: series and control symbol, the first two parts
        (``A1066, IC45/6/2/1, i`` → ``A1066, IC45/6/2/1``)."""
        parts = [part.strip() for part in self.reference.split(",")]
        return ", ".join(parts[:2]) if len(parts) >= 2 else self.reference


def read_archival(
    text: str, *, at_reference_place: bool | Callable[[], bool]
) -> ArchivalLine | None:
    """The archival reference ``text`` is, or None when it is not one.

    ``at_reference_place``: the line stands where references do (beside the notes, at the
    end of the document), which an unbracketed reference needs (a callable is asked only
    then).
    """
    text = " ".join(text.split())
    bracketed = _BRACKETED.match(text)
    if bracketed is not None:
        body = bracketed.group("body")
        if not _capitalised(body) and not _coded(body):
            return None
        return ArchivalLine(body, _repository(body))
    if len(text) <= ARCHIVAL_LENGTH and (
        at_reference_place() if callable(at_reference_place) else at_reference_place
    ):
        plain = _PLAIN_LINE.match(text)
        if plain is not None and plain.group("repo").strip().upper() != plain.group("repo").strip():
            name = plain.group("repo").strip()
            if _known_repository(name):
                return ArchivalLine(text, _repository(text))
        if plain is not None and _coded(text):
            return ArchivalLine(text, _repository(text))
    return None


def _capitalised(body: str) -> bool:
    """Mostly capitals, as references are printed (``EGGLESTON PAPERS, NLA : MS423``)."""
    letters = _LETTERS.findall(body)
    if len(letters) < 2:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= 0.6


def _coded(body: str) -> bool:
    """A repository code in capitals, a colon and a reference with a digit (``NAA:A1838, 5``)."""
    match = _REPO_REF.match(body)
    if match is None:
        return False
    repo = match.group("repo").split(",")[-1].strip()
    return repo.isupper() and len(repo) <= 12 and any(c.isdigit() for c in match.group("ref"))


def _known_repository(name: str) -> bool:
    folded = name.casefold()
    return any(folded == full.casefold() for full in REPOSITORIES.values())


def _repository(body: str) -> str | None:
    """The repository a reference names: the code before its colon, or a full name."""
    match = _REPO_REF.match(body)
    if match is None:
        return None
    code = match.group("repo").split(",")[-1].strip()
    key = code.replace(".", "").replace(" ", "").upper()
    if key in REPOSITORIES:
        return REPOSITORIES[key]
    if _known_repository(code):
        return next(full for full in REPOSITORIES.values() if full.casefold() == code.casefold())
    return code if code.isupper() else None
