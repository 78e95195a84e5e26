"""The loaded models and their atomic swap.

A request takes the `Loaded` a slot holds when it starts and keeps that object to the end, so a
swap (one attribute assignment) never changes the model under a request in flight; the old model
is dropped once its last request has finished with it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from modelreg.serving.resolve import Resolved


@dataclass(frozen=True, slots=True)
class Loaded:
    """A model ready to answer: which version, how it was asked for, and when it was loaded."""

    version: Resolved
    reference: str
    role: str
    model: Any
    schema: Any
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Whether the model's predict takes `params` (pyfunc models of older MLflow do not): read
    # once here, not on every request.
    accepts_params: bool = field(init=False)

    def __post_init__(self) -> None:
        takes = "params" in inspect.signature(self.model.predict).parameters
        object.__setattr__(self, "accepts_params", takes)

    def describe(self) -> dict[str, Any]:
        """What GET /version shows of it."""
        v = self.version
        return {
            "project": v.project,
            "model": v.model,
            "version": v.version,
            "number": v.number,
            "version_id": v.id,
            "reference": self.reference,
            "loaded_at": self.loaded_at.isoformat(timespec="seconds"),
        }


class Slot:
    """One followed reference (the primary, or the canary) and the model it serves now."""

    def __init__(self, role: str, reference: str) -> None:
        self.role = role
        self.reference = reference
        self.current: Loaded | None = None

    def swap(self, new: Loaded) -> Loaded | None:
        """Puts `new` in place; returns the model it replaced."""
        old, self.current = self.current, new
        return old
