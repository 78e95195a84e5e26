"""Following the append-only event log live (GraphQL subscriptions build on this)."""

from modelreg.db.after_commit import EventNotifier
from modelreg.events.follow import EventFollower, latest_event_id

__all__ = ["EventFollower", "EventNotifier", "latest_event_id"]
