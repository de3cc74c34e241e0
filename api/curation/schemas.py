"""Request bodies of the write API, and what writes answer with.

Bodies are strict (unknown fields are refused, 422), so a typo never passes silently. PATCH
bodies are JSON Merge Patches (RFC 7396): fields left out stay as they are; ``null`` clears
an optional field.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.records.record import SLUG
from api.schemas import UtcDatetime


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RevisionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": 2,
                    "operation": "update",
                    "key_name": "editor-anna",
                    "at": "2026-11-23T12:00:00Z",
                    "before": {"title": "Old title"},
                    "after": {"title": "New title"},
                    "links": {
                        "self": "/v1/documents/x/revisions/2",
                        "revert": "/v1/documents/x/revisions/2/revert",
                    },
                }
            ]
        }
    )

    number: int
    operation: str = Field(description="create, update, delete, restore or revert")
    key_name: str = Field(description="name of the API key that made the change")
    at: UtcDatetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    links: dict[str, str]


class DocumentCreate(_Body):
    """A new document: metadata as in a sidecar file, the text in annotated plain text."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "harriman-to-hull-1944-09-25",
                    "collection": "frus-1944-v04",
                    "title": "The Ambassador in the Soviet Union (Harriman) to the Secretary "
                    "of State",
                    "source_type": "primary",
                    "genre": "telegram",
                    "date": "1944-09-25",
                    "text": "# Telegram\n\nLord Moyne[^1] was informed.",
                    "footnotes": [{"marker": "1", "text": "British Minister Resident."}],
                }
            ]
        },
    )

    id: str = Field(pattern=SLUG, max_length=200)
    collection: str = Field(pattern=SLUG, max_length=120)
    title: str = Field(min_length=1, max_length=1000)
    text: str = Field(
        min_length=1,
        max_length=5_000_000,
        description="annotated plain text: one passage per line, `# heading`, `## section`, "
        "`[^n]` footnote markers, `[Page n]` page breaks (see data/README.md)",
    )
    authors: list[str] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    date: str | None = Field(default=None, description="EDTF")
    source_type: Literal["primary", "secondary", "tertiary"]
    genre: str | None = Field(default=None, max_length=100)
    language: str = Field(default="en", max_length=35)
    number: str | None = Field(default=None, max_length=100)
    provenance: dict[str, Any] = Field(default_factory=dict)
    notes: list[dict[str, Any]] = Field(default_factory=list)
    identifiers: list[dict[str, Any]] = Field(default_factory=list)
    footnotes: list[dict[str, Any]] = Field(
        default_factory=list, description="[{marker, text}] for the [^marker]s in the text"
    )


