"""The write side: every change a curator makes, in one transaction with its revision.

Modules by what they write: documents (and their passages and footnotes), mentions,
cross-references, the entity registry. Shared: api/curation/revisions.py (row locks,
If-Match, revisions) and patches.py (merge patches, refusals).
"""
