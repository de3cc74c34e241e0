"""The graph of entities and documents around one entity, as nodes and edges."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class GraphNode(BaseModel):
    id: str = Field(description="document:<id> or entity:<id>")
    kind: Literal["document", "entity"]
    type: str = Field(description="source type for documents, entity type for entities")
    label: str
    depth: int = Field(description="hops from the centre")


class GraphEdge(BaseModel):
    source: str
    target: str
    kind: str = Field(description="mentions, or a cross-reference relation")
    weight: float = Field(description="mention count, or score for inferred links")
    origin: str | None = Field(default=None, description="for cross-references")


class Graph(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "center": "entity:joseph-stalin",
                    "depth": 1,
                    "nodes": [
                        {
                            "id": "entity:joseph-stalin",
                            "kind": "entity",
                            "type": "person",
                            "label": "Joseph Stalin",
                            "depth": 0,
                        }
                    ],
                    "edges": [],
                    "truncated": False,
                    "limit": 200,
                }
            ]
        }
    )

    center: str
    depth: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = Field(description="true when the node limit cut the graph short")
    limit: int