class DocumentPatch(_Body):
    """Metadata to change. The text is edited passage by passage."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "Corrected title"}]}
    )

    collection: str | None = Field(default=None, pattern=SLUG)
    title: str | None = Field(default=None, min_length=1, max_length=1000)
    authors: list[str] | None = None
    recipients: list[str] | None = None
    date: str | None = None
    source_type: Literal["primary", "secondary", "tertiary"] | None = None
    genre: str | None = Field(default=None, max_length=100)
    language: str | None = Field(default=None, max_length=35)
    number: str | None = Field(default=None, max_length=100)
    provenance: dict[str, Any] | None = None
    notes: list[dict[str, Any]] | None = None
    identifiers: list[dict[str, Any]] | None = None


class PassagePatch(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Lord Moyne was informed by telegram."}]},
    )

    text: str | None = Field(default=None, min_length=1, max_length=1_000_000)
    kind: (
        Literal[
            "heading",
            "paragraph",
            "list_item",
            "quotation",
            "attribution",
            "caption",
            "signature",
            "dateline",
        ]
        | None
    ) = None
    boilerplate: bool | None = None


class FootnotePatch(_Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"text": "Corrected note text."}]}
    )

    text: str | None = Field(default=None, min_length=1, max_length=100_000)
    marker: str | None = Field(default=None, min_length=1, max_length=50)


class MentionCreate(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "passage": "p3",
                    "passage_start": 71,
                    "passage_end": 86,
                    "surface": "British Embassy",
                    "entity": "british-embassy-moscow",
                }
            ]
        },
    )

    passage: str | None = Field(default=None, max_length=200, description="passage ref")
    footnote: str | None = Field(default=None, max_length=200, description="footnote ref")
    passage_start: int = Field(
        ge=0, le=10_000_000, description="offset in the text of the passage or note"
    )
    passage_end: int = Field(ge=0, le=10_000_000)
    surface: str = Field(min_length=1, max_length=500, description="the words at the offsets")
    entity: str = Field(pattern=SLUG, max_length=200)


class MentionPatch(_Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "rejected"}]}
    )

    status: Literal["curated", "rejected"] | None = None
    entity: str | None = Field(default=None, pattern=SLUG, max_length=200)


class AliasWrite(_Body):
    """An alias as a curator writes it (the entity resource answers with `Alias`)."""

    text: str = Field(min_length=1, max_length=500)
    case_sensitive: bool = False


class EntityCreate(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "cordell-hull",
                    "type": "person",
                    "name": "Cordell Hull",
                    "aliases": [{"text": "Cordell Hull"}, {"text": "Hull"}],
                    "date": "1871-10-02/1955-07-23",
                }
            ]
        },
    )

    id: str = Field(pattern=SLUG, max_length=200)
    type: Literal["person", "place", "organization", "group", "term"]
    name: str = Field(min_length=1, max_length=500)
    aliases: list[AliasWrite] = Field(default_factory=list)
    description: str | None = Field(default=None, max_length=20_000)
    date: str | None = Field(default=None, description="EDTF")
    external_ids: dict[str, str] = Field(default_factory=dict)
    members: list[str] = Field(default_factory=list)


class EntityPatch(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"aliases": [{"text": "Marshal Stalin"}]}]},
    )

    name: str | None = Field(default=None, min_length=1, max_length=500)
    aliases: list[AliasWrite] | None = None
    description: str | None = Field(default=None, max_length=20_000)
    date: str | None = None
    external_ids: dict[str, str] | None = None
    members: list[str] | None = None


class ParticipantWrite(_Body):
    """A participant as a curator writes it (the event resource answers with `Participant`)."""

    entity: str = Field(pattern=SLUG)
    role: str = Field(default="participant", max_length=200)


class Report(_Body):
    document: str = Field(pattern=SLUG)
    passage: str | None = None


class EventCreate(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "moscow-conference-1944",
                    "name": "Fourth Moscow Conference",
                    "type": "conference",
                    "date": "1944-10-09/1944-10-19",
                    "place": "moscow",
                    "participants": [{"entity": "winston-churchill", "role": "host guest"}],
                }
            ]
        },
    )

    id: str = Field(pattern=SLUG, max_length=200)
    name: str = Field(min_length=1, max_length=500)
    type: str = Field(min_length=1, max_length=50, description="e.g. conference, meeting")
    date: str | None = None
    place: str | None = Field(default=None, pattern=SLUG)
    aliases: list[AliasWrite] = Field(default_factory=list)
    participants: list[ParticipantWrite] = Field(default_factory=list)
    description: str | None = Field(default=None, max_length=20_000)
    external_ids: dict[str, str] = Field(default_factory=dict)
    reported_in: list[Report] = Field(default_factory=list)


class EventPatch(_Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"date": "1945-02-04/1945-02-11"}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=500)
    type: str | None = Field(default=None, min_length=1, max_length=50)
    date: str | None = None
    place: str | None = Field(default=None, pattern=SLUG)
    aliases: list[AliasWrite] | None = None
    participants: list[ParticipantWrite] | None = None
    description: str | None = Field(default=None, max_length=20_000)
    external_ids: dict[str, str] | None = None
    reported_in: list[Report] | None = None


class CrossReferenceCreate(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": {
                        "document": "harriman-to-secretary-of-state-1944-09-24",
                        "footnote": "fn2",
                    },
                    "relation": "cites",
                    "target": {"scheme": "file_number", "value": "740.62114/9–2744"},
                }
            ]
        },
    )

    source: dict[str, Any] = Field(
        description="{document, passage? | footnote?, passage_start?, passage_end?}: the "
        "offsets are in the text of the passage or note"
    )
    relation: Literal["cites", "replies_to", "quotes", "same_event", "see_also"]
    target: dict[str, Any] = Field(
        description="{document, passage?, footnote?} or {scheme, value, label?}"
    )


class CrossReferencePatch(_Body):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"relation": "replies_to"}]}
    )

    relation: Literal["cites", "replies_to", "quotes", "same_event", "see_also"] | None = None
    target: dict[str, Any] | None = None
