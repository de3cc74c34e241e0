"""The six OAI-PMH verbs: from the arguments of a request to the bytes of its response.

``respond`` checks the verb and arguments (``verbs.parse``), answers the verb, and turns
every error condition of the protocol into ``error`` elements: OAI-PMH reports them inside
a normal 200 response, which is what harvesters read. Nothing here knows HTTP; the route
hands over the arguments as sent and the repository's facts (``Repository``).
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree
from sqlmodel import Session

from api.db.models.base import utcnow
from api.oai import envelope, records, tokens
from api.oai.dates import SECONDS, datestamp, parse_bound
from api.oai.dc import DC_NS, OAI_DC_NS, OAI_DC_SCHEMA, XSI_NS, xml_text
from api.oai.envelope import OAI, Payload
from api.oai.formats import FORMATS, PAGE_SIZE, MetadataFormat
from api.oai.records import Header, Selection
from api.oai.tokens import Token
from api.oai.verbs import OaiErrors, OaiRequest, error, parse

PROTOCOL_VERSION = "2.0"
REPOSITORY_NAME = "Quellen"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
#: what the oai-identifier scheme takes for a repository identifier: a domain name
DOMAIN = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
MAX_ID_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Repository:
    """What a response says about the repository, from the request and the settings."""

    base: str  # the API's absolute URL: QUELLEN_PUBLIC_URL, or the request's
    admin_email: str  # QUELLEN_OAI_ADMIN_EMAIL; empty: webmaster@ the host
    token_key: bytes
    page_size: int = PAGE_SIZE  # headers, oai_dc records, sets (TEI records: one a page)

    @property
    def base_url(self) -> str:
        return f"{self.base}/oai"

    @property
    def host(self) -> str:
        """The repository identifier: the host of the public URL, without a port."""
        return urlsplit(self.base).hostname or "localhost"

    @property
    def email(self) -> str:
        if self.admin_email:
            return self.admin_email
        host = self.host if "." in self.host else f"{self.host}.localdomain"
        return f"webmaster@{host}"

    def identifier(self, document_id: str) -> str:
        return f"oai:{self.host}:{document_id}"

    def document_id(self, identifier: str) -> str | None:
        """The document an identifier names, or None when it is not one of this host's."""
        prefix = f"oai:{self.host}:"
        if identifier[: len(prefix)].lower() != prefix.lower():
            return None
        document_id = identifier[len(prefix) :]
        return document_id if 0 < len(document_id) <= MAX_ID_LENGTH else None


@dataclass(slots=True)
class Answer:
    """A verb's element, and the records to put under its ``metadata`` elements."""

    element: etree._Element
    payloads: list[Payload]


def respond(
    session: Session,
    pairs: list[tuple[str, str]],
    repository: Repository,
    now: dt.datetime | None = None,
    *,
    malformed: str | None = None,
) -> bytes:
    """The response document to the request whose arguments are ``pairs`` (as sent);
    ``malformed`` says why the arguments could not be read at all (a POST body that is not
    form-encoded UTF-8), which is a badArgument."""
    now = now or utcnow()
    try:
        if malformed is not None:
            raise error("badArgument", malformed)
        request = parse(pairs)
    except OaiErrors as refused:  # badVerb, badArgument: the request is not echoed
        root = envelope.response(now, repository.base_url, None)
        envelope.errors(root, refused.errors)
        return envelope.serialize(root, [])
    root = envelope.response(now, repository.base_url, {"verb": request.verb, **request.arguments})
    try:
        answer = VERBS[request.verb](session, request, repository, now)
    except OaiErrors as refused:
        envelope.errors(root, refused.errors)
        return envelope.serialize(root, [])
    root.append(answer.element)
    return envelope.serialize(root, answer.payloads)


def identify(session: Session, request: OaiRequest, repo: Repository, now: dt.datetime) -> Answer:
    element = etree.Element(OAI + "Identify")
    earliest = records.earliest(session) or now
    for name, value in (
        ("repositoryName", REPOSITORY_NAME),
        ("baseURL", repo.base_url),
        ("protocolVersion", PROTOCOL_VERSION),
        ("adminEmail", repo.email),
        ("earliestDatestamp", datestamp(earliest)),
        ("deletedRecord", "persistent"),
        ("granularity", SECONDS),
        ("compression", "gzip"),
    ):
        etree.SubElement(element, OAI + name).text = value
    if DOMAIN.fullmatch(repo.host):  # the scheme's repository identifiers are domain names
        description = etree.SubElement(element, OAI + "description")
        scheme = etree.SubElement(
            description,
            f"{{{OAI_IDENTIFIER_NS}}}oai-identifier",
            nsmap={None: OAI_IDENTIFIER_NS},
        )
        scheme.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_IDENTIFIER_NS} {OAI_IDENTIFIER_SCHEMA}")
        sample = repo.identifier("harriman-to-secretary-of-state-1944-09-24")
        for name, value in (
            ("scheme", "oai"),
            ("repositoryIdentifier", repo.host),
            ("delimiter", ":"),
            ("sampleIdentifier", sample),
        ):
            etree.SubElement(scheme, f"{{{OAI_IDENTIFIER_NS}}}{name}").text = value
    return Answer(element, [])


