"""The entity registry as a W3C Reconciliation Service (API 0.2) at ``/reconcile``.

OpenRefine and other reconciliation clients match a column of names to the registry's
people, places, organizations, groups, terms and events, pull their data (aliases, dates,
authority ids, how many documents name them), ask for suggestions as a user types and
show a small preview of an entity. ``routes.py`` speaks the protocol, ``service.py`` reads
the registry, ``matching.py`` scores names and ``vocabulary.py`` names the types and
properties the service exposes.
"""
