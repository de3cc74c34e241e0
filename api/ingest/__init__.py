"""Readers turn files into one normalized record; one loader writes records to the database.

Readers never touch the database and the loader never parses files, so every format gets
the same validation, the same offsets and the same transaction rules.
"""
