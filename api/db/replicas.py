"""PostgreSQL streaming replicas: which one may serve a read, and whether it is fresh enough.

PostgreSQL replicates; Quellen only chooses. Every worker keeps the state of each replica
(reachable, how far behind, the WAL position it has replayed), refreshed at most every
``check_seconds`` by whichever request finds it old, in a thread of its own so no request
waits for it. Reads go round the replicas that are up and less than ``max_lag`` seconds
behind; with none, to the primary.

Read-your-writes rests on WAL positions. A write's response carries the primary's WAL
position after its commit (``primary_position``); a read that presents it is served by a
replica only if that replica has replayed at least so far (``pg_last_wal_replay_lsn()``,
asked of the replica right then when the kept state is older), else by the primary. A
curator never reads an answer older than their own write, and everyone else reads from
the replicas.

Lag is measured against the primary, not only inside the replica: a replica whose
connection to the primary broke has replayed all it received and would call itself
current. So a check reads the primary's position first and remembers it; a replica that
has replayed it is 0 s behind, one that has not is as far behind as the time since the
primary was where the replica is (``ReplicaSet.lag``).
"""

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Literal

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from api.db.engine import make_engine, snapshot_engine

log = logging.getLogger("quellen.replicas")

_LSN = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")
CHECK_TIMEOUT_SECONDS = 2  # connecting to and asking one replica; a check never hangs longer

State = Literal["unknown", "ok", "lagging", "down"]


def parse_lsn(value: str) -> int:
    """A WAL position as PostgreSQL prints it (``16/B374D848``) as one comparable number.

    Raises ``ValueError`` for anything else, so a forged token is refused, not compared.
    """
    match = _LSN.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a WAL position such as 16/B374D848")
    return int(match.group(1), 16) << 32 | int(match.group(2), 16)


def format_lsn(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


def primary_position(engine: Engine) -> str:
    """The primary's WAL position now: at or after every transaction committed so far."""
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one())


def _cause(exc: SQLAlchemyError) -> str:
    """The driver's error class (``OperationalError``), short enough for /ready."""
    return type(getattr(exc, "orig", None) or exc).__name__


def display_name(url: str) -> str:
    """A replica as operators name it in metrics and /ready: host, port, database; no secret."""
    parsed = make_url(url)
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


READ_TARGET = "quellen_read_target"  # in a request's state: the ReadTarget it reads from


@dataclass(frozen=True)
class ReadTarget:
    """The database one request reads from, chosen by the HTTP layer for the sessions and
    readers the routes take; ``on_read`` counts its reads (metrics)."""

    name: str
    engine: Engine
    snapshot_engine: Engine
    on_read: Callable[[], None]


@dataclass
class Replica:
    """One replica and what the last check found."""

    name: str
    engine: Engine
    snapshot_engine: Engine
    state: State = "unknown"
    lag_seconds: float | None = None
    replayed: int = 0  # WAL position replayed at the last check
    detail: str = ""
    checked_at: float = float("-inf")  # time.monotonic() of the last check

    @property
    def serving(self) -> bool:
        return self.state == "ok"


