"""The ``jobs`` rows: enqueue in the caller's transaction, claim, settle, retry, cancel, and the sweep.

Every state change is one conditional UPDATE, so two workers holding the same message, or a user cancelling
while a worker finishes, never both win.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Job
from leadcore.errors import NotFound
from leadcore.jobs import registry
from leadcore.jobs.queue import Queue, queue_for

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
_PENDING = "leadcore.jobs.pending"
SWEEP_GRACE = timedelta(seconds=60)   # a message older than this for a due row is presumed lost
ACTIVE = ("queued", "running")


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _rows(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def _send_after_commit(session: Session) -> None:
    for queue, job_id, delay in session.info.pop(_PENDING, []):
        try:
            queue.send(job_id, delay_s=delay)
        except Exception:  # the row is committed: the sweep sends it later; the log says why
            log.warning("job %s: could not send its queue message; the sweep will", job_id, exc_info=True)


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def send_after_commit(session: Session, job_id: int, *, delay_s: float = 0.0, queue: Queue | None = None) -> None:
    """Send job ``job_id``'s message once ``session``'s transaction commits (never, if it rolls back)."""
    if _PENDING not in session.info:
        session.info[_PENDING] = []
        if not event.contains(session, "after_commit", _send_after_commit):
            event.listen(session, "after_commit", _send_after_commit)
            event.listen(session, "after_rollback", _drop_pending)
    bind = session.get_bind()
    session.info[_PENDING].append((queue or queue_for(bind.engine), job_id, delay_s))


def enqueue(session: Session, kind: str, *, team_id: int | None = None, ref: str | int | None = None,
            payload: dict[str, Any] | None = None, delay: timedelta = timedelta(0), clock: Clock = utc_now,
            queue: Queue | None = None) -> int:
    """Write a job row in the caller's transaction and return its id; its message goes out after the commit."""
    spec = registry.get(kind)
    now = clock()
    row = Job(kind=kind, team_id=team_id, ref=None if ref is None else str(ref), payload=payload or {},
              state="queued", attempts=0, max_attempts=spec.max_attempts if spec else 6, run_after=now + delay,
              enqueued_at=now + delay)
    session.add(row)
    session.flush()
    send_after_commit(session, row.id, delay_s=delay.total_seconds(), queue=queue)
    return row.id


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    team_id: int | None
    ref: str | None
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


def claim(uow: UnitOfWork, job_id: int, *, clock: Clock = utc_now) -> Claimed | None:
    """Take a due queued job for this runner (``queued`` → ``running``); None when another runner has it, it is
    not due yet, or it is finished or cancelled."""
    now = clock()
    with uow:
        uow.writing()
        done = uow.session.execute(
            update(Job).where(Job.id == job_id, Job.state == "queued", Job.run_after <= now)
            .values(state="running", attempts=Job.attempts + 1, started_at=now, heartbeat_at=now, finished_at=None)
            .execution_options(synchronize_session=False))
        if _rows(done) != 1:
            return None
        row = uow.session.execute(select(Job).where(Job.id == job_id)).scalar_one()
        claimed = Claimed(row.id, row.kind, row.team_id, row.ref, dict(row.payload or {}), row.attempts,
                          row.max_attempts)
        uow.commit()
    return claimed


def checkpoint(uow: UnitOfWork, job_id: int, *, clock: Clock = utc_now) -> bool:
    """Record that the job is alive; True when it is no longer ours to run (cancelled or taken back)."""
    with uow:
        uow.writing()
        done = uow.session.execute(update(Job).where(Job.id == job_id, Job.state == "running")
                                   .values(heartbeat_at=clock()).execution_options(synchronize_session=False))
        uow.commit()
    return _rows(done) != 1


def settle(uow: UnitOfWork, job: Claimed, *, error: str | None, retry: bool, every: timedelta | None,
           backoff_s: float, clock: Clock = utc_now) -> tuple[str, float]:
    """Record how a run ended; returns the new state and, when the job runs again, in how many seconds."""
    now = clock()
    values: dict[str, Any]
    delay = 0.0
    if every is not None:       # periodic: one row, due again
        delay = every.total_seconds()
        values = {"state": "queued", "attempts": 0, "last_error": error, "finished_at": now,
                  "run_after": now + every, "enqueued_at": now + every}
    elif error is None:
        values = {"state": "succeeded", "last_error": None, "finished_at": now}
    elif retry and job.attempts < job.max_attempts:
        delay = backoff_s
        later = now + timedelta(seconds=backoff_s)
        values = {"state": "queued", "last_error": error, "run_after": later, "enqueued_at": later}
    else:
        values = {"state": "failed", "last_error": error, "finished_at": now}
    with uow:
        uow.writing()
        done = uow.session.execute(update(Job).where(Job.id == job.id, Job.state == "running").values(**values)
                                   .execution_options(synchronize_session=False))
        uow.commit()
    if _rows(done) != 1:        # cancelled (or taken back) while it ran: that decision stands
        return "cancelled", 0.0
    return str(values["state"]), delay


