"""The reading bundle: a document's metadata, text, passages, footnotes, page breaks,
mentions and cross-references in one call, composed from the services that serve each.

Nothing is queried here: each part comes from the service behind its own endpoint, every
page of it, so the bundle holds exactly what those endpoints would answer.
"""

from sqlmodel import Session

from api.crossrefs import service as crossrefs
from api.crossrefs.schemas import CrossReferencePublic
from api.documents import service as documents
from api.mentions import service as mentions
from api.reading.schemas import ReadingBundle, ReadingCrossReferences
from api.records.offsets import CODEPOINTS, OffsetUnit
from api.schemas import every_page
from api.texts import service as texts

PAGE = 1000  # how many of a part to ask its service for at a time


def reading_bundle(
    session: Session, *, document_id: str, base: str, offsets: OffsetUnit = CODEPOINTS
) -> ReadingBundle:
    """The document for reading; 404 for an unknown document and 410 for a deleted one, as
    the document's own endpoint answers."""
    metadata = documents.get_document(session, document_id=document_id, base=base)
    text = texts.document_text(
        session, document_id=document_id, view="full", base=base, offsets=offsets
    )
    passages = list(
        every_page(
            lambda after: texts.list_passages(
                session,
                document_id=document_id,
                kind=None,
                section=None,
                include_boilerplate=True,
                after=after,
                limit=PAGE,
                base=base,
                offsets=offsets,
            )
        )
    )
    footnotes = list(
        every_page(
            lambda after: texts.list_footnotes(
                session,
                document_id=document_id,
                after=after,
                limit=PAGE,
                base=base,
                offsets=offsets,
            )
        )
    )
    pages = list(
        every_page(
            lambda after: texts.list_pages(
                session,
                document_id=document_id,
                after=after,
                limit=PAGE,
                base=base,
                offsets=offsets,
            )
        )
    )
    named = list(
        every_page(
            lambda after: mentions.document_mentions(
                session,
                document_id=document_id,
                entity_type=None,
                include_rejected=False,
                after=after,
                limit=PAGE,
                base=base,
                offsets=offsets,
            )
        )
    )

    def references(direction: crossrefs.Direction) -> list[CrossReferencePublic]:
        return list(
            every_page(
                lambda after: crossrefs.list_cross_references(
                    session,
                    relation=None,
                    origin=None,
                    resolved=None,
                    document_id=document_id,
                    direction=direction,
                    after=after,
                    limit=PAGE,
                    base=base,
                    offsets=offsets,
                )
            )
        )

    doc = f"{base}/v1/documents/{document_id}"
    return ReadingBundle(
        document=document_id,
        offsets=offsets,
        metadata=metadata,
        text=text.text,
        length=text.length,
        passages=passages,
        footnotes=footnotes,
        pages=pages,
        mentions=named,
        cross_references=ReadingCrossReferences(
            outgoing=references("out"), incoming=references("in")
        ),
        links={
            "self": f"{doc}/reading" + ("?offsets=utf16" if offsets == "utf16" else ""),
            "document": doc,
            "text": f"{doc}/text?view=full",
        },
    )