@dataclass
class ReplicaSet:
    """The replicas of one primary, as one worker sees them."""

    primary: Engine
    replicas: list[Replica]
    max_lag: float
    check_seconds: float
    observer: Callable[[Replica], None] | None = None  # told every state found (metrics)
    _turn: "count[int]" = field(default_factory=count)
    _checking: threading.Lock = field(default_factory=threading.Lock)
    _checked_at: float = float("-inf")
    # (time.monotonic(), the primary's WAL position) at each check, oldest first
    _history: "deque[tuple[float, int]]" = field(default_factory=deque)

    @classmethod
    def connect(
        cls,
        primary: Engine,
        urls: Sequence[str],
        *,
        max_lag: float,
        check_seconds: float,
        pool_size: int,
    ) -> "ReplicaSet":
        replicas = []
        for url in urls:
            engine = make_engine(
                url,
                pool_size=pool_size,
                connect_args={"connect_timeout": CHECK_TIMEOUT_SECONDS},
            )
            replicas.append(Replica(display_name(url), engine, snapshot_engine(engine)))
        return cls(primary, replicas, max_lag, check_seconds)

    def dispose(self) -> None:
        for replica in self.replicas:
            replica.engine.dispose()

    # -- health -------------------------------------------------------------------------

    @property
    def never_checked(self) -> bool:
        return self._checked_at == float("-inf")

    @property
    def stale(self) -> bool:
        return time.monotonic() - self._checked_at >= self.check_seconds

    def refresh_in_background(self) -> None:
        """Start a check in a thread of its own unless one is running; returns at once."""
        if self._checking.locked():
            return
        threading.Thread(target=self.check, name="quellen-replica-check", daemon=True).start()

    def check(self) -> None:
        """Ask the primary where it is and every replica how far it has replayed."""
        if not self._checking.acquire(blocking=False):
            with self._checking:  # a check is running: wait for its answer instead
                return
        try:
            try:
                head: int | None = parse_lsn(primary_position(self.primary))
            except SQLAlchemyError:
                head = None  # the primary's own trouble is /ready's to report
            now = time.monotonic()
            if head is not None:
                self._remember(now, head)
            for replica in self.replicas:
                self._check_one(replica, head, now)
            self._checked_at = time.monotonic()
        finally:
            self._checking.release()

    def _remember(self, now: float, head: int) -> None:
        """Keep where the primary was at each check, as long as a lag can matter."""
        history = self._history
        history.append((now, head))
        keep = now - (self.max_lag + max(60.0, 10 * self.check_seconds))
        while len(history) > 2 and history[1][0] < keep:
            history.popleft()

    def lag(self, replayed: int, head: int | None, now: float, replay_age: float | None) -> float:
        """Seconds since the primary was where the replica has replayed to.

        Measured with the primary's positions at earlier checks: the replica has everything
        the primary had at the latest check whose position it has replayed, so it is at most
        that long behind. The age of the last transaction it replayed would be wrong both
        ways: it grows while the primary commits nothing (an idle replica is not behind),
        and during a long import, one transaction, whose WAL the replica replays as it comes.
        Before the history reaches back far enough (just started), that age is the estimate.
        """
        if head is None or replayed >= head:
            return 0.0
        caught_up = [moment for moment, position in self._history if position <= replayed]
        if caught_up:
            return now - caught_up[-1]
        if self._history and now - self._history[0][0] > self.max_lag:
            return now - self._history[0][0]  # behind everything remembered: at least this
        return float(replay_age or 0.0)

    def _check_one(self, replica: Replica, head: int | None, now: float) -> None:
        before = replica.state
        try:
            with replica.engine.connect() as connection:
                connection.exec_driver_sql(
                    f"SET statement_timeout = {CHECK_TIMEOUT_SECONDS * 1000}"
                )
                row = connection.execute(
                    text(
                        "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
                        "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
                    )
                ).one()
                connection.rollback()
        except SQLAlchemyError as exc:
            replica.state, replica.lag_seconds = "down", None
            replica.detail = f"unreachable: {_cause(exc)}"
        else:
            recovering, replayed, age = row
            if not recovering or replayed is None:
                replica.state, replica.lag_seconds = "down", None
                replica.detail = "not a streaming replica (not in recovery)"
            else:
                replica.replayed = parse_lsn(replayed)
                age_seconds = None if age is None else float(age)
                replica.lag_seconds = round(self.lag(replica.replayed, head, now, age_seconds), 3)
                if replica.lag_seconds > self.max_lag:
                    replica.state = "lagging"
                    replica.detail = f"{replica.lag_seconds:g} s behind the primary"
                else:
                    replica.state, replica.detail = "ok", ""
        replica.checked_at = time.monotonic()
        if self.observer is not None:
            self.observer(replica)
        if replica.state != before:
            log.log(
                logging.INFO if replica.serving else logging.WARNING,
                "replica %s: %s%s",
                replica.name,
                replica.state,
                f" ({replica.detail})" if replica.detail else "",
            )

    def mark_down(self, replica: Replica, reason: str) -> None:
        """A read on ``replica`` failed to connect: out of the rotation until a check finds
        it well again."""
        if replica.state != "down":
            log.warning("replica %s: down (%s)", replica.name, reason)
        replica.state, replica.lag_seconds, replica.detail = "down", None, reason
        if self.observer is not None:
            self.observer(replica)

    # -- choosing -----------------------------------------------------------------------

    def serving(self) -> list[Replica]:
        return [replica for replica in self.replicas if replica.serving]

    def choose(self, token: int | None) -> Replica | None:
        """The replica to read from, in turn, from the kept state alone; None: the primary.

        With a token, only a replica known to have replayed that far; ``confirm`` asks the
        others (that is I/O, so it is a separate step the caller runs in a thread).
        """
        candidates = self.serving()
        if token is not None:
            candidates = [replica for replica in candidates if replica.replayed >= token]
        if not candidates:
            return None
        return candidates[next(self._turn) % len(candidates)]

    def confirm(self, token: int) -> Replica | None:
        """A serving replica that has replayed ``token``, asking each in turn; None if none.

        A write through another worker, a moment ago, is newer than any kept state: the
        replicas are asked now. Usually the first has replayed it already.
        """
        candidates = self.serving()
        start = next(self._turn)
        for offset in range(len(candidates)):
            replica = candidates[(start + offset) % len(candidates)]
            try:
                with replica.engine.connect() as connection:
                    replayed = connection.execute(
                        text("SELECT pg_last_wal_replay_lsn()::text")
                    ).scalar_one()
                    connection.rollback()
            except SQLAlchemyError as exc:
                self.mark_down(replica, f"unreachable: {_cause(exc)}")
                continue
            if replayed is not None:
                replica.replayed = max(replica.replayed, parse_lsn(replayed))
            if replica.replayed >= token:
                return replica
        return None