def sweep(uow_factory: Callable[[], UnitOfWork], queue: Queue, *, stale: timedelta, clock: Clock = utc_now,
          grace: timedelta = SWEEP_GRACE, limit: int = 500) -> int:
    """Take back running jobs whose worker went silent, and re-send the message of every due queued job whose
    message is overdue (lost). Returns how many messages were sent. Safe to run on every worker at once."""
    now = clock()
    with uow_factory() as uow:
        uow.writing()
        silent = (Job.state == "running") & (Job.heartbeat_at < now - stale)
        reason = "The worker running this job stopped answering; it was taken back"
        uow.session.execute(update(Job).where(silent, Job.attempts >= Job.max_attempts)
                            .values(state="failed", last_error=reason, finished_at=now)
                            .execution_options(synchronize_session=False))
        uow.session.execute(update(Job).where(silent)
                            .values(state="queued", last_error=reason, run_after=now, enqueued_at=None)
                            .execution_options(synchronize_session=False))
        uow.commit()
    with uow_factory() as uow:
        uow.reading()
        due = uow.session.execute(
            select(Job.id, Job.enqueued_at).where(Job.state == "queued", Job.run_after <= now)
            .where((Job.enqueued_at.is_(None)) | (Job.enqueued_at < now - grace)).order_by(Job.id).limit(limit)
        ).all()
    sent = 0
    for job_id, seen in due:
        with uow_factory() as uow:
            uow.writing()
            same = Job.enqueued_at.is_(None) if seen is None else Job.enqueued_at == seen
            done = uow.session.execute(update(Job).where(Job.id == job_id, Job.state == "queued", same)
                                       .values(enqueued_at=now).execution_options(synchronize_session=False))
            uow.commit()
        if _rows(done) == 1:    # this sweeper won the row: no other sweeper sends it too
            queue.send(job_id)
            sent += 1
    return sent


def ensure_periodic(uow_factory: Callable[[], UnitOfWork], *, clock: Clock = utc_now) -> list[int]:
    """One row per registered periodic kind (created due now when missing); returns the new rows' ids."""
    made: list[int] = []
    for spec in registry.all_specs():
        if spec.every is None:
            continue
        key = f"periodic:{spec.kind}"
        with uow_factory() as uow:
            uow.writing()
            if uow.session.execute(select(Job.id).where(Job.unique_key == key)).first():
                continue
            now = clock()
            row = Job(kind=spec.kind, unique_key=key, payload={}, state="queued", attempts=0,
                      max_attempts=spec.max_attempts, run_after=now, enqueued_at=None)
            uow.session.add(row)
            try:
                uow.session.flush()
                uow.commit()
            except IntegrityError:  # another worker made it first
                continue
            made.append(row.id)
    return made


def wake(session: Session, kind: str, *, clock: Clock = utc_now, queue: Queue | None = None) -> int | None:
    """Run periodic job ``kind`` as soon as possible (e.g. the outbox drain after Send), after the caller's commit.
    Returns its id, or None when no worker has created its row yet (the first worker runs it at once anyway)."""
    now = clock()
    row = session.execute(select(Job.id, Job.state).where(Job.unique_key == f"periodic:{kind}")).first()
    if row is None:
        return None
    if row.state == "queued":
        session.execute(update(Job).where(Job.id == row.id, Job.state == "queued")
                        .values(run_after=now, enqueued_at=now).execution_options(synchronize_session=False))
        send_after_commit(session, row.id, queue=queue)
    return int(row.id)


def job_dict(row: Job) -> dict[str, Any]:
    cols = ("id", "kind", "team_id", "ref", "state", "attempts", "max_attempts", "last_error", "run_after",
            "created_at", "started_at", "finished_at", "heartbeat_at")
    d = {c: getattr(row, c) for c in cols}
    for c in ("run_after", "created_at", "started_at", "finished_at", "heartbeat_at"):
        d[c] = aware(d[c])
    d["periodic"] = row.unique_key is not None and row.unique_key.startswith("periodic:")
    return d


def list_jobs(uow: UnitOfWork, *, team_id: int | None = None, states: tuple[str, ...] | None = None,
              limit: int = 100) -> list[dict[str, Any]]:
    """Jobs newest first (a team's own plus the shared periodic ones, when ``team_id`` is given)."""
    q = select(Job).order_by(Job.id.desc()).limit(limit)
    if team_id is not None:
        q = q.where((Job.team_id == team_id) | Job.team_id.is_(None))
    if states:
        q = q.where(Job.state.in_(states))
    with uow:
        uow.reading()
        return [job_dict(r) for r in uow.session.scalars(q)]


def get_job(uow: UnitOfWork, job_id: int, *, team_id: int | None = None) -> dict[str, Any]:
    with uow:
        row = uow.session.get(Job, job_id)
        if row is None or (team_id is not None and row.team_id not in (team_id, None)):
            raise NotFound(f"Job {job_id} was not found")
        return job_dict(row)


def retry(uow: UnitOfWork, job_id: int, *, team_id: int | None = None, clock: Clock = utc_now,
          queue: Queue | None = None) -> dict[str, Any]:
    """Run a failed or cancelled job again now, with a fresh set of attempts."""
    get_job(uow, job_id, team_id=team_id)
    now = clock()
    with uow:
        uow.writing()
        done = uow.session.execute(
            update(Job).where(Job.id == job_id, Job.state.in_(("failed", "cancelled")))
            .values(state="queued", attempts=0, run_after=now, enqueued_at=now, finished_at=None)
            .execution_options(synchronize_session=False))
        if _rows(done) != 1:
            raise NotFound(f"Job {job_id} is not failed or cancelled, so there is nothing to retry")
        send_after_commit(uow.session, job_id, queue=queue)
        uow.commit()
    return get_job(uow, job_id)


def cancel(uow: UnitOfWork, job_id: int, *, team_id: int | None = None, clock: Clock = utc_now) -> dict[str, Any]:
    """Cancel a queued or running job: a queued one never starts, a running one stops at its next checkpoint."""
    get_job(uow, job_id, team_id=team_id)
    with uow:
        uow.writing()
        done = uow.session.execute(update(Job).where(Job.id == job_id, Job.state.in_(ACTIVE))
                                   .values(state="cancelled", finished_at=clock())
                                   .execution_options(synchronize_session=False))
        if _rows(done) != 1:
            raise NotFound(f"Job {job_id} has already finished, so it cannot be cancelled")
        uow.commit()
    return get_job(uow, job_id)
