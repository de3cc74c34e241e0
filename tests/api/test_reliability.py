"""The reliability suite: schemathesis over every operation, writes included, on both engines.

Schemathesis's engine runs what ``schemathesis run`` runs — the schema's examples, the
coverage phase (boundary and invalid values), fuzzing, and the stateful phase, which chains
operations through the links it infers and those the OpenAPI document declares (create →
read → edit with the ETag as If-Match → delete) — against the app in process, with an admin
key, so every route can be reached. A fixed seed, deterministic generation and bounded
examples keep it repeatable and a minute or two per engine.

It fails on any 5xx and on any response that contradicts the document: a status it does
not list, a media type it does not declare, a body or a header off its schema. Checks about
what inputs should mean (a schema-valid cursor can still be a forged one and get a 400) are
left to the tests of those inputs.
"""

import time
from collections import Counter

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.engine.run import PhaseName

import tests.utils.fuzz  # noqa: F401  (registers the hook that keeps ?format to JSON)
from api.app import create_app
from api.db.engine import session_scope
from api.db.keys import create_key
from tests.conftest import DbHandle

pytestmark = pytest.mark.reliability

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
MAX_EXAMPLES = 10  # per operation and phase; the coverage phase adds its boundary cases
STATEFUL_EXAMPLES = 30  # at most this many sequences of linked calls, each up to STATEFUL_STEPS
STATEFUL_STEPS = 20


def _config(key: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": 14,
            "headers": {"Authorization": f"Bearer {key}"},
            "workers": 1,
            "suppress-health-check": ["all"],
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {
                "stateful": {
                    "max-steps": STATEFUL_STEPS,
                    # only the document's own links, which carry each ETag to If-Match: links
                    # schemathesis infers (from Location headers, from matching field names)
                    # carry none, and crowd the edits out with 412s
                    "inference": {"algorithms": []},
                    "generation": {"max-examples": STATEFUL_EXAMPLES},
                }
            },
            "checks": {
                "enabled": False,
                **{name: {"enabled": True} for name in CHECKS},
                # a write without If-Match is 428 Precondition Required (RFC 6585)
                "missing_required_header": {
                    "enabled": True,
                    "expected-statuses": [400, 401, 403, 406, 415, 422, 428],
                },
            },
        }
    )


def test_every_operation_keeps_the_contract(fresh_db: DbHandle) -> None:
    with session_scope(fresh_db.engine) as session:
        key = create_key(session, name="reliability-admin", scope="admin")
    # No write budget: 429 is documented, but a throttled run tests nothing past it.
    app = create_app(fresh_db.app_settings(rate_limit_writes=""), engine=fresh_db.engine)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=_config(key))
    every_operation = {result.ok().label for result in schema.get_all_operations()}

    started = time.monotonic()
    failures: list[str] = []
    errors: list[str] = []
    phases: dict[PhaseName, Status] = {}
    tested: set[str] = set()
    calls: Counter[PhaseName] = Counter()
    edits: Counter[str] = Counter()  # stateful PATCH and DELETE calls, by status
    for event in from_schema(schema).execute():
        if isinstance(event, events.PhaseFinished):
            phases[event.phase.name] = event.status
        elif isinstance(event, events.ScenarioFinished):
            calls[event.phase] += len(event.recorder.cases)
            for case_id, node in event.recorder.cases.items():
                tested.add(node.value.operation.label)
                response = event.recorder.interactions[case_id].response
                if event.phase == PhaseName.STATEFUL_TESTING and node.value.method in (
                    "PATCH",
                    "DELETE",
                ):
                    edits[f"{node.value.method} {response.status_code if response else None}"] += 1
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failures.append(
                            f"{event.phase.value} {event.recorder.label}: {check.name}\n"
                            f"{check.failure_info.code_sample}\n{check.failure_info.failure}"
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(str(getattr(event, "value", None) or getattr(event, "exception", "")))
    elapsed = time.monotonic() - started

    assert not errors, "\n\n".join(errors)
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)
    assert tested == every_operation, sorted(every_operation - tested)
    for phase in (
        PhaseName.EXAMPLES,
        PhaseName.COVERAGE,
        PhaseName.FUZZING,
        PhaseName.STATEFUL_TESTING,
    ):
        assert phases.get(phase) == Status.SUCCESS, (phase, phases.get(phase))
        assert calls[phase] > 0, phase
    # the links carry ETags to If-Match: linked edits succeed, not only fail with 412
    assert edits["PATCH 200"] + edits["DELETE 204"], (edits, calls)
    print(f"{fresh_db.backend}: {dict(calls)}, stateful edits {dict(edits)}, {elapsed:.0f} s")
