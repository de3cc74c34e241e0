"""Collections as the API shows them."""

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Page, list_example


class CollectionLinks(BaseModel):
    self: str
    documents: str = Field(description="the collection's documents")


class CollectionPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "frus-1944-v04",
                    "title": "Foreign Relations of the United States, Diplomatic Papers, 1944, "
                    "Volume IV, Europe",
                    "description": "Documents from the Department of State's documentary "
                    "series, as printed.",
                    "publisher": "United States Government Printing Office",
                    "document_count": 1,
                    "links": {
                        "self": "/v1/collections/frus-1944-v04",
                        "documents": "/v1/documents?collection=frus-1944-v04",
                    },
                }
            ]
        }
    )

    id: str
    title: str
    description: str | None
    publisher: str | None
    document_count: int
    links: CollectionLinks


class CollectionList(Page[CollectionPublic]):
    model_config = list_example(CollectionPublic)
