"""Quellen: a REST API for curated historical source records."""

__version__ = "0.1.0"
