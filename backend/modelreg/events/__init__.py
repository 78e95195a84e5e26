"""Following the append-only event log live (GraphQL subscriptions build on this), and the
background workers that deliver what events owe the outside world (webhooks)."""

from modelreg.db.after_commit import EventNotifier
from modelreg.events.follow import EventFollower, latest_event_id
from modelreg.events.webhook_worker import WebhookWorker

__all__ = ["EventFollower", "EventNotifier", "WebhookWorker", "latest_event_id"]
