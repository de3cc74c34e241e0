"""OpenAPI examples of /oai: what the API answers for the seed corpus, at
https://quellen.example.org (datestamps fixed, the TEI record abridged)."""

from typing import Any

IDENTIFY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/'
    ' http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
    "  <responseDate>2026-01-15T09:30:00Z</responseDate>\n"
    '  <request verb="Identify">https://quellen.example.org/oai</request>\n'
    "  <Identify>\n"
    "    <repositoryName>Quellen</repositoryName>\n"
    "    <baseURL>https://quellen.example.org/oai</baseURL>\n"
    "    <protocolVersion>2.0</protocolVersion>\n"
    "    <adminEmail>webmaster@quellen.example.org</adminEmail>\n"
    "    <earliestDatestamp>2026-01-15T09:30:00Z</earliestDatestamp>\n"
    "    <deletedRecord>persistent</deletedRecord>\n"
    "    <granularity>YYYY-MM-DDThh:mm:ssZ</granularity>\n"
    "    <compression>gzip</compression>\n"
    "    <description>\n"
    "      <oai-identifier"
    ' xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier"'
    ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier'
    ' http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">\n'
    "        <scheme>oai</scheme>\n"
    "        <repositoryIdentifier>quellen.example.org</repositoryIdentifier>\n"
    "        <delimiter>:</delimiter>\n"
    "        <sampleIdentifier>oai:quellen.example"
    ".org:harriman-to-secretary-of-state-1944-09-24</sampleIdentifier>\n"
    "      </oai-identifier>\n"
    "    </description>\n"
    "  </Identify>\n"
    "</OAI-PMH>\n"
)

LISTRECORDS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/'
    ' http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
    "  <responseDate>2026-01-15T09:30:00Z</responseDate>\n"
    '  <request verb="ListRecords"'
    ' metadataPrefix="oai_dc">https://quellen.example.org/oai</request>\n'
    "  <ListRecords>\n"
    "    <record>\n"
    "      <header>\n"
    "        <identifier>oai:quellen.example"
    ".org:harriman-to-secretary-of-state-1944-09-24</identifier>\n"
    "        <datestamp>2026-01-15T09:30:00Z</datestamp>\n"
    "        <setSpec>frus-1944-v04</setSpec>\n"
    "      </header>\n"
    "      <metadata>\n"
    '        <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/'
    ' http://www.openarchives.org/OAI/2.0/oai_dc.xsd">\n'
    "          <dc:title>The Ambassador in the Soviet Union (Harriman) to the"
    " Secretary of State</dc:title>\n"
    "          <dc:creator>W. Averell Harriman</dc:creator>\n"
    "          <dc:subject>Archibald Clark Kerr</dc:subject>\n"
    "          <dc:subject>British Embassy in Moscow</dc:subject>\n"
    "          <dc:subject>British Embassy in Washington</dc:subject>\n"
    "          <dc:subject>British–Soviet arrangement on Soviet nationals held in"
    " the United Kingdom</dc:subject>\n"
    "          <dc:subject>Cordell Hull</dc:subject>\n"
    "          <dc:subject>Department of State</dc:subject>\n"
    "          <dc:subject>Soviet Union</dc:subject>\n"
    "          <dc:description>Replies to the Department's telegram 2212 of"
    " September 15, 1944, 8 p.m., which is not in the corpus. Footnote 2 cites file"
    " 740.62114/9–2744.</dc:description>\n"
    "          <dc:publisher>United States Government Printing Office</dc:publisher>\n"
    "          <dc:date>1944-09-24</dc:date>\n"
    "          <dc:type>Text</dc:type>\n"
    "          <dc:type>telegram</dc:type>\n"
    "          <dc:type>primary source</dc:type>\n"
    "          <dc:identifier>https://quellen.example"
    ".org/v1/documents/harriman-to-secretary-of-state-1944-09-24</dc:identifier>\n"
    "          <dc:identifier>711.62114/9–2444</dc:identifier>\n"
    "          <dc:identifier>3652</dc:identifier>\n"
    "          <dc:source>Foreign Relations of the United States, Diplomatic Papers,"
    " 1944, Volume IV, Europe, pp. 1253–1254</dc:source>\n"
    "          <dc:source>Department of State central files,"
    " 711.62114/9–2444</dc:source>\n"
    "          <dc:language>en</dc:language>\n"
    "          <dc:relation>https://quellen.example"
    ".org/v1/collections/frus-1944-v04</dc:relation>\n"
    "          <dc:rights>Public domain (work of the United States"
    " government)</dc:rights>\n"
    "        </oai_dc:dc>\n"
    "      </metadata>\n"
    "    </record>\n"
    '    <resumptionToken completeListSize="4" cursor="0"'
    ' expirationDate="2026-01-15T09:30:00Z">'
    "WzEsIlIiLCJvYWlfZGMiLG51bGwsbnVsbCxudWxsLDYxLDEsNCwxNzk2MzExOTU5XQ"
    ".7760AddpkWhi5QNvomCSGA</resumptionToken>\n"
    "  </ListRecords>\n"
    "</OAI-PMH>\n"
)