def list_metadata_formats(
    session: Session, request: OaiRequest, repo: Repository, now: dt.datetime
) -> Answer:
    identifier = request.get("identifier")
    if identifier is not None:
        _header_of(session, repo, identifier)  # idDoesNotExist; every item has every format
    element = etree.Element(OAI + "ListMetadataFormats")
    for fmt in FORMATS.values():
        entry = etree.SubElement(element, OAI + "metadataFormat")
        etree.SubElement(entry, OAI + "metadataPrefix").text = fmt.prefix
        etree.SubElement(entry, OAI + "schema").text = fmt.schema
        etree.SubElement(entry, OAI + "metadataNamespace").text = fmt.namespace
    return Answer(element, [])


def list_sets(session: Session, request: OaiRequest, repo: Repository, now: dt.datetime) -> Answer:
    text = request.get("resumptionToken")
    after: str | None = None
    cursor, total = 0, 0
    if text is not None:
        token = _token(text, request.verb, repo, now)
        after, cursor, total = str(token.after), token.cursor, token.total
    else:
        total = records.set_count(session)
        if total == 0:
            raise error("noSetHierarchy", "The repository holds no collections, so no sets.")
    rows = records.sets(session, after=after, limit=repo.page_size + 1)
    more = len(rows) > repo.page_size
    rows = rows[: repo.page_size]
    if not rows:  # the collections after the token's were deleted since
        raise error("badResumptionToken", "The list of sets changed; start it again.")
    element = etree.Element(OAI + "ListSets")
    for row in rows:
        entry = etree.SubElement(element, OAI + "set")
        etree.SubElement(entry, OAI + "setSpec").text = row.spec
        etree.SubElement(entry, OAI + "setName").text = xml_text(row.name)
        described = [("description", row.description), ("publisher", row.publisher)]
        if any(value for _, value in described):
            description = etree.SubElement(entry, OAI + "setDescription")
            dc = etree.SubElement(
                description,
                f"{{{OAI_DC_NS}}}dc",
                nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS},
            )
            dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
            for name, value in described:
                if value:
                    etree.SubElement(dc, f"{{{DC_NS}}}{name}").text = xml_text(value.strip())
    _resume(
        element,
        request.verb,
        repo,
        now,
        more=more,
        resumed=text is not None,
        template=Token(request.verb, None, None, None, None, rows[-1].spec, 0, 0, 0),
        cursor=cursor,
        served=len(rows),
        total=total,
    )
    return Answer(element, [])


def list_identifiers(
    session: Session, request: OaiRequest, repo: Repository, now: dt.datetime
) -> Answer:
    return _list(session, request, repo, now, with_metadata=False)


def list_records(
    session: Session, request: OaiRequest, repo: Repository, now: dt.datetime
) -> Answer:
    return _list(session, request, repo, now, with_metadata=True)


