"""TEI P5: structure, notes, pages, mentions, references, and files that must be refused."""

from pathlib import Path

import pytest

from api.errors import IngestError
from api.formats.tei.reader import read_tei

LIMIT = 1_000_000

MONOGRAPH = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="book">
  <teiHeader>
    <fileDesc>
      <titleStmt>
        <title type="complete">A   History</title><editor>E. Editor</editor>
      </titleStmt>
      <publicationStmt>
        <publisher>Office of the Historian</publisher><date>2015</date>
      </publicationStmt>
      <sourceDesc><p>Printed</p></sourceDesc>
    </fileDesc>
  </teiHeader>
  <standOff>
    <listPerson>
      <person xml:id="p_bemis"><persName>Samuel Flagg Bemis</persName></person>
    </listPerson>
  </standOff>
  <text>
    <body>
      <div type="part" xml:id="part-1">
        <head>Part One</head>
        <div type="chapter" xml:id="chapter-1">
          <head>Chapter 1</head>
          <p>The historian <persName ref="#p_bemis">Bemis</persName> wrote.<note place="foot"
              n="1" xml:id="chapter-1fn1">A review, p. 857.</note> More
            text <ref target="#chapter-2fn1">see below</ref>.<pb n="12"/> Next page.</p>
          <p>Unknown <persName ref="#nobody">Nobody</persName> and <term>a term</term>.</p>
        </div>
        <div type="chapter" xml:id="chapter-2">
          <head>Chapter 2</head>
          <p xml:id="para-x">Again.<note place="foot" n="1" xml:id="chapter-2fn1">Numbered
              per chapter.</note></p>
          <div><p>Nested, without an id.</p><list><item>one</item><item>two</item></list></div>
        </div>
      </div>
    </body>
  </text>
</TEI>
"""

DOCUMENT = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <teiHeader><fileDesc>
    <titleStmt><title type="complete">Memorandum From A to B</title></titleStmt>
    <publicationStmt>
      <date type="created" when="1958-11-03">November 3, 1958</date>
    </publicationStmt>
    <sourceDesc><p>A scan (<ref target="https://example.org/x.pdf">PDF</ref>)</p></sourceDesc>
  </fileDesc></teiHeader>
  <text><body>
    <p>Cited in the book, <ref target="../chapter-1#fn1">Footnote 1</ref>; see also
      <ref target="other-memo">the other memo</ref>.</p>
    <div type="document"><head>Memorandum</head><dateline>November 3, 1958</dateline>
      <p>Body.</p></div>
  </body></text>
</TEI>
"""


def read(xml: str, name: str = "book.xml"):
    return read_tei(xml.encode("utf-8"), Path(name), max_bytes=LIMIT, default_collection="tei")


def test_divisions_notes_pages_and_refs() -> None:
    result = read(MONOGRAPH)
    record = result.document
    assert record.title == "A History" and record.authors == ["E. Editor"]
    assert (record.date, record.source_type, record.genre) == ("2015", "secondary", "monograph")
    refs = [(p.ref, p.kind, p.section_ref) for p in record.passages]
    assert refs[:3] == [
        ("part-1", "heading", "part-1"),
        ("chapter-1", "heading", "chapter-1"),
        ("chapter-1.p1", "paragraph", "chapter-1"),
    ]
    assert ("para-x", "paragraph", "chapter-2") in refs
    assert ("chapter-2.d1.p1", "paragraph", "chapter-2.d1") in refs
    assert [p.kind for p in record.passages[-2:]] == ["list_item", "list_item"]
    first, second = record.footnotes
    assert (first.ref, first.marker, first.number) == ("chapter-1fn1", "1", 1)
    assert (second.ref, second.marker, second.number) == ("chapter-2fn1", "1", 2)
    paragraph = record.passages[2]
    assert paragraph.text.startswith("The historian Bemis wrote. More text see below.")
    assert record.text[first.offset - len("wrote.") : first.offset] == "wrote."
    assert second.text == "Numbered per chapter."
    (page,) = record.pages
    assert page.n == "12" and record.text[page.offset :].lstrip().startswith("Next page.")
    (mention,) = record.mentions  # "Nobody" names nothing: skipped; the bare term too
    assert (mention.surface, mention.entity_id) == ("Bemis", "tei-book-p-bemis")
    assert [e.id for e in result.entities] == ["tei-book-p-bemis"]
    (xref,) = record.cross_references
    assert xref.target.document == record.id and xref.target.footnote == "chapter-2fn1"
    assert paragraph.text[xref.start : xref.end] == "see below"
    assert {"book", "part-1", "chapter-1", "chapter-2"} <= {
        i.value for i in record.identifiers if i.scheme == "tei"
    }


