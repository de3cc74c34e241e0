"""What schemathesis is told beyond the OpenAPI document.

A download (``?format=tei``, ``csv``…) answers in a representation the document lists under
its response's ``x-alternatives``, not in ``content`` — that keeps generated clients typed
on one body (api/http/openapi_clients.py). Schemathesis checks answers against ``content``
only, so the fuzzers load the document without the ``format`` parameter; every format is
covered by tests/test_downloads.py.
"""

from typing import Any

import schemathesis


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    for item in raw_schema.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [
                    p for p in operation["parameters"] if p.get("name") != "format"
                ]
