"""Composing notification mail: plain text plus simple HTML, with a one-click unsubscribe.

Pure apart from reading the clock for the `Date` header: the mail worker (`events/`) gathers
what a mail is about (`Subject`), who gets it and why, and sends what these functions build.
Every mail says what happened, by whom, on which version, model and project, links to it,
says why the recipient gets it, and carries `List-Unsubscribe` + `List-Unsubscribe-Post`
(RFC 8058) so mail clients offer a one-click unsubscribe.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import quote

from modelreg.db.types import utcnow
from modelreg.domain.events import EventType

_SPACE = re.compile(r"\s+")
# A comment or request comment quoted in a mail is cut to this many characters.
EXCERPT = 1000


def _enc(part: str) -> str:
    return quote(part, safe="")


@dataclass(frozen=True, slots=True)
class Subject:
    """What an event is about, read when the mail is sent."""

    event_id: int
    type: str
    actor: str
    payload: dict[str, Any]
    project_path: str
    project_name: str
    model_id: int | None
    model_name: str
    version: str  # SemVer string; "" when the event concerns no version

    def path(self) -> str:
        """The web app's path of the version (or model, or project)."""
        path = f"/projects/{_enc(self.project_path)}"
        if self.model_name:
            path += f"/models/{_enc(self.model_name)}"
            if self.version:
                path += f"/versions/{_enc(self.version)}"
        return path

    def where(self) -> str:
        """`version 1.2.0 of churn in demo`."""
        place = f"project {self.project_name or self.project_path}"
        if self.model_name:
            place = f"{self.model_name} in {place}"
            if self.version:
                place = f"version {self.version} of {place}"
        return place


def _stage(value: object) -> str:
    return str(value).capitalize() if value else "?"


def describe(subject: Subject) -> tuple[str, str]:
    """A short headline (for the `Subject:`) and a sentence, both naming the actor."""
    p, who = subject.payload, subject.actor
    what = subject.where()
    lines: dict[str, tuple[str, str]] = {
        EventType.VERSION_CREATED.value: (
            f"New version {subject.version} of {subject.model_name}",
            f"{who} created {what}.",
        ),
        EventType.TRANSITION_REQUESTED.value: (
            f"{subject.model_name} {subject.version}: transition to {_stage(p.get('to'))} "
            "requested",
            f"{who} requested moving {what} from {_stage(p.get('from'))} to {_stage(p.get('to'))}.",
        ),
        EventType.TRANSITION_APPROVED.value: (
            f"{subject.model_name} {subject.version}: transition to {_stage(p.get('to'))} approved",
            f"{who} approved {p.get('requester', 'someone')}'s request to move {what} to "
            f"{_stage(p.get('to'))}.",
        ),
        EventType.TRANSITION_REJECTED.value: (
            f"{subject.model_name} {subject.version}: transition to {_stage(p.get('to'))} rejected",
            f"{who} rejected {p.get('requester', 'someone')}'s request to move {what} to "
            f"{_stage(p.get('to'))}.",
        ),
        EventType.TRANSITION_CANCELLED.value: (
            f"{subject.model_name} {subject.version}: transition request cancelled",
            f"{who} cancelled the request to move {what} to {_stage(p.get('to'))}.",
        ),
        EventType.VERSION_STAGE_CHANGED.value: (
            f"{subject.model_name} {subject.version} moved to {_stage(p.get('to'))}",
            f"{who} moved {what} from {_stage(p.get('from'))} to {_stage(p.get('to'))}.",
        ),
        EventType.COMMENT_ADDED.value: (
            f"{who} commented on {subject.model_name} {subject.version}",
            f"{who} commented on {what}.",
        ),
        EventType.WEBHOOK_DISABLED.value: (
            f"Webhook disabled in {subject.project_path}",
            f"A webhook of {what} ({p.get('url', '')}) was disabled after repeated failed "
            "deliveries; fix the receiver and enable it again in the project's webhook settings.",
        ),
    }
    headline, sentence = lines.get(
        subject.type, (f"{subject.type} in {what}", f"{who}: {subject.type} in {what}.")
    )
    return _SPACE.sub(" ", headline).strip()[:200], sentence


