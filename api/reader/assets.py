"""The reading site's CSS and JavaScript, served under names that carry a hash of their
content (``reader.3f2a9c1d.css``).

A browser may then keep each file for a year without asking again: a changed file has a
new name, and the pages that use it name the new one. No CDN, no build step: the files in
``static/`` are served as they are.
"""

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC = Path(__file__).with_name("static")
PREFIX = "/static/reader/"
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    hashed: str
    body: bytes
    media_type: str


@cache
def assets() -> dict[str, Asset]:
    """Every file in ``static/``, keyed by its hashed name (read once per process)."""
    found: dict[str, Asset] = {}
    for path in sorted(STATIC.iterdir()):
        if path.suffix not in MEDIA_TYPES:
            continue
        body = path.read_bytes()
        digest = hashlib.blake2b(body, digest_size=4).hexdigest()
        hashed = f"{path.stem}.{digest}{path.suffix}"
        found[hashed] = Asset(path.name, hashed, body, MEDIA_TYPES[path.suffix])
    return found


@cache
def asset_url(name: str) -> str:
    """The path a page links to for ``name`` (``reader.css``), without the root path."""
    for asset in assets().values():
        if asset.name == name:
            return PREFIX + asset.hashed
    raise LookupError(f"no reader asset {name!r} in {STATIC}")
