"""OAI-PMH 2.0 at /oai: metadata harvesting of the documents, following the change log.

Library aggregators, discovery services and union catalogues harvest metadata with the Open
Archives Initiative Protocol for Metadata Harvesting rather than with a bespoke REST API.
Here every document is an OAI item (``oai:<host>:<document id>``), every collection a set,
and the change log (``api/records/changes.py``) gives each item its datestamp (the commit
time of its latest change), its deletion (``deletedRecord`` persistent) and the harvest
order (its latest change's ``seq``, a keyset that writes during a harvest cannot disturb).

- ``routes.py``: GET and POST /oai, the arguments as sent, the XML answer;
- ``service.py``: the six verbs, from arguments to the bytes of a response (no HTTP);
- ``verbs.py``: which arguments each verb takes, and the badVerb/badArgument checks;
- ``dates.py``: UTCdatetime in requests (``from``/``until``) and in responses;
- ``tokens.py``: signed, stateless resumption tokens;
- ``records.py``: the queries: headers by keyset over the change log, sets, documents;
- ``dc.py``: the ``oai_dc`` record of a document; ``formats.py``: the metadata formats;
- ``envelope.py``: the ``OAI-PMH`` response document, its headers and errors.
"""