def test_refs_across_files_wait_for_resolution() -> None:
    record = read(DOCUMENT, "1958-11-03-a-to-b.xml").document
    assert record.id == "1958-11-03-a-to-b" and record.date == "1958-11-03"
    assert record.genre == "memorandum" and record.provenance.url == "https://example.org/x.pdf"
    book, memo = record.cross_references
    assert (book.target.scheme, book.target.value, book.target.footnote) == (
        "tei",
        "chapter-1",
        "chapter-1fn1",
    )
    assert book.target.label == "Footnote 1"
    assert (memo.target.scheme, memo.target.value) == ("tei", "other-memo")
    assert [p.kind for p in record.passages][1:3] == ["heading", "dateline"]


def test_broken_xml_is_refused_with_its_line() -> None:
    with pytest.raises(IngestError) as raised:
        read("<TEI>\n<teiHeader>\n<text></TEI>")
    assert raised.value.line == 3 and "not well-formed" in raised.value.message


def test_entity_bomb_is_refused_unexpanded() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE TEI [\n<!ENTITY a "aaaaaaaaaa">\n'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<TEI>&b;</TEI>'
    )
    with pytest.raises(IngestError) as raised:
        read(bomb)
    assert "entit" in raised.value.message and raised.value.line == 2


@pytest.mark.parametrize(
    "data",
    [
        # in UTF-16, where a search of the raw bytes for "<!ENTITY" finds nothing
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE TEI [<!ENTITY x "y">]>\n'
        "<TEI>a &x; b</TEI>".encode("utf-16"),
        # a comment in the declaration that holds "]>", where the raw search stopped
        b'<?xml version="1.0"?>\n<!DOCTYPE TEI [ <!-- ]> --> <!ENTITY x "y">]>\n<TEI>&x;</TEI>',
    ],
    ids=["utf-16", "comment"],
)
def test_entity_declarations_are_refused_whatever_their_disguise(data: bytes) -> None:
    with pytest.raises(IngestError) as raised:
        read_tei(data, Path("disguised.xml"), max_bytes=LIMIT)
    assert "declares entities" in raised.value.message and raised.value.line == 2


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    xxe = MONOGRAPH.replace("<p>Unknown", "<p>&xxe; Unknown").replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE TEI SYSTEM "file://{secret}">',
    )
    record = read(xxe).document
    assert "SECRET" not in record.text


def test_oversized_and_wrongly_encoded_files_are_refused() -> None:
    with pytest.raises(IngestError) as raised:
        read_tei(MONOGRAPH.encode("utf-8"), Path("big.xml"), max_bytes=1024)
    assert "QUELLEN_IMPORT_MAX_BYTES" in raised.value.message
    latin = MONOGRAPH.replace("A   History", "Geschichte der Außenpolitik").encode("latin-1")
    with pytest.raises(IngestError) as raised:
        read_tei(latin, Path("latin.xml"), max_bytes=LIMIT)
    assert "not well-formed" in raised.value.message


def test_not_tei() -> None:
    with pytest.raises(IngestError, match="not <TEI>"):
        read("<html><body/></html>")