def _quoted(subject: Subject) -> str:
    """The comment the event carries (a comment's body, a request's or decision's comment)."""
    text = subject.payload.get("body") or subject.payload.get("comment") or ""
    text = str(text)
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


@dataclass(frozen=True, slots=True)
class Envelope:
    mail_from: str
    to: str
    public_url: str  # no trailing slash
    unsubscribe_url: str


def _message(envelope: Envelope, headline: str, text: str, body_html: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = envelope.mail_from
    message["To"] = envelope.to
    message["Subject"] = headline
    message["Date"] = format_datetime(utcnow())
    domain = envelope.mail_from.rpartition("@")[2] or "modelreg.invalid"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{envelope.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(
        f'<!doctype html><html><body style="font-family:sans-serif">{body_html}</body></html>',
        subtype="html",
    )
    return message


def _footer(reason: str, envelope: Envelope, what: str) -> tuple[str, str]:
    text = (
        f"\n--\nYou get this mail because {reason}.\n"
        f"Stop mail about {what}: {envelope.unsubscribe_url}\n"
    )
    markup = (
        f'<hr><p style="color:#666;font-size:12px">You get this mail because '
        f"{html.escape(reason)}. "
        f'<a href="{html.escape(envelope.unsubscribe_url)}">Stop mail about '
        f"{html.escape(what)}</a>.</p>"
    )
    return text, markup


def _mute_target(subject: Subject) -> str:
    return f"the model {subject.model_name}" if subject.model_name else "models of your projects"


def notification(subject: Subject, *, reason: str, envelope: Envelope) -> EmailMessage:
    """The mail for one event."""
    headline, sentence = describe(subject)
    link = envelope.public_url + subject.path()
    quoted = _quoted(subject)
    text = f"{sentence}\n\n"
    markup = f"<p>{html.escape(sentence)}</p>"
    if quoted:
        text += "".join(f"> {line}\n" for line in quoted.splitlines()) + "\n"
        markup += (
            '<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:8px;'
            f'white-space:pre-wrap">{html.escape(quoted)}</blockquote>'
        )
    text += f"Open it: {link}\n"
    markup += f'<p><a href="{html.escape(link)}">Open {html.escape(subject.where())}</a></p>'
    foot_text, foot_html = _footer(reason, envelope, _mute_target(subject))
    return _message(envelope, headline, text + foot_text, markup + foot_html)


def limit_reached(*, cap: int, day: str, envelope: Envelope) -> EmailMessage:
    """The one mail past the daily cap: the rest of today's mail comes in tomorrow's digest."""
    sentence = (
        f"You have received {cap} notification mails today ({day}, UTC), your daily limit. "
        "The notifications after this one are not lost: they arrive together in one digest "
        "mail tomorrow."
    )
    settings = envelope.public_url + "/-/user/notifications"
    text = f"{sentence}\n\nChange what you get mail about: {settings}\n"
    markup = (
        f"<p>{html.escape(sentence)}</p>"
        f'<p><a href="{html.escape(settings)}">Change what you get mail about</a></p>'
    )
    foot_text, foot_html = _footer(
        "you reached the daily limit of notification mails", envelope, "models of your projects"
    )
    return _message(
        envelope, "Daily notification limit reached", text + foot_text, markup + foot_html
    )


def digest(items: Sequence[tuple[Subject, str]], *, day: str, envelope: Envelope) -> EmailMessage:
    """One mail with every notification deferred on `day` past the daily cap."""
    text = f"Notifications of {day} (UTC) held back by your daily limit:\n\n"
    markup = f"<p>Notifications of {html.escape(day)} (UTC) held back by your daily limit:</p><ul>"
    for subject, reason in items:
        _, sentence = describe(subject)
        link = envelope.public_url + subject.path()
        text += f"- {sentence} ({reason})\n  {link}\n"
        markup += (
            f'<li>{html.escape(sentence)} <a href="{html.escape(link)}">Open</a> '
            f'<span style="color:#666">({html.escape(reason)})</span></li>'
        )
    markup += "</ul>"
    foot_text, foot_html = _footer(
        "notifications were held back by the daily limit", envelope, "models of your projects"
    )
    headline = f"Digest: {len(items)} notification{'s' if len(items) != 1 else ''} of {day}"
    return _message(envelope, headline, text + foot_text, markup + foot_html)
