"""GET /v1/documents/{id}/citation: a document cited in Chicago, MLA, BibTeX or CSL-JSON."""

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.citations import service
from api.citations.schemas import CitationPublic
from api.deps import AbsoluteBaseUrl, SessionDep
from api.documents.routes import DocumentId
from api.formats import csl as formats
from api.http.negotiation import VARY, negotiate
from api.http.problems import problem_responses
from api.http.responses import json_response

router = APIRouter(prefix="/documents/{document_id}", tags=["documents"])

_OFFERED = ["application/json", "text/plain", "text/html", formats.BIBTEX, formats.CSL_JSON]
_BIBTEX_EXAMPLE = (
    "@misc{harriman1944telegram,\n  author = {Harriman, W. Averell},\n  title = {{Telegram to "
    "Secretary of State}},\n  howpublished = {{Foreign Relations of the United States, Diplomatic"
    " Papers, 1944, Volume IV, Europe}},\n  number = {3652},\n  pages = {1253--1254},\n  year = "
    "1944,\n  month = sep,\n  day = 24,\n  note = {{File 711.62114/9–2444, Department of State "
    "central files}}\n}\n"
)
_CSL_EXAMPLE = [
    {
        "id": "harriman-to-secretary-of-state-1944-09-24",
        "type": "personal_communication",
        "author": [{"family": "Harriman", "given": "W. Averell"}],
        "recipient": [{"literal": "Secretary of State"}],
        "event-date": {"date-parts": [[1944, 9, 24]]},
        "genre": "telegram",
        "number": "3652",
        "container-title": "Foreign Relations of the United States, Diplomatic Papers, 1944, "
        "Volume IV, Europe",
        "page": "1253–1254",
        "archive_location": "711.62114/9–2444",
    }
]


@router.get(
    "/citation",
    response_model=CitationPublic,
    summary="Cite a document",
    description=(
        "A citation built from the document's metadata. `style=chicago` (Chicago Manual of "
        "Style, 18th edition, notes and bibliography) and `style=mla` (MLA Handbook, 9th "
        "edition) are formatted by citeproc-py from the official CSL style files: JSON with "
        "the note (or in-text) form, the bibliography entry, both as HTML, and the CSL-JSON "
        "item; or only the citation as `text/plain` (Chicago: the footnote; MLA: the "
        "works-cited entry) or `text/html`. Whatever the style, `format=csl` (or Accept "
        f"`{formats.CSL_JSON}`) is the CSL-JSON data itself, an array of one item, for "
        f"Zotero or any CSL processor, and `format=bibtex` (`{formats.BIBTEX}`) a BibTeX "
        "entry.\n\n"
        "A telegram or letter is cited the way historians cite it: sender to recipient, "
        "date, the printed volume, its number, the file number and the page."
    ),
    responses={
        200: {
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                formats.BIBTEX: {"schema": {"type": "string"}, "example": _BIBTEX_EXAMPLE},
                formats.CSL_JSON: {
                    "schema": {"type": "array", "items": {"type": "object"}},
                    "example": _CSL_EXAMPLE,
                },
            }
        },
        **problem_responses(404, 406, 410, 422),
    },
)
def get_citation(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    base: AbsoluteBaseUrl,
    style: Annotated[
        Literal["chicago", "mla"],
        Query(
            description="how the citation is written: chicago or mla (BibTeX and CSL-JSON "
            "are data, not styles: ask for them with `format=bibtex|csl` or Accept)"
        ),
    ] = "chicago",
) -> Response:
    media_type = negotiate(request, _OFFERED)
    if media_type == formats.CSL_JSON:
        item = service.csl_item(session, document_id=document_id, base=base)
        body = json.dumps([item], ensure_ascii=False, indent=2).encode("utf-8")
        return Response(body, media_type=media_type, headers=VARY)
    if media_type == formats.BIBTEX:
        item = service.csl_item(session, document_id=document_id, base=base)
        return Response(
            formats.bibtex_entry(item), media_type=f"{media_type}; charset=utf-8", headers=VARY
        )
    result = service.formatted(session, document_id=document_id, style=style, base=base)
    if media_type == "application/json":
        return json_response(result, headers=VARY)
    chicago = style == "chicago"
    if media_type == "text/html":
        html = result.html.citation if chicago else result.html.bibliography
        return Response(html, media_type="text/html; charset=utf-8", headers=VARY)
    text = result.citation if chicago else result.bibliography
    return Response(text, media_type="text/plain; charset=utf-8", headers=VARY)
