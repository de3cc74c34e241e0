"""What the entry points answer: where everything else is."""

from pydantic import BaseModel, ConfigDict, Field


class Home(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Quellen",
                    "version": "0.1.0",
                    "description": "Curated historical source records over HTTP.",
                    "links": {
                        "self": "/",
                        "api": "/v1",
                        "docs": "/docs",
                        "redoc": "/redoc",
                        "openapi": "/openapi.json",
                        "dts": "/dts",
                        "oai": "/oai?verb=Identify",
                        "reconcile": "/reconcile",
                        "changes": "/v1/changes",
                        "health": "/health",
                        "ready": "/ready",
                    },
                }
            ]
        }
    )

    name: str
    version: str
    description: str
    links: dict[str, str] = Field(description="the API, its documentation and its protocols")


class ApiIndex(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": "v1",
                    "links": {
                        "self": "/v1",
                        "collections": "/v1/collections",
                        "documents": "/v1/documents",
                        "entities": "/v1/entities",
                        "events": "/v1/events",
                        "cross-references": "/v1/cross-references",
                        "search": "/v1/search",
                        "changes": "/v1/changes",
                    },
                }
            ]
        }
    )

    version: str
    links: dict[str, str] = Field(description="the lists a client starts from")
