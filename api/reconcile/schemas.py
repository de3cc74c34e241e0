"""What the reconciliation service answers, shaped as the 0.2 JSON Schemas require
(``manifest.json``, ``reconciliation-result-batch.json``, ``suggest-*-response.json``,
``data-extension-response.json``, ``data-extension-property-proposal.json``).

Field names are the specification's (``identifierSpace``, ``service_url``); an optional
field without a value is left out of the JSON rather than sent as ``null``, which the
schemas do not allow (``dump`` does that for every model here).
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel
from pydantic.config import JsonDict

_BASE = "https://quellen.example.org"


def dump(model: BaseModel) -> bytes:
    """The JSON of a response: names as the specification spells them, no nulls."""
    return model.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")


class TypeRef(BaseModel):
    id: str = Field(description="the entity type: person, place, organization, group, term, event")
    name: str


class ServicePath(BaseModel):
    service_url: str = Field(description="the service's base URL")
    service_path: str = Field(description="the path to add to service_url")


class SuggestServices(BaseModel):
    entity: ServicePath
    type: ServicePath
    property: ServicePath


class Template(BaseModel):
    url: str = Field(description="a URL template: {{id}} is replaced by an entity id")


class PreviewSettings(Template):
    width: int = Field(description="width of the preview's iframe, in pixels")
    height: int = Field(description="height of the preview's iframe, in pixels")


class PropertySetting(BaseModel):
    name: str
    label: str
    type: Literal["number"]
    default: int
    help_text: str


class ExtendSettings(BaseModel):
    propose_properties: ServicePath
    property_settings: list[PropertySetting]


class Authentication(BaseModel):
    """An OpenAPI security scheme: how to send the read key when one is required."""

    model_config = ConfigDict(populate_by_name=True)

    type: Literal["apiKey"] = "apiKey"
    name: str = "Authorization"
    in_: Literal["header"] = Field(default="header", alias="in")
    description: str


class Manifest(BaseModel):
    """The service manifest: what OpenRefine reads when the service is added."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "versions": ["0.2"],
                    "name": "Quellen entity registry",
                    "identifierSpace": f"{_BASE}/v1/entities/",
                    "schemaSpace": f"{_BASE}/reconcile/properties",
                    "defaultTypes": [{"id": "person", "name": "Person"}],
                    "view": {"url": f"{_BASE}/entities/{{{{id}}}}"},
                    "batchSize": 100,
                }
            ]
        }
    )

    versions: list[str] = Field(description="versions of the Reconciliation Service API served")
    name: str
    identifierSpace: str = Field(description="entity ids appended to this are their URIs")
    schemaSpace: str = Field(description="the URI of this service's properties")
    documentation: str | None = None
    serviceVersion: str | None = None
    defaultTypes: list[TypeRef]
    view: Template
    preview: PreviewSettings | None = None
    suggest: SuggestServices | None = None
    extend: ExtendSettings | None = None
    batchSize: int = Field(description="the most queries one batch may hold")
    authentication: Authentication | None = Field(
        default=None, description="present when QUELLEN_REQUIRE_READ_KEY is set"
    )


class Feature(BaseModel):
    id: str = Field(
        description="name_exact, name_similarity (0–100), documents, dates_overlap, aliases_match"
    )
    value: bool | int | float


class Candidate(BaseModel):
    id: str
    name: str
    description: str | None = None
    type: list[TypeRef]
    score: float = Field(description="0–100; an exact name or alias scores 96 or more")
    match: bool = Field(
        description="true only for the one candidate whose name or an alias is exactly the "
        "query (case folded as the registry folds aliases), when no other is"
    )
    features: list[Feature]


class QueryResult(BaseModel):
    result: list[Candidate]


RESULT_EXAMPLE: JsonDict = {
    "q0": {
        "result": [
            {
                "id": "w-averell-harriman",
                "name": "W. Averell Harriman",
                "description": "American diplomat; United States Ambassador to the Soviet "
                "Union 1943–1946, author of telegram 3652 of 24 September 1944.",
                "type": [{"id": "person", "name": "Person"}],
                "score": 98.15,
                "match": True,
                "features": [
                    {"id": "name_exact", "value": True},
                    {"id": "name_similarity", "value": 100.0},
                    {"id": "documents", "value": 2},
                ],
            }
        ]
    }
}


class ResultBatch(RootModel[dict[str, QueryResult]]):
    """Candidates for each query of a batch, under the query's id, best first."""

    model_config = ConfigDict(json_schema_extra={"examples": [RESULT_EXAMPLE]})


class SuggestedEntity(BaseModel):
    id: str
    name: str
    description: str | None = None
    notable: list[TypeRef] = Field(description="the entity's type")


class EntitySuggestions(BaseModel):
    result: list[SuggestedEntity]


class SuggestedType(BaseModel):
    id: str
    name: str
    description: str | None = None


class TypeSuggestions(BaseModel):
    result: list[SuggestedType]


class SuggestedProperty(BaseModel):
    id: str
    name: str
    description: str | None = None


class PropertySuggestions(BaseModel):
    result: list[SuggestedProperty]


class PropertyProposal(BaseModel):
    type: str | None = Field(default=None, description="the type asked for")
    limit: int | None = Field(default=None, description="the limit asked for")
    properties: list[SuggestedProperty]


class ExtensionColumn(BaseModel):
    id: str
    name: str
    type: TypeRef | None = Field(default=None, description="for entity values: their type")


class TextValue(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    text: str = Field(alias="str")


class IntValue(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    number: int = Field(alias="int")


class DateValue(BaseModel):
    date: str = Field(description="ISO 8601 date and time: 1944-09-24T00:00:00Z")


class EntityValue(BaseModel):
    id: str
    name: str


Value = EntityValue | TextValue | IntValue | DateValue

EXTENSION_EXAMPLE: JsonDict = {
    "meta": [
        {"id": "aliases", "name": "Aliases"},
        {"id": "date_start", "name": "Start date"},
        {"id": "documents", "name": "Documents"},
    ],
    "rows": {
        "walter-edward-guinness": {
            "aliases": [{"str": "Lord Moyne"}, {"str": "Moyne"}],
            "date_start": [{"date": "1880-03-29T00:00:00Z"}],
            "documents": [{"int": 2}],
        }
    },
}


class ExtensionResponse(BaseModel):
    """The values of the properties asked for, for each entity asked about."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXTENSION_EXAMPLE]})

    meta: list[ExtensionColumn]
    rows: dict[str, dict[str, list[Value]]]


class ServiceAnswer(RootModel[Manifest | ResultBatch | ExtensionResponse]):
    """``GET /reconcile``: the manifest; with ``queries`` the candidates; with ``extend``
    the property values."""


class BatchAnswer(RootModel[ResultBatch | ExtensionResponse]):
    """``POST /reconcile``: with ``queries`` the candidates; with ``extend`` the values."""

    model_config = ConfigDict(json_schema_extra={"examples": [RESULT_EXAMPLE, EXTENSION_EXAMPLE]})
