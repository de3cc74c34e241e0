"""The heading line of an archival document: genre, number, place, date and time.

Printed editions of diplomatic papers open each document with one line such as
``Cablegram D193 LONDON, 1 February 1945, 7.30 p.m.``. The line comes in many variants —
``Letter (extract) WASHINGTON, 15 January 1945``, ``Agendum 976 29 October 1945,``,
``Cablegram E29 [SAN FRANCISCO], 14 June 1945``, ``CANBERRA, 28 June 1945`` — so every part
is optional and the parser never fails: it returns what it could read, and the reader keeps
the line itself as the document's dateline passage.
"""

import re
from dataclasses import dataclass

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH = "|".join(MONTHS)
_DATE = re.compile(
    rf"\[?(?P<day>\d{{1,2}})\]?\s+\[?(?P<month>{_MONTH})\]?\s+\[?(?P<year>1[89]\d\d|20\d\d)\]?"
)
_MONTH_YEAR = re.compile(rf"\[?(?P<month>{_MONTH})\s+(?:\[\d+\]\s+)?(?P<year>1[89]\d\d|20\d\d)\]?")
_TIME = re.compile(r"(?P<time>\d{1,2}(?:\.\d{2})?\s*[ap]\.m\.|noon|midnight)", re.IGNORECASE)

# Genres as the editions print them, longest first so "Circular Cablegram" wins over
# "Cablegram". The value is the genre the record stores.
GENRES: dict[str, str] = {
    "teleprinter message": "teleprinter message",
    "circular cablegram": "cablegram",
    "draft cablegram": "cablegram",
    "record of conversation": "record of conversation",
    "cablegrams": "cablegram",
    "cablegram": "cablegram",
    "telegrams": "telegram",
    "telegram": "telegram",
    "savingram": "savingram",
    "letter": "letter",
    "letters": "letter",
    "memorandum": "memorandum",
    "minute": "minute",
    "minutes": "minutes",
    "dispatch": "dispatch",
    "despatch": "dispatch",
    "agendum": "agendum",
    "message": "message",
    "note": "note",
    "notes": "note",
    "report": "report",
    "submission": "submission",
    "aide-memoire": "aide-memoire",
    "extract": "extract",
    "extracts": "extract",
}
_GENRE = re.compile(
    r"^(?P<genre>"
    + "|".join(re.escape(g) for g in sorted(GENRES, key=len, reverse=True))
    + r")\b(?:\s*\((?:extract|extracts)\))?",
    re.IGNORECASE,
)
# Titles that name the genre when the heading does not ("War Cabinet Minute 4293").
_TITLE_GENRES = (
    ("minutes of", "minutes"),
    ("minute", "minute"),
    ("submission", "submission"),
    ("record of conversation", "record of conversation"),
    ("note by", "note"),
    ("notes by", "note"),
    ("report", "report"),
    ("memorandum", "memorandum"),
    ("letter", "letter"),
    ("agreement", "agreement"),
)
_PLACE_TOKEN = re.compile(r"^\[?[A-Z][A-Z.'&-]*\]?,?$")
_SPACE_COMMA = re.compile(r"\s+,")
_NOTE_MARK = re.compile(r"\[\d+\]")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Dateline:
    genre: str | None = None
    number: str | None = None
    place: str | None = None
    date: str | None = None  # ISO 8601 day or month, also valid EDTF
    time: str | None = None


def _place_name(raw: str) -> str:
    """``LONDON`` → ``London``, ``[SAN FRANCISCO]`` → ``San Francisco``; keeps inner commas."""
    cleaned = raw.replace("[", "").replace("]", "").strip(" ,")
    cleaned = _SPACE_COMMA.sub(",", cleaned)
    words = []
    for word in cleaned.split(" "):
        words.append(word if not word.isupper() else word.capitalize())
    return " ".join(words)


def parse_dateline(line: str) -> Dateline:
    """Read what the line says; missing parts are None."""
    text = " ".join(line.replace("\\", "").split())
    date_match = _DATE.search(text)
    date: str | None = None
    time: str | None = None
    if date_match:
        month = MONTHS.index(date_match.group("month")) + 1
        year, day = int(date_match.group("year")), int(date_match.group("day"))
        if 1 <= day <= 31:
            date = f"{year:04d}-{month:02d}-{day:02d}"
        prefix = text[: date_match.start()]
        time_match = _TIME.search(text, date_match.end())
        if time_match and time_match.start() - date_match.end() <= 4:
            time = time_match.group("time")
    else:
        month_match = _MONTH_YEAR.search(text)
        if month_match:
            month = MONTHS.index(month_match.group("month")) + 1
            date = f"{int(month_match.group('year')):04d}-{month:02d}"
            prefix = text[: month_match.start()]
        else:
            prefix = text
    prefix = prefix.strip(" ,[")
    genre: str | None = None
    genre_match = _GENRE.match(prefix)
    if genre_match:
        genre = GENRES[genre_match.group("genre").lower()]
        prefix = prefix[genre_match.end() :].strip(" ,")
    tokens = prefix.split()
    # The place is the run of capitalised words at the end ("SAN FRANCISCO", "[CANBERRA]").
    place_start = len(tokens)
    while place_start > 0 and _PLACE_TOKEN.match(tokens[place_start - 1]):
        place_start -= 1
    # A number such as D193 or UNO/Rep 7 stands before the place; a lone code in capitals
    # with a digit (E29, CAB302) is a number, not a place.
    while place_start < len(tokens) and any(ch.isdigit() for ch in tokens[place_start]):
        place_start += 1
    number_tokens = [t for t in tokens[:place_start] if not _NOTE_MARK.fullmatch(t)]
    place_tokens = tokens[place_start:]
    number = " ".join(number_tokens).strip(" ,") or None
    if number is not None and (
        number.lower() == "unnumbered" or not _DIGIT.search(number) or len(number_tokens) > 3
    ):
        number = None
    place = _place_name(" ".join(place_tokens)) if place_tokens else None
    return Dateline(genre=genre, number=number, place=place or None, date=date, time=time)


def genre_from_title(title: str) -> str | None:
    lowered = title.lower()
    for needle, genre in _TITLE_GENRES:
        if needle in lowered:
            return genre
    return None
