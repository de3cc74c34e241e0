"""The reading site's routes: its assets here, each kind of page in its own module.

Mounted by api/app.py when ``QUELLEN_READER`` is on, outside ``/v1`` and outside the
OpenAPI document (the JSON API documents itself; these are pages for people).
"""

from fastapi import APIRouter, Response

from api.errors import NotFound
from api.reader import collections, document, entity, events, home, search, sitemap
from api.reader.assets import IMMUTABLE, PREFIX, assets

router = APIRouter(include_in_schema=False)


@router.get(PREFIX + "{name}")
def get_asset(name: str) -> Response:
    """A CSS or JavaScript file by its hashed name, cached for a year."""
    asset = assets().get(name)
    if asset is None:
        raise NotFound("reader asset", name)
    return Response(asset.body, media_type=asset.media_type, headers={"Cache-Control": IMMUTABLE})


router.include_router(search.router)
router.include_router(entity.router)
router.include_router(document.router)
router.include_router(home.router)
router.include_router(events.router)
router.include_router(collections.router)
router.include_router(sitemap.router)
