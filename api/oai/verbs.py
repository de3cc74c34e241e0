"""What each verb takes (section 4), and the checks that come before any query.

A request is its arguments as sent, in order and with repeats, since a repeated argument is
an error the protocol names. The checks give every ``badVerb`` and ``badArgument`` at once
(the protocol allows several ``error`` elements), so a harvester's author fixes them in one
go; the conditions a query decides (``idDoesNotExist``, ``noRecordsMatch``, …) come later.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from api.oai.dates import Bound, parse_bound


@dataclass(frozen=True, slots=True)
class OaiError:
    """One ``error`` element: its code (section 3.6) and what to tell a person."""

    code: str
    message: str


class OaiErrors(Exception):
    """The request cannot be answered; ``errors`` are the ``error`` elements to send."""

    def __init__(self, *errors: OaiError) -> None:
        super().__init__("; ".join(f"{e.code}: {e.message}" for e in errors))
        self.errors = list(errors)


def error(code: str, message: str) -> OaiErrors:
    return OaiErrors(OaiError(code, message))


@dataclass(frozen=True, slots=True)
class Verb:
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None  # resumptionToken: only with the verb


_LIST = Verb(
    required=frozenset({"metadataPrefix"}),
    optional=frozenset({"from", "until", "set"}),
    exclusive="resumptionToken",
)
VERBS: dict[str, Verb] = {
    "Identify": Verb(),
    "ListMetadataFormats": Verb(optional=frozenset({"identifier"})),
    "ListSets": Verb(exclusive="resumptionToken"),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
    "GetRecord": Verb(required=frozenset({"identifier", "metadataPrefix"})),
}


@dataclass(frozen=True, slots=True)
class OaiRequest:
    """A request whose verb and arguments are legal: what the verbs are answered from."""

    verb: str
    arguments: dict[str, str] = field(default_factory=dict)
    since: Bound | None = None  # from
    until: Bound | None = None

    def get(self, name: str) -> str | None:
        return self.arguments.get(name)


def parse(pairs: Sequence[tuple[str, str]]) -> OaiRequest:
    """The request ``pairs`` make, or OaiErrors with every badVerb or badArgument in it."""
    verbs = [value for name, value in pairs if name == "verb"]
    if not verbs:
        raise error("badVerb", "The request has no verb argument.")
    if len(verbs) > 1:
        raise error("badVerb", "The verb argument is repeated; send exactly one.")
    verb = verbs[0]
    rules = VERBS.get(verb)
    if rules is None:
        known = ", ".join(VERBS)
        raise error("badVerb", f"{verb!r} is not an OAI-PMH verb; the verbs are {known}.")
    problems: list[OaiError] = []
    arguments: dict[str, str] = {}
    allowed = rules.required | rules.optional | ({rules.exclusive} if rules.exclusive else set())
    for name, value in pairs:
        if name == "verb":
            continue
        if name not in allowed:
            problems.append(OaiError("badArgument", f"{verb} does not take {name!r}."))
        elif name in arguments:
            problems.append(OaiError("badArgument", f"The argument {name!r} is repeated."))
        elif value == "":
            problems.append(OaiError("badArgument", f"The argument {name!r} is empty."))
        else:
            arguments[name] = value
    if rules.exclusive and rules.exclusive in arguments:
        others = sorted(set(arguments) - {rules.exclusive})
        if others:
            problems.append(
                OaiError(
                    "badArgument",
                    f"{rules.exclusive} is an exclusive argument: send it with the verb "
                    f"alone, not with {', '.join(others)}.",
                )
            )
    else:
        for name in sorted(rules.required - set(arguments)):
            if not any(n == name for n, _ in pairs):  # an empty one is reported above
                problems.append(OaiError("badArgument", f"{verb} requires {name!r}."))
    since, until = _bounds(arguments, problems)
    if problems:
        raise OaiErrors(*problems)
    return OaiRequest(verb, arguments, since, until)


def _bounds(arguments: dict[str, str], problems: list[OaiError]) -> tuple[Bound | None, ...]:
    """``from`` and ``until`` parsed; a bad date, two granularities, or until before from
    are badArgument (sections 3.3.1 and 4.3)."""
    bounds: list[Bound | None] = []
    for name in ("from", "until"):
        text = arguments.get(name)
        bound = parse_bound(text) if text is not None else None
        if text is not None and bound is None:
            problems.append(
                OaiError(
                    "badArgument",
                    f"{name}={text!r} is not a UTCdatetime: use YYYY-MM-DD or "
                    "YYYY-MM-DDThh:mm:ssZ.",
                )
            )
        bounds.append(bound)
    since, until = bounds
    if since is not None and until is not None:
        if since.granularity != until.granularity:
            problems.append(
                OaiError("badArgument", "from and until must have the same granularity.")
            )
        elif until.start < since.start:
            problems.append(OaiError("badArgument", "until is earlier than from."))
    return since, until
