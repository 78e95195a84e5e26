"""The mail worker: one per server process, started and stopped by the app.

It loops: take `db.outbox.waiter()`, then `run_once` — claim due mail jobs (`services/
mail_outbox.py`), decide each job's recipients now, send over one SMTP connection (aiosmtplib),
record the outcome — and send the digests that came due; then sleep until this process commits
outbox rows or the poll interval passes. A job some mail of which failed for a passing reason
(server down, 4xx, timeout) is retried with backoff and mails only the recipients not yet mailed;
a permanent refusal of one address (5xx) is logged and not retried.

With no `smtp_host` mail is off: the worker then only deletes queued jobs, so they do not pile
up. The clock is injectable, so tests can move the UTC day on and see the digest go out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from email.message import EmailMessage

import aiosmtplib

from modelreg.db import Database
from modelreg.db.types import utcnow
from modelreg.services import mail, mail_outbox, unsubscribe
from modelreg.services.mail_outbox import Clock, Kind, Outgoing, Plan
from modelreg.settings import Settings

logger = logging.getLogger("modelreg.mail")

POLL_SECONDS = 5.0
SMTP_TIMEOUT_SECONDS = 30.0


class SmtpSender:
    """Opens an SMTP connection as the settings say; the password never reaches a log."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[aiosmtplib.SMTP]:
        s = self._settings
        password = s.smtp_password.get_secret_value()
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=password if s.smtp_username else None,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",
            timeout=SMTP_TIMEOUT_SECONDS,
        )
        async with client:
            yield client


def _permanent(error: Exception) -> bool:
    """A refusal of this one mail (bad address, 5xx): retrying would not help."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(r.code >= 500 for r in error.recipients)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return not isinstance(error, aiosmtplib.SMTPServerDisconnected) and error.code >= 500
    return False


class MailWorker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        clock: Clock = utcnow,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._poll = poll_seconds
        self._sender = SmtpSender(settings)
        self._public_url = settings.public_url.rstrip("/")
        self._task: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._settings.smtp_host)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="mail-worker")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            waiter = self._db.outbox.waiter()
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("mail worker round failed; trying again", exc_info=True)
                busy = 0
            if busy:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), self._poll)

    async def run_once(self) -> int:
        """One round: how many jobs and digests it dealt with (0: nothing was due). Each step
        looks first with a read, so an idle worker never takes SQLite's writer queue."""
        now = self._clock()
        async with self._db.read() as session:
            queued = await mail_outbox.has_jobs(session, due_by=now if self.enabled else None)
        if not self.enabled:
            if not queued:
                return 0
            async with self._db.begin() as session:
                return await mail_outbox.purge_jobs(session)
        job_ids: list[int] = []
        if queued:
            async with self._db.begin() as session:
                job_ids = await mail_outbox.claim_jobs(session, now=now)
        for job_id in job_ids:
            await self._job(job_id)
        return len(job_ids) + await self._digests()

    async def _key(self) -> bytes:
        async with self._db.begin() as session:
            return await unsubscribe.signing_key(session)

    def _envelope(self, key: bytes, *, to: str, user_id: int, model_id: int) -> mail.Envelope:
        token = unsubscribe.make_token(key, user_id=user_id, model_id=model_id)
        return mail.Envelope(
            mail_from=self._settings.mail_from,
            to=to,
            public_url=self._public_url,
            unsubscribe_url=f"{self._public_url}/unsubscribe/{token}",
        )

    def _compose(self, key: bytes, plan: Plan, out: Outgoing, today: str) -> EmailMessage:
        assert plan.subject is not None
        r = out.recipient
        if out.kind is Kind.LIMIT:
            envelope = self._envelope(key, to=r.email, user_id=r.user_id, model_id=0)
            return mail.limit_reached(
                cap=self._settings.mail_daily_cap, day=today, envelope=envelope
            )
        envelope = self._envelope(
            key, to=r.email, user_id=r.user_id, model_id=plan.subject.model_id or 0
        )
        return mail.notification(plan.subject, reason=r.reason, envelope=envelope)

    async def _job(self, job_id: int) -> None:
        now = self._clock()
        async with self._db.begin() as session:
            plan = await mail_outbox.plan_job(
                session, job_id=job_id, cap=self._settings.mail_daily_cap, now=now
            )
        if plan is None:
            return
        sent: list[Outgoing] = []
        failed: list[Outgoing] = []
        if plan.outgoing:
            key = await self._key()
            today = now.date().isoformat()
            messages = [(out, self._compose(key, plan, out, today)) for out in plan.outgoing]
            sent, failed = await self._send_all(messages, job_id=job_id)
        async with self._db.begin() as session:
            finished = await mail_outbox.finish_job(
                session, plan=plan, sent=sent, failed=failed, now=now
            )
        if failed and finished:
            logger.error(
                "mail job %s given up after %s attempts; %s recipient(s) not mailed",
                job_id,
                plan.attempts,
                len(failed),
            )

    async def _send_all(
        self, messages: Sequence[tuple[Outgoing, EmailMessage]], *, job_id: int
    ) -> tuple[list[Outgoing], list[Outgoing]]:
        """Send over one connection. (dealt with, to retry)."""
        done: list[Outgoing] = []
        try:
            async with self._sender.connect() as client:
                for out, message in messages:
                    try:
                        await client.send_message(message)
                    except (
                        aiosmtplib.SMTPRecipientsRefused,
                        aiosmtplib.SMTPResponseException,
                    ) as e:
                        if not _permanent(e):
                            raise
                        logger.warning(
                            "mail to user %s refused for good (%s); not retried",
                            out.recipient.user_id,
                            type(e).__name__,
                        )
                    done.append(out)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            logger.warning(
                "mail job %s: SMTP failed (%s); %s mail(s) will be retried",
                job_id,
                type(error).__name__,
                len(messages) - len(done),
            )
        rest = [out for out, _ in messages[len(done) :]]
        return done, rest

    async def _digests(self) -> int:
        """Send the digests due today; how many went (0 when none, or SMTP is down)."""
        today = self._clock().date()
        async with self._db.read() as session:
            users = await mail_outbox.due_digests(session, today=today)
        sent = 0
        for user_id in users:
            async with self._db.read() as session:
                digest = await mail_outbox.load_digest(session, user_id=user_id, today=today)
            if digest is None:
                continue
            if digest.entries:
                key = await self._key()
                envelope = self._envelope(key, to=digest.email, user_id=user_id, model_id=0)
                message = mail.digest(digest.entries, day=digest.day, envelope=envelope)
                try:
                    async with self._sender.connect() as client:
                        await client.send_message(message)
                except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
                    if not _permanent(error):
                        logger.warning(
                            "digest for user %s not sent (%s); trying again later",
                            user_id,
                            type(error).__name__,
                        )
                        return sent  # the items stay; the next round tries again
            async with self._db.begin() as session:
                await mail_outbox.finish_digest(session, item_ids=digest.item_ids)
            sent += 1
        return sent