GETRECORD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/'
    ' http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
    "  <responseDate>2026-01-15T09:30:00Z</responseDate>\n"
    '  <request verb="GetRecord"'
    ' identifier="oai:quellen.example.org:harriman-to-secretary-of-state-1944-09-24"'
    ' metadataPrefix="tei">https://quellen.example.org/oai</request>\n'
    "  <GetRecord>\n"
    "    <record>\n"
    "      <header>\n"
    "        <identifier>oai:quellen.example"
    ".org:harriman-to-secretary-of-state-1944-09-24</identifier>\n"
    "        <datestamp>2026-01-15T09:30:00Z</datestamp>\n"
    "        <setSpec>frus-1944-v04</setSpec>\n"
    "      </header>\n"
    "      <metadata>\n"
    '        <TEI xmlns="http://www.tei-c.org/ns/1.0" xml:space="preserve"'
    ' xml:lang="en">\n'
    "  <teiHeader>\n"
    "    <fileDesc>\n"
    "      <titleStmt>\n"
    '        <title type="complete">The Ambassador in the Soviet Union (Harriman) to'
    " the Secretary of State</title>\n"
    "        <author>W. Averell Harriman</author>\n"
    "      </titleStmt>\n"
    "      <publicationStmt>\n"
    "        <authority>Quellen</authority>\n"
    '        <idno type="quellen">harriman-to-secretary-of-state-1944-09-24</idno>\n'
    '        <idno type="number">3652</idno>\n'
    '        <idno type="telegram_number">3652</idno>\n'
    "      </publicationStmt>\n"
    "      <seriesStmt>\n"
    "        <title>Foreign Relations of the United States, Diplomatic Papers, 1944,"
    " Volume IV, Europe</title>\n"
    '        <idno type="quellen">frus-1944-v04</idno>\n'
    "        <respStmt>\n"
    "          <resp>publisher</resp>\n"
    "          <name>United States Government Printing Office</name>\n"
    "        </respStmt>\n"
    "      </seriesStmt>\n"
    "      <notesStmt>\n"
    '        <note type="transcription">The printed footnote markers 66, 67 and 68'
    ' were run into the words in the harvested text ("Moyne66", "time.67",'
    ' "reprisals.68"); they are kept as footnote anchors and the notes, numbered 1–3'
    " in the harvested note list, are matched to them in order. The running head"
    ' "[Page 1254]" marks where page 1254 begins and is not part of the text; the'
    " telegram begins on page 1253.</note>\n"
    '        <note type="context">Replies to the Department\'s telegram 2212 of'
    " September 15, 1944, 8 p.m., which is not in the corpus. Footnote 2 cites file"
    " 740.62114/9–2744.</note>\n"
    '        <note type="collection-description">Documents from the Department of'
    " State's documentary series, as printed. The telegrams carry their Department"
    " of State central file numbers.</note>\n"
    "      </notesStmt>\n"
    "      <sourceDesc>\n"
    '        <bibl type="quellen-provenance">\n'
    "          <publisher>United States Government Printing Office</publisher>\n"
    '          <title level="m">Foreign Relations of the United States, Diplomatic'
    " Papers, 1944, Volume IV, Europe</title>\n"
    '          <biblScope unit="volume">IV</biblScope>\n'
    '          <biblScope unit="page">1253–1254</biblScope>\n'
    '          <biblScope unit="first-page">1253</biblScope>\n'
    '          <idno type="file_number" source="Department of State central'
    ' files">711.62114/9–2444</idno>\n'
    '          <note type="rights">Public domain (work of the United States'
    " government)</note>\n"
    '          <note type="source_file">seeds/002_78820021b3d022f1.txt</note>\n'
    "        </bibl>\n"
    "      </sourceDesc>\n"
    "    </fileDesc>\n"
    "    <profileDesc>\n"
    "      <creation>\n"
    '        <date type="created" when="1944-09-24">1944-09-24</date>\n'
    "      </creation>\n"
    "      <langUsage>\n"
    '        <language ident="en"/>\n'
    "      </langUsage>\n"
    "      <textClass>\n"
    '        <keywords scheme="#quellen">\n'
    '          <term type="source_type">primary</term>\n'
    '          <term type="genre">telegram</term>\n'
    "        </keywords>\n"
    "      </textClass>\n"
    "      <correspDesc>\n"
    '        <correspAction type="received">\n'
    "          <name>Secretary of State</name>\n"
    "        </correspAction>\n"
    "      </correspDesc>\n"
    "    </profileDesc>\n"
    "  </teiHeader>\n"
    "  …\n"
    "</TEI>\n"
    "      </metadata>\n"
    "    </record>\n"
    "  </GetRecord>\n"
    "</OAI-PMH>\n"
)

ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/'
    ' http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
    "  <responseDate>2026-01-15T09:30:00Z</responseDate>\n"
    "  <request>https://quellen.example.org/oai</request>\n"
    "  <error code=\"badArgument\">until='2026-13-01' is not a UTCdatetime: use"
    " YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.</error>\n"
    "</OAI-PMH>\n"
)

EXAMPLES: dict[str, Any] = {
    "Identify": {"summary": "Identify", "value": IDENTIFY},
    "ListRecords": {"summary": "ListRecords in oai_dc, first page", "value": LISTRECORDS},
    "GetRecord": {"summary": "GetRecord in TEI (abridged)", "value": GETRECORD},
    "error": {"summary": "an error: badArgument", "value": ERROR},
}
