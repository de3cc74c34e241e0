"""The reading site: its HTML pages, rendered from the same services as the JSON API."""
