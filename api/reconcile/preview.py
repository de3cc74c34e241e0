"""The preview of an entity: a small HTML page a reconciliation client shows in an iframe
(``PREVIEW_WIDTH`` by ``PREVIEW_HEIGHT`` pixels, as the manifest says) beside a candidate.

One self-contained page: its style inline, allowed by its hash alone, no script, every
value escaped. Unlike every other page of Quellen it may be framed by any site
(``frame-ancestors *``), which is what a preview is for; ``api.reconcile.cors`` lifts the
``X-Frame-Options: DENY`` the rest of the API sends.
"""

import base64
import hashlib

from jinja2 import Environment, StrictUndefined

from api.reconcile.extension import Preview
from api.reconcile.vocabulary import PREVIEW_HEIGHT, PREVIEW_WIDTH

STYLE = (
    "html{font:13px/1.35 system-ui,sans-serif;color:#1b1b1b;background:#fff}"
    f"body{{margin:0;padding:8px 10px;max-width:{PREVIEW_WIDTH - 20}px;"
    f"max-height:{PREVIEW_HEIGHT - 16}px;overflow:hidden}}"
    "h1{font-size:15px;margin:0 0 2px}"
    "p{margin:0 0 4px}"
    ".meta,.named{color:#555}"
    ".description{display:-webkit-box;-webkit-line-clamp:4;-webkit-box-orient:vertical;"
    "overflow:hidden}"
    ".aliases{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}"
    "a{color:#0b57d0}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
PREVIEW_CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ entity.name }}</title>
<style>{{ style }}</style>
</head>
<body>
<h1>{{ entity.name }}</h1>
<p class="meta">{{ entity.type }}{% if entity.date %} · {{ entity.date }}{% endif %}</p>
{% if entity.description %}<p class="description">{{ entity.description }}</p>{% endif %}
{% if entity.aliases %}<p class="aliases">Also: {{ entity.aliases | join(", ") }}</p>{% endif %}
<p class="named">Named in {{ entity.documents }} document{{ "" if entity.documents == 1 else "s" }}
 · <a href="{{ link }}" target="_blank" rel="noopener">{{ entity.id }}</a></p>
</body>
</html>
"""
_ENVIRONMENT = Environment(autoescape=True, undefined=StrictUndefined)
_PAGE = _ENVIRONMENT.from_string(_TEMPLATE)


def preview_html(entity: Preview, *, link: str) -> str:
    """The page; ``link`` is where the entity's own page is (the reading site or JSON)."""
    return _PAGE.render(entity=entity, link=link, style=_Safe(STYLE))


class _Safe(str):
    """The style, written as it is: its bytes must be those the policy's hash names."""

    def __html__(self) -> str:
        return str(self)
