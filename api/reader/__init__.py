"""The reading site: documents as printed, their notes at hand, search, people and events.

HTML for people, at the same host as the JSON API and outside ``/v1``. Pages are rendered
on the server with Jinja2 from the same services the JSON routes call (no HTTP round trip
to itself), with the project's own CSS and a little JavaScript served under content-hashed
names (``assets``); every page works without JavaScript. The site only reads: curation
stays in the API. ``QUELLEN_READER=false`` leaves it out for an API-only deployment.
"""
