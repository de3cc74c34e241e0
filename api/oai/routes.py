"""GET and POST /oai: OAI-PMH 2.0 (the logic is api/oai/service.py's).

The route reads the arguments as sent — repeats and empty values included, which the
protocol makes errors of its own — from the query string, and for POST also from the
``application/x-www-form-urlencoded`` body, and answers ``text/xml``. Every OAI-PMH error
(badVerb, badArgument, idDoesNotExist, …) is an ``error`` element in a 200 response, as the
protocol requires and harvesters expect, not a problem document; what is not OAI-PMH's to
answer (a missing read key, a body over the limit, a busy database) stays a problem.
"""

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request, Response

from api.deps import BaseUrl, SessionDep
from api.oai import examples, service, tokens

router = APIRouter(tags=["oai-pmh"])
FORM = "application/x-www-form-urlencoded"
MAX_FIELDS = 50


class OaiXml(Response):
    media_type = "text/xml"


_ARGUMENTS: list[tuple[str, str, str]] = [
    (
        "verb",
        "Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords or GetRecord",
        "ListRecords",
    ),
    ("metadataPrefix", "oai_dc or tei (ListIdentifiers, ListRecords, GetRecord)", "oai_dc"),
    (
        "identifier",
        "an item: oai:<host>:<document id> (GetRecord; ListMetadataFormats)",
        "oai:quellen.example.org:harriman-to-secretary-of-state-1944-09-24",
    ),
    (
        "from",
        "lower bound of the datestamps, inclusive: YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ",
        "1944-01-01",
    ),
    ("until", "upper bound of the datestamps, inclusive, in the granularity of from", "2030-12-31"),
    ("set", "a set: a collection id (ListIdentifiers, ListRecords)", "frus-1944-v04"),
    (
        "resumptionToken",
        "the token of the previous page of a list, sent with the verb alone",
        "eyJ…",
    ),
]
_PARAMETERS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
        "example": example,
    }
    for name, description, example in _ARGUMENTS
]
_FORM_BODY = {
    "required": False,
    "content": {
        FORM: {
            "schema": {
                "type": "object",
                "properties": {
                    name: {"type": "string", "description": description}
                    for name, description, _ in _ARGUMENTS
                },
            },
            "example": {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        }
    },
}
_DESCRIPTION = (
    "The Open Archives Initiative Protocol for Metadata Harvesting, version 2.0, for "
    "library aggregators and union catalogues: all six verbs. Items are the documents "
    "(`oai:<host>:<document id>`, the host of `QUELLEN_PUBLIC_URL` or of the request), "
    "sets are the collections, a datestamp is the commit time of the document's latest "
    "change (seconds, UTC), deleted documents stay as deleted records (`deletedRecord` "
    "persistent). Formats: `oai_dc` (Dublin Core) and `tei` (the TEI export, embedded). "
    "Lists come 100 a page (TEI records one a page) with signed `resumptionToken`s that expire "
    "after 24 hours. Errors (badVerb, badArgument, badResumptionToken, "
    "cannotDisseminateFormat, idDoesNotExist, noRecordsMatch, noSetHierarchy) are `error` "
    "elements in a 200 response, as the protocol requires."
)


def _responses(summary: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": f"{summary}: an OAI-PMH response document (`text/xml`)",
            "content": {"text/xml": {"schema": {"type": "string"}, "examples": examples.EXAMPLES}},
        }
    }


async def form_arguments(request: Request) -> list[tuple[str, str]] | str:
    """The arguments of a POST body, or why they cannot be read (a badArgument)."""
    body = await request.body()
    if not body:
        return []
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM:
        return f"A POST sends its arguments as {FORM}, not {media_type or 'no content type'}."
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        return "The POST body is not UTF-8."
    except ValueError:
        return f"The POST body has more than {MAX_FIELDS} arguments."
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        return "The POST body holds a NUL character (%00), which no argument has."
    return pairs


def _answer(
    request: Request, session: SessionDep, base: str, body: list[tuple[str, str]] | str = ""
) -> Response:
    settings = request.app.state.settings
    repository = service.Repository(
        base=base,
        admin_email=settings.oai_admin_email,
        token_key=tokens.signing_key(settings.database_url),
    )
    pairs = list(request.query_params.multi_items())
    malformed: str | None = None
    if isinstance(body, str):
        malformed = body or None  # "": a GET, which has no body to read
    else:
        pairs += body
    content = service.respond(session, pairs, repository, malformed=malformed)
    return OaiXml(content, media_type="text/xml; charset=utf-8")


@router.get(
    "/oai",
    response_class=OaiXml,
    summary="OAI-PMH 2.0 (GET)",
    description=_DESCRIPTION,
    responses=_responses("The answer to the verb"),
    openapi_extra={"parameters": _PARAMETERS},
)
def get_oai(request: Request, session: SessionDep, base: BaseUrl) -> Response:
    return _answer(request, session, base)


@router.post(
    "/oai",
    response_class=OaiXml,
    summary="OAI-PMH 2.0 (POST)",
    description=f"The same as GET /oai, the arguments sent as `{FORM}` (the query string "
    "counts too). " + _DESCRIPTION,
    responses=_responses("The answer to the verb"),
    openapi_extra={"requestBody": _FORM_BODY},
)
def post_oai(
    request: Request,
    session: SessionDep,
    base: BaseUrl,
    body: Annotated[list[tuple[str, str]] | str, Depends(form_arguments)],
) -> Response:
    return _answer(request, session, base, body)
