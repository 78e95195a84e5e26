"""Loading what a reference names, and following it: an alias or stage is re-resolved every
poll; a new version is fetched and loaded while the old one keeps answering, then swapped in.

A failed load keeps the old model, logs one line and is tried again on the next poll; an alias
or stage that names nothing any more keeps the model it had (with one warning until it is back).
Deployment records (STARTED once a model can answer, STOPPED when it is swapped out or the
process stops) go through the Recorder, which never stops serving.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import anyio

from modelreg.client import ClientError, RegistryClient, VersionMissing
from modelreg.serving.app import ServingState
from modelreg.serving.fetch import fetch_version, model_root
from modelreg.serving.holder import Loaded, Slot
from modelreg.serving.loading import load_pyfunc
from modelreg.serving.reference import Reference
from modelreg.serving.resolve import Recorder, Resolved, resolve

logger = logging.getLogger("modelreg.serving")


@dataclass
class Followed:
    """A slot and the reference it serves."""

    slot: Slot
    reference: Reference
    missing_warned: bool = False


class Runner:
    """Fills the slots of a ServingState and keeps them following their references."""

    def __init__(
        self,
        client: RegistryClient,
        state: ServingState,
        references: dict[str, Reference],
        *,
        cache_dir: Path,
        recorder: Recorder,
    ) -> None:
        self.client = client
        self.state = state
        self.cache_dir = cache_dir
        self.recorder = recorder
        slots = [state.primary] + ([state.canary] if state.canary else [])
        self.followed = [Followed(slot, references[slot.role]) for slot in slots]

    def load(self, version: Resolved, reference: Reference, role: str) -> Loaded:
        """Fetches (or reuses) and loads one version (blocking)."""
        folder, _ = fetch_version(self.client, version, self.cache_dir)
        try:
            model, schema = load_pyfunc(model_root(folder))
        except ClientError:
            raise
        except Exception as exc:  # the model's flavor code: report it in one line
            reason = " ".join(str(exc).split())[:300]
            raise ClientError(
                f"MLflow could not load version {version.version}: {type(exc).__name__}: {reason}"
            ) from None
        return Loaded(version=version, reference=str(reference), role=role, model=model,
                      schema=schema)  # fmt: skip

    def start(self) -> None:
        """Loads every slot once (blocking); a failure here is raised (nothing to serve yet)."""
        for followed in self.followed:
            version = resolve(self.client, followed.reference)
            loaded = self.load(version, followed.reference, followed.slot.role)
            followed.slot.swap(loaded)

    def record_started(self) -> None:
        """STARTED for every loaded slot: call once the server answers (blocking)."""
        for followed in self.followed:
            if (loaded := followed.slot.current) is not None:
                self.recorder.record("STARTED", loaded.version, loaded.reference, loaded.role)

    def record_stopped(self) -> None:
        """STOPPED for every version served, once each, on shutdown (blocking)."""
        stopped: set[str] = set()
        for followed in self.followed:
            loaded = followed.slot.current
            if loaded is not None and loaded.version.id not in stopped:
                stopped.add(loaded.version.id)
                self.recorder.record("STOPPED", loaded.version, loaded.reference, loaded.role)

    def _still_served(self, version_id: str) -> bool:
        return any(
            f.slot.current is not None and f.slot.current.version.id == version_id
            for f in self.followed
        )

    def poll(self) -> list[Loaded]:
        """Re-resolves every followed reference once and swaps in what changed (blocking);
        returns the models swapped in."""
        swapped = []
        for followed in self.followed:
            if not followed.reference.follows:
                continue
            loaded = self._poll_one(followed)
            if loaded is not None:
                swapped.append(loaded)
        return swapped

    def _poll_one(self, followed: Followed) -> Loaded | None:
        slot, reference = followed.slot, followed.reference
        try:
            version = resolve(self.client, reference)
        except VersionMissing as exc:
            if not followed.missing_warned:
                followed.missing_warned = True
                logger.warning("%s names no version any more (%s); still serving what it had",
                               reference, exc.message)  # fmt: skip
            return None
        except ClientError as exc:
            logger.warning("could not ask the registry about %s: %s", reference, exc.message)
            return None
        followed.missing_warned = False
        current = slot.current
        if current is not None and current.version.id == version.id:
            return None
        try:
            loaded = self.load(version, reference, slot.role)
        except ClientError as exc:
            logger.warning("%s now names version %s, which failed to load (%s); still serving "
                           "the old model, retrying on the next poll", reference, version.version,
                           exc.message)  # fmt: skip
            return None
        old = slot.swap(loaded)
        logger.info("%s: now serving version %s", reference, version.version)
        # The deployment record is per (process, version): the other slot may still serve it.
        if old is not None and not self._still_served(old.version.id):
            self.recorder.record("STOPPED", old.version, old.reference, old.role)
        self.recorder.record("STARTED", loaded.version, loaded.reference, loaded.role)
        return loaded

    async def follow(self, poll_seconds: float) -> None:
        """Polls forever (until cancelled), each poll in a worker thread."""
        while True:
            await anyio.sleep(poll_seconds)
            await anyio.to_thread.run_sync(self.poll)
