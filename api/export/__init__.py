"""Exporters: the database read back as normalized records and written out as files.

Exports read records the way the loader wrote them (api/export/records.py), so every
format starts from the same lossless view and an exported file imports to the same state.
"""
