"""One router per resource, collected here so main.py mounts them in one place."""

from fastapi import APIRouter

from api.routes import collections, documents, health, texts

v1 = APIRouter(prefix="/v1")
v1.include_router(collections.router)
v1.include_router(documents.router)
v1.include_router(texts.router)

__all__ = ["health", "v1"]