def _list(
    session: Session,
    request: OaiRequest,
    repo: Repository,
    now: dt.datetime,
    *,
    with_metadata: bool,
) -> Answer:
    text = request.get("resumptionToken")
    if text is not None:
        token = _token(text, request.verb, repo, now)
        fmt = FORMATS.get(token.prefix or "")
        since = parse_bound(token.since) if token.since else None
        until = parse_bound(token.until) if token.until else None
        if fmt is None or (token.since and since is None) or (token.until and until is None):
            raise error("badResumptionToken", "The resumptionToken is not valid.")
        selection = Selection(token.set_spec, since, until)
        after, cursor, total = int(token.after), token.cursor, token.total
    else:
        fmt = _format(request.get("metadataPrefix") or "")
        selection = Selection(request.get("set"), request.since, request.until)
        if selection.set_spec is not None and not records.set_exists(session, selection.set_spec):
            raise error("noRecordsMatch", f"There is no set {selection.set_spec!r}.")
        after, cursor, total = 0, 0, -1
    size = min(repo.page_size, fmt.page_size) if with_metadata else repo.page_size
    found = records.headers(session, selection, after=after, limit=size + 1)
    more = len(found) > size
    found = found[:size]
    if not found:
        raise error("noRecordsMatch", "No records match the arguments of the request.")
    if total < 0:  # the first page: count the list once, the tokens carry the count on
        total = records.count(session, selection) if more else len(found)
    element = etree.Element(OAI + request.verb)
    payloads: list[Payload] = []
    metadata = _metadata(session, fmt, found, repo) if with_metadata else {}
    for item in found:
        identifier = repo.identifier(item.document_id)
        if not with_metadata:
            envelope.header(element, item, identifier)
            continue
        record = etree.SubElement(element, OAI + "record")
        envelope.header(record, item, identifier)
        _put_metadata(payloads, record, metadata.get(item.document_id), fmt)
    template = Token(
        request.verb,
        fmt.prefix,
        selection.set_spec,
        selection.since.text if selection.since else None,
        selection.until.text if selection.until else None,
        found[-1].seq,
        0,
        0,
        0,
    )
    _resume(
        element,
        request.verb,
        repo,
        now,
        more=more,
        resumed=text is not None,
        template=template,
        cursor=cursor,
        served=len(found),
        total=total,
    )
    return Answer(element, payloads)


def get_record(session: Session, request: OaiRequest, repo: Repository, now: dt.datetime) -> Answer:
    fmt = _format(request.get("metadataPrefix") or "")
    item = _header_of(session, repo, request.get("identifier") or "")
    element = etree.Element(OAI + "GetRecord")
    record = etree.SubElement(element, OAI + "record")
    envelope.header(record, item, repo.identifier(item.document_id))
    payloads: list[Payload] = []
    content = _metadata(session, fmt, [item], repo).get(item.document_id)
    _put_metadata(payloads, record, content, fmt)
    return Answer(element, payloads)


def _put_metadata(
    payloads: list[Payload],
    record: etree._Element,
    content: etree._Element | None,
    fmt: MetadataFormat,
) -> None:
    """A ``metadata`` element in ``record`` for ``content`` (none for a deleted item)."""
    if content is not None:
        metadata = etree.SubElement(record, OAI + "metadata")
        payloads.append((metadata, content, fmt.prefix != "tei"))


def _metadata(
    session: Session, fmt: MetadataFormat, found: list[Header], repo: Repository
) -> dict[str, etree._Element]:
    live = [item.document_id for item in found if not item.deleted]
    return fmt.write(session, live, repo.base) if live else {}


def _format(prefix: str) -> MetadataFormat:
    fmt = FORMATS.get(prefix)
    if fmt is None:
        offered = ", ".join(FORMATS)
        raise error(
            "cannotDisseminateFormat",
            f"The metadata format {prefix!r} is not offered; the formats are {offered}.",
        )
    return fmt


def _header_of(session: Session, repo: Repository, identifier: str) -> Header:
    document_id = repo.document_id(identifier)
    item = records.header(session, document_id) if document_id is not None else None
    if item is None:
        raise error(
            "idDoesNotExist",
            f"No item has the identifier {identifier!r}; identifiers here are "
            f"{repo.identifier('<document id>')}.",
        )
    return item


def _token(text: str, verb: str, repo: Repository, now: dt.datetime) -> Token:
    token = tokens.decode(text, verb, repo.token_key, now)
    if token is None:
        raise error(
            "badResumptionToken",
            "The resumptionToken is not one this repository issued for this verb, was "
            "changed, or has expired; start the list again without it.",
        )
    return token


def _resume(
    element: etree._Element,
    verb: str,
    repo: Repository,
    now: dt.datetime,
    *,
    more: bool,
    resumed: bool,
    template: Token,
    cursor: int,
    served: int,
    total: int,
) -> None:
    """The page's resumptionToken: the next page's while there is one; an empty one on the
    last page of a list that took more than one; none for a list that fit in one page."""
    if more:
        expires = tokens.expiry(now)
        following = Token(
            verb,
            template.prefix,
            template.set_spec,
            template.since,
            template.until,
            template.after,
            cursor + served,
            max(total, cursor + served + 1),
            expires,
        )
        envelope.resumption_token(
            element,
            tokens.encode(following, repo.token_key),
            cursor=cursor,
            total=following.total,
            expires=following.expiration,
        )
    elif resumed:
        envelope.resumption_token(
            element, None, cursor=cursor, total=max(total, cursor + served), expires=None
        )


Verb = Callable[[Session, OaiRequest, Repository, dt.datetime], Answer]
VERBS: dict[str, Verb] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
    "GetRecord": get_record,
}
