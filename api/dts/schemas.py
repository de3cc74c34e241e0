"""The shapes of DTS 1.0 responses, for the OpenAPI document.

The service builds the JSON-LD as plain objects (the keys are DTS's, ``@id`` and all);
these models describe it — and the schema-driven tests hold the two together.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

_BASE = "http://127.0.0.1:8000"
_TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
CONTEXT = "https://dtsapi.org/context/v1.0.json"


class _Ld(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")


class DtsEntryPoint(_Ld):
    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "@context": CONTEXT,
                    "@id": f"{_BASE}/dts",
                    "@type": "EntryPoint",
                    "dtsVersion": "1.0",
                    "collection": f"{_BASE}/dts/collection{{?id,page,nav}}",
                    "navigation": f"{_BASE}/dts/navigation{{?resource,ref,start,end,down,tree,"
                    "page}",
                    "document": f"{_BASE}/dts/document{{?resource,ref,start,end,tree,mediaType}}",
                }
            ]
        },
    )

    context: str = Field(alias="@context", description="the DTS 1.0 JSON-LD context")
    id: str = Field(alias="@id", description="URL of this entry point")
    type: Literal["EntryPoint"] = Field(alias="@type")
    dtsVersion: str = Field(description="1.0")
    collection: str = Field(description="URI template (RFC 6570) of the Collection endpoint")
    navigation: str = Field(description="URI template of the Navigation endpoint")
    document: str = Field(description="URI template of the Document endpoint")


class DtsCiteStructure(_Ld):
    type: Literal["CiteStructure"] | None = Field(default=None, alias="@type")
    citeType: str = Field(description="section, a passage kind (paragraph, …) or footnote")
    citeStructure: list["DtsCiteStructure"] | None = None


class DtsCitationTree(_Ld):
    type: Literal["CitationTree"] = Field(alias="@type")
    identifier: str | None = Field(default=None, description="absent: the default tree")
    citeStructure: list[DtsCiteStructure] | None = None
    description: str | None = None


class DtsPagination(_Ld):
    id: str = Field(alias="@id")
    type: Literal["Pagination"] = Field(alias="@type")
    first: str
    previous: str | None = Field(default=None, description="absent on the first page")
    next: str | None = Field(default=None, description="absent on the last page")
    last: str


class DtsMember(_Ld):
    """A Collection or a Resource (a Quellen collection or document)."""

    context: str | None = Field(default=None, alias="@context")
    id: str = Field(alias="@id", description="collection id, document id, or quellen (the root)")
    type: Literal["Collection", "Resource"] = Field(alias="@type")
    dtsVersion: str | None = None
    title: str
    description: str | None = None
    totalParents: int
    totalChildren: int
    dublinCore: dict[str, Any] | None = Field(default=None, description="Dublin Core Terms")
    collection: str = Field(description="URI template of the Collection endpoint for it")
    navigation: str | None = Field(default=None, description="for a Resource")
    document: str | None = Field(default=None, description="for a Resource")
    download: str | None = Field(default=None, description="the whole document as TEI")
    mediaTypes: list[str] | None = Field(default=None, description="what `mediaType` takes")
    citationTrees: list[DtsCitationTree] | None = None
    member: list["DtsMember"] | None = None
    view: DtsPagination | None = None


class DtsCollection(DtsMember):
    model_config = ConfigDict(
        populate_by_name=True,
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "@context": CONTEXT,
                    "dtsVersion": "1.0",
                    "@id": "frus-1944-v04",
                    "@type": "Collection",
                    "title": "Foreign Relations of the United States, Diplomatic Papers, 1944, "
                    "Volume IV, Europe",
                    "totalParents": 1,
                    "totalChildren": 1,
                    "collection": f"{_BASE}/dts/collection?id=frus-1944-v04{{&page,nav}}",
                    "member": [
                        {
                            "@id": _TELEGRAM,
                            "@type": "Resource",
                            "title": "The Ambassador in the Soviet Union (Harriman) to the "
                            "Secretary of State",
                            "totalParents": 1,
                            "totalChildren": 0,
                            "collection": f"{_BASE}/dts/collection?id={_TELEGRAM}{{&nav}}",
                            "navigation": f"{_BASE}/dts/navigation?resource={_TELEGRAM}"
                            "{&ref,start,end,down,tree,page}",
                            "document": f"{_BASE}/dts/document?resource={_TELEGRAM}"
                            "{&ref,start,end,tree,mediaType}",
                            "mediaTypes": ["application/tei+xml", "text/plain"],
                        }
                    ],
                }
            ]
        },
    )


class DtsCitableUnit(_Ld):
    identifier: str = Field(description="the ref: sec2, sec2.p1, p4, fn1")
    type: Literal["CitableUnit"] = Field(alias="@type")
    level: int = Field(description="depth in the citation tree, from 1")
    parent: str | None = Field(description="identifier of the parent unit; null at the top")
    id: str | None = Field(default=None, alias="@id", description="REST URL of the unit")
    citeType: str | None = None
    dublinCore: dict[str, Any] | None = None


class DtsNavigation(_Ld):
    model_config = ConfigDict(
        populate_by_name=True,
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "@context": CONTEXT,
                    "dtsVersion": "1.0",
                    "@type": "Navigation",
                    "@id": f"{_BASE}/dts/navigation?resource={_TELEGRAM}&ref=p4&down=1",
                    "resource": {
                        "@id": _TELEGRAM,
                        "@type": "Resource",
                        "title": "The Ambassador in the Soviet Union (Harriman) to the "
                        "Secretary of State",
                        "totalParents": 1,
                        "totalChildren": 0,
                        "collection": f"{_BASE}/dts/collection?id={_TELEGRAM}{{&nav}}",
                        "navigation": f"{_BASE}/dts/navigation?resource={_TELEGRAM}"
                        "{&ref,start,end,down,tree,page}",
                        "document": f"{_BASE}/dts/document?resource={_TELEGRAM}"
                        "{&ref,start,end,tree,mediaType}",
                        "citationTrees": [
                            {
                                "@type": "CitationTree",
                                "citeStructure": [
                                    {
                                        "@type": "CiteStructure",
                                        "citeType": "paragraph",
                                        "citeStructure": [
                                            {"@type": "CiteStructure", "citeType": "footnote"}
                                        ],
                                    }
                                ],
                            }
                        ],
                    },
                    "ref": {
                        "identifier": "p4",
                        "@type": "CitableUnit",
                        "level": 1,
                        "parent": None,
                        "citeType": "paragraph",
                    },
                    "member": [
                        {
                            "identifier": "p4",
                            "@type": "CitableUnit",
                            "level": 1,
                            "parent": None,
                            "citeType": "paragraph",
                        },
                        {
                            "identifier": "fn1",
                            "@type": "CitableUnit",
                            "level": 2,
                            "parent": "p4",
                            "citeType": "footnote",
                            "dublinCore": {"title": [{"lang": "en", "value": "Note 66"}]},
                        },
                    ],
                }
            ]
        },
    )

    context: str = Field(alias="@context")
    dtsVersion: str
    type: Literal["Navigation"] = Field(alias="@type")
    id: str = Field(alias="@id", description="the URL of this request")
    resource: DtsMember
    ref: DtsCitableUnit | None = None
    start: DtsCitableUnit | None = None
    end: DtsCitableUnit | None = None
    member: list[DtsCitableUnit] | None = None
    view: DtsPagination | None = None
