"""API keys as the API shows them: never the key itself, except once when it is created."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Page, UtcDatetime, list_example


class KeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "editor-anna", "scope": "curate"}]},
    )

    # ASCII, spelled out: in JSON Schema \w is ASCII, in Python any letter
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
    scope: Literal["read", "curate", "admin"]


class KeyPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "editor-anna",
                    "scope": "curate",
                    "prefix": "qk_1a2b3c4d",
                    "created_at": "2026-11-23T12:00:00Z",
                    "revoked_at": None,
                }
            ]
        }
    )

    name: str
    scope: str
    prefix: str = Field(description="the public start of the key, to recognise it")
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None


class KeyCreated(KeyPublic):
    key: str = Field(description="the key itself: shown this once, never again")


class KeyList(Page[KeyPublic]):
    model_config = list_example(KeyPublic, self_url="/v1/keys")
