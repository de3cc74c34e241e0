"""The normalized record: what every reader produces and the loader writes.

Validation lives here, once: offsets must point at exactly the text they claim, refs must
be unique, dates must be EDTF. A record that passes can be written without further checks.
"""

import hashlib
import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.records.dates import EdtfRange, parse_edtf

SLUG = r"^[a-z0-9][a-z0-9._-]*$"
PASSAGE_KINDS = (
    "heading",
    "paragraph",
    "list_item",
    "quotation",
    "attribution",
    "caption",
    "signature",
    "dateline",
    "table",
    "editorial",
)
PassageKind = Literal[
    "heading",
    "paragraph",
    "list_item",
    "quotation",
    "attribution",
    "caption",
    "signature",
    "dateline",
    "table",
    "editorial",
]
SourceType = Literal["primary", "secondary", "tertiary"]

_SPACES = re.compile(r"\s+")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")


def normalize_identifier(value: str) -> str:
    """Fold the ways one identifier is printed (dash variants, case, spacing) into one key."""
    folded = unicodedata.normalize("NFKC", value).translate(_DASHES).casefold()
    return _SPACES.sub("", folded)


def text_checksum(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class CollectionRecord(_Strict):
    id: str = Field(pattern=SLUG, max_length=120)
    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    publisher: str | None = None


class ArchivalId(_Strict):
    scheme: str = Field(min_length=1, max_length=50)
    value: str = Field(min_length=1, max_length=500)
    repository: str | None = None


class Provenance(_Strict):
    """Where the source comes from, as a citation needs it."""

    publisher: str | None = None
    container_title: str | None = Field(
        default=None, description="the printed series or site, e.g. FRUS 1944, vol. IV"
    )
    volume: str | None = None
    pages: str | None = Field(default=None, description="page range as printed, e.g. 1253–1254")
    first_page: str | None = Field(default=None, description="page the text starts on")
    archival_ids: list[ArchivalId] = Field(default_factory=list)
    url: str | None = None
    accessed: str | None = None
    rights: str | None = None
    source_file: str | None = Field(default=None, description="file the text was taken from")
    order: int | None = Field(
        default=None, description="position of the document in its printed collection"
    )
    place: str | None = Field(
        default=None, description="where it was written or sent from, as its dateline says"
    )
    time: str | None = Field(
        default=None, description="time of dispatch as printed, e.g. 7.30 p.m."
    )
    classification: str | None = Field(
        default=None, description="security or handling marking as printed, e.g. TOP SECRET"
    )


class CuratorialNote(_Strict):
    kind: Literal["reliability", "editorial", "context", "transcription"]
    text: str = Field(min_length=1)


class IdentifierRecord(_Strict):
    scheme: str = Field(min_length=1, max_length=50)
    value: str = Field(min_length=1, max_length=500)


class MarkRecord(_Strict):
    """Emphasis as printed, over ``start``–``end`` of the passage's text."""

    type: Literal["italic", "bold"]
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class TableRecord(_Strict):
    """A table's cells, row by row; the passage's text is the same cells, tab-separated."""

    rows: list[list[str]] = Field(min_length=1)
    header_rows: int = Field(default=0, ge=0)


class PassageRecord(_Strict):
    ref: str = Field(min_length=1, max_length=200)
    kind: PassageKind
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    boilerplate: bool = False
    section_ref: str | None = None
    page: str | None = None
    level: int | None = Field(default=None, ge=1, le=6, description="a heading's level")
    depth: int | None = Field(default=None, ge=1, description="a list item's nesting, from 1")
    label: str | None = Field(
        default=None, max_length=20, description="a list item's number or bullet as printed"
    )
    marks: list[MarkRecord] = Field(default_factory=list)
    table: TableRecord | None = None

    @model_validator(mode="after")
    def _marks_inside(self) -> "PassageRecord":
        for mark in self.marks:
            if not mark.start < mark.end <= len(self.text):
                raise ValueError(
                    f"passage {self.ref!r}: {mark.type} {mark.start}-{mark.end} is outside its text"
                )
        return self


class FootnoteRecord(_Strict):
    ref: str = Field(min_length=1, max_length=200)
    marker: str = Field(min_length=1, max_length=50)
    number: int = Field(ge=1)
    text: str = Field(min_length=1)
    offset: int | None = Field(default=None, ge=0)
    passage_ref: str | None = None


class PageRecord(_Strict):
    n: str = Field(min_length=1, max_length=50)
    offset: int = Field(ge=0)


class MentionRecord(_Strict):
    """A curator's decision about a mention; offsets are into the container's text."""

    container: Literal["passage", "footnote"]
    ref: str = Field(description="passage ref or footnote ref")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    surface: str = Field(min_length=1)
    entity_id: str = Field(pattern=SLUG)
    status: Literal["curated", "rejected"] = "curated"


Relation = Literal["cites", "replies_to", "quotes", "same_event", "see_also"]
RELATIONS = ("cites", "replies_to", "quotes", "same_event", "see_also")


class TargetRecord(_Strict):
    """Where a cross-reference points: a document in the corpus, or an identifier."""

    document: str | None = Field(default=None, pattern=SLUG)
    passage: str | None = None
    footnote: str | None = None
    scheme: str | None = Field(default=None, max_length=50)
    value: str | None = Field(default=None, max_length=500)
    label: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _some_target(self) -> "TargetRecord":
        if self.document is None and (self.scheme is None or self.value is None):
            raise ValueError("a target needs a document id, or an identifier scheme and value")
        return self


class CrossReferenceRecord(_Strict):
    container: Literal["document", "passage", "footnote"] = "document"
    ref: str | None = None
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    relation: Relation
    target: TargetRecord


class DocumentRecord(_Strict):
    id: str = Field(pattern=SLUG, max_length=200)
    collection_id: str = Field(pattern=SLUG, max_length=120)
    title: str = Field(min_length=1, max_length=1000)
    authors: list[str] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    date: str | None = None
    source_type: SourceType
    genre: str | None = Field(default=None, max_length=100)
    language: str = Field(
        default="en", max_length=35, pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$"
    )
    number: str | None = Field(default=None, max_length=100)
    provenance: Provenance = Field(default_factory=Provenance)
    notes: list[CuratorialNote] = Field(default_factory=list)
    identifiers: list[IdentifierRecord] = Field(default_factory=list)
    text: str
    passages: list[PassageRecord]
    footnotes: list[FootnoteRecord] = Field(default_factory=list)
    pages: list[PageRecord] = Field(default_factory=list)
    mentions: list[MentionRecord] = Field(default_factory=list)
    cross_references: list[CrossReferenceRecord] = Field(default_factory=list)

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        # YAML turns 1944-09-24 into a date object; EDTF is text.
        return value.isoformat() if hasattr(value, "isoformat") else value

    @field_validator("date")
    @classmethod
    def _edtf(cls, value: str | None) -> str | None:
        if value is not None:
            parse_edtf(value)
        return value

    @property
    def date_range(self) -> EdtfRange | None:
        return parse_edtf(self.date) if self.date else None

    @property
    def checksum(self) -> str:
        return text_checksum(self.text)

    @property
    def fingerprint(self) -> str:
        """Hash of everything the record says: equal fingerprints mean nothing to write."""
        canonical = self.model_dump_json(exclude_defaults=False).encode("utf-8")
        return "sha256:" + hashlib.sha256(canonical).hexdigest()

    @model_validator(mode="after")
    def _consistent(self) -> "DocumentRecord":
        if not self.passages:
            raise ValueError("a document needs at least one passage of text")
        refs: set[str] = set()
        previous_end = 0
        for passage in self.passages:
            if passage.ref in refs:
                raise ValueError(f"passage ref {passage.ref!r} is used twice")
            refs.add(passage.ref)
            if passage.start < previous_end or passage.end < passage.start:
                raise ValueError(f"passage {passage.ref!r} overlaps or runs backwards")
            if self.text[passage.start : passage.end] != passage.text:
                raise ValueError(
                    f"passage {passage.ref!r}: offsets {passage.start}-{passage.end} do not "
                    "hold its text"
                )
            previous_end = passage.end
        by_ref = {p.ref: p for p in self.passages}
        numbers: set[int] = set()
        note_refs: set[str] = set()
        for note in self.footnotes:
            if note.number in numbers:
                raise ValueError(f"footnote number {note.number} is used twice")
            if note.ref in note_refs:
                raise ValueError(f"footnote ref {note.ref!r} is used twice")
            numbers.add(note.number)
            note_refs.add(note.ref)
            if (note.offset is None) != (note.passage_ref is None):
                raise ValueError(f"footnote {note.marker}: offset and passage go together")
            if note.passage_ref is not None and note.offset is not None:
                anchor = by_ref.get(note.passage_ref)
                if anchor is None:
                    raise ValueError(f"footnote {note.marker}: no passage {note.passage_ref!r}")
                if not anchor.start <= note.offset <= anchor.end:
                    raise ValueError(
                        f"footnote {note.marker}: offset {note.offset} is outside passage "
                        f"{anchor.ref!r}"
                    )
        for page in self.pages:
            if page.offset > len(self.text):
                raise ValueError(f"page {page.n}: offset {page.offset} is past the text's end")
        if [p.offset for p in self.pages] != sorted(p.offset for p in self.pages):
            raise ValueError("page markers are out of order")
        notes_by_ref = {note.ref: note for note in self.footnotes}
        for mention in self.mentions:
            container = (by_ref if mention.container == "passage" else notes_by_ref).get(
                mention.ref
            )
            if container is None:
                raise ValueError(
                    f"mention {mention.surface!r}: no {mention.container} {mention.ref!r}"
                )
            if container.text[mention.start : mention.end] != mention.surface:
                raise ValueError(
                    f"mention {mention.surface!r}: offsets {mention.start}-{mention.end} of "
                    f"{mention.container} {mention.ref!r} hold "
                    f"{container.text[mention.start : mention.end]!r}"
                )
        for xref in self.cross_references:
            if xref.container == "document":
                continue
            holder = (by_ref if xref.container == "passage" else notes_by_ref).get(xref.ref or "")
            if holder is None:
                raise ValueError(f"cross-reference: no {xref.container} {xref.ref!r}")
            if (
                xref.start is not None
                and xref.end is not None
                and not (0 <= xref.start <= xref.end <= len(holder.text))
            ):
                raise ValueError(f"cross-reference: offsets outside {xref.container} {xref.ref!r}")
            if (
                xref.target.document == self.id
                and xref.target.passage is None
                and xref.target.footnote is None
            ):
                raise ValueError(
                    "cross-reference: a document can refer to its own passages or notes only"
                )
        return self


EntityType = Literal["person", "place", "organization", "group", "term"]
# What the API lists as entities: the registry's types, and events (an event is an entity too).
ListedEntityType = Literal["person", "place", "organization", "group", "term", "event"]
ENTITY_TYPES = ("person", "place", "organization", "group", "term", "event")


class AliasRecord(_Strict):
    text: str = Field(min_length=1, max_length=500)
    case_sensitive: bool = False

    @property
    def key(self) -> str:
        return fold_case(self.text)


def fold_case(text: str) -> str:
    """Lower-case one code point at a time, so offsets in the folded text stay exact."""
    lowered = text.lower()
    if len(lowered) == len(text):
        # no code point lowers to more than one (none lowers to none): the same result,
        # without a Python loop over every character of every passage the linker reads
        return lowered
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


# Entities and events read the same YAML, so they share these validators.


def _alias_records(cls: type[BaseModel], value: Any) -> Any:
    # an alias with nothing more to say is written as its bare text
    if isinstance(value, list):
        return [{"text": item} if isinstance(item, str) else item for item in value]
    return value


def _text_date(cls: type[BaseModel], value: Any) -> Any:
    # YAML turns 1944-09-24 into a date object; EDTF is text.
    return value.isoformat() if hasattr(value, "isoformat") else value


def _check_edtf(cls: type[BaseModel], value: str | None) -> str | None:
    if value is not None:
        parse_edtf(value)
    return value


class EntityRecord(_Strict):
    id: str = Field(pattern=SLUG, max_length=200)
    type: EntityType
    name: str = Field(min_length=1, max_length=500)
    aliases: list[AliasRecord] = Field(default_factory=list)
    description: str | None = None
    date: str | None = None
    external_ids: dict[str, str] = Field(default_factory=dict)
    members: list[str] = Field(default_factory=list)

    _plain_aliases = field_validator("aliases", mode="before")(classmethod(_alias_records))
    _date_text = field_validator("date", mode="before")(classmethod(_text_date))
    _edtf = field_validator("date")(classmethod(_check_edtf))


class ParticipantRecord(_Strict):
    entity: str = Field(pattern=SLUG)
    role: str = Field(default="participant", max_length=200)


class ReportRecord(_Strict):
    document: str = Field(pattern=SLUG)
    passage: str | None = None


class EventRecord(_Strict):
    id: str = Field(pattern=SLUG, max_length=200)
    name: str = Field(min_length=1, max_length=500)
    event_type: str = Field(min_length=1, max_length=50)
    date: str | None = None
    place: str | None = Field(default=None, pattern=SLUG)
    aliases: list[AliasRecord] = Field(default_factory=list)
    participants: list[ParticipantRecord] = Field(default_factory=list)
    description: str | None = None
    external_ids: dict[str, str] = Field(default_factory=dict)
    reported_in: list[ReportRecord] = Field(default_factory=list)

    _plain_aliases = field_validator("aliases", mode="before")(classmethod(_alias_records))
    _date_text = field_validator("date", mode="before")(classmethod(_text_date))
    _edtf = field_validator("date")(classmethod(_check_edtf))
