"""The durable queue and the background worker behind ASYNC triggers.

An ASYNC trigger stores each input in the queue, a SQLite file, and commits it
before the gateway acknowledges the request. A worker thread takes the oldest
inputs, runs the detector and writes one row per input and model to each data
destination of the recipe, then deletes the inputs from the queue.

Durability rests on three facts:

- an input leaves the queue only after its rows are committed in every destination;
- a row's ``_airbyte_ab_id`` derives from the index and the model and a row with an
  existing id is skipped, so an input processed twice (after a crash between the
  write and the delete) still gives one row;
- the queue keeps a copy of the recipe, so inputs still reach their destination
  after the pipeline is deleted or the gateway restarts.

A destination that fails (server down, disk full) keeps its inputs in the queue,
and the worker tries them again after a delay that doubles up to
``MAX_RETRY_DELAY``. Other inputs are not held up meanwhile.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from vdp101.gateway.destinations import (
    Destination,
    DestinationError,
    DestinationRow,
    open_destination,
    redact_recipe,
    row_id,
)
from vdp101.gateway.errors import GrpcCode
from vdp101.gateway.images import ImageDecodeError, ImageFetchError, decode_image, fetch_image_bytes
from vdp101.gateway.recipes import SYNC_DESTINATION_PROTOCOLS, component_kind, model_names

__all__ = [
    "QUEUE_FILE",
    "AsyncQueue",
    "AsyncWorker",
    "QueuedInput",
    "data_destinations",
]

logger = logging.getLogger(__name__)

QUEUE_FILE = "async_queue.sqlite3"
"""Name of the queue file inside the gateway's data folder."""

BATCH_SIZE = 16
"""Largest number of inputs the worker takes from the queue at once."""

FIRST_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 30.0
"""Seconds before an input whose destination failed is tried again: the first
delay, doubled after each failure up to this maximum."""

IDLE_WAIT = 5.0
"""Maximum time, in seconds, the worker sleeps when the queue is empty. A trigger
wakes it at once; this bounds the wait should a wake-up be missed."""


class Detector(Protocol):
    """Interface of the detection model that the worker calls."""

    def detect(self, image: Any) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class QueuedInput:
    """One accepted input of an ASYNC trigger, waiting for the worker.

    Attributes:
        index: the data mapping index (a ULID) returned to the client.
        pipeline_name: ``pipelines/{id}`` at trigger time.
        recipe: the pipeline's recipe at trigger time.
        source: how the client sent the image, for error messages ("file 'a.png'").
        image_bytes: the encoded image, or None when ``image_url`` is set.
        image_url: an http(s) URL to fetch, or None when ``image_bytes`` is set.
    """

    index: str
    pipeline_name: str
    recipe: dict[str, Any]
    source: str
    image_bytes: bytes | None = None
    image_url: str | None = None


class AsyncQueue:
    """Inputs accepted by ASYNC triggers, stored in a SQLite file. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30.0)
        self._connection.execute("PRAGMA journal_mode=WAL")
        # FULL makes each commit durable before the trigger is acknowledged.
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS queued_inputs ("
            "seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "data_index TEXT NOT NULL UNIQUE, "
            "pipeline_name TEXT NOT NULL, "
            "recipe TEXT NOT NULL, "
            "source TEXT NOT NULL, "
            "image_bytes BLOB, "
            "image_url TEXT, "
            "accepted_at TEXT NOT NULL, "
            "attempts INTEGER NOT NULL DEFAULT 0, "
            "next_attempt REAL NOT NULL DEFAULT 0)"
        )

    def put(self, items: Sequence[QueuedInput]) -> None:
        """Store ``items`` in one transaction; when this returns they survive a crash."""
        accepted_at = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        values = [
            (
                item.index,
                item.pipeline_name,
                json.dumps(item.recipe),
                item.source,
                item.image_bytes,
                item.image_url,
                accepted_at,
            )
            for item in items
        ]
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                self._connection.executemany(
                    "INSERT INTO queued_inputs "
                    "(data_index, pipeline_name, recipe, source, image_bytes, image_url, accepted_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def due(self, limit: int, *, now: float | None = None) -> list[QueuedInput]:
        """Return up to ``limit`` of the oldest inputs that are not waiting for a retry."""
        moment = time.time() if now is None else now
        with self._lock:
            rows = self._connection.execute(
                "SELECT data_index, pipeline_name, recipe, source, image_bytes, image_url "
                "FROM queued_inputs WHERE next_attempt <= ? ORDER BY seq LIMIT ?",
                (moment, limit),
            ).fetchall()
        return [
            QueuedInput(index, pipeline_name, json.loads(recipe), source, image_bytes, image_url)
            for index, pipeline_name, recipe, source, image_bytes, image_url in rows
        ]

    def remove(self, indices: Iterable[str]) -> None:
        """Delete the inputs with these indices; unknown indices are ignored."""
        with self._lock:
            self._connection.executemany(
                "DELETE FROM queued_inputs WHERE data_index = ?", [(index,) for index in indices]
            )

    def postpone(self, indices: Iterable[str], *, now: float | None = None) -> float:
        """Count a failed attempt for these inputs and schedule their next one.

        Returns:
            The delay, in seconds, of the input that waits longest.
        """
        moment = time.time() if now is None else now
        longest = 0.0
        with self._lock:
            for index in indices:
                row = self._connection.execute(
                    "SELECT attempts FROM queued_inputs WHERE data_index = ?", (index,)
                ).fetchone()
                if row is None:
                    continue
                attempts = row[0] + 1
                delay = min(MAX_RETRY_DELAY, FIRST_RETRY_DELAY * 2 ** (attempts - 1))
                longest = max(longest, delay)
                self._connection.execute(
                    "UPDATE queued_inputs SET attempts = ?, next_attempt = ? WHERE data_index = ?",
                    (attempts, moment + delay, index),
                )
        return longest

    def seconds_until_due(self, *, now: float | None = None) -> float | None:
        """Return how long until the next input is due: 0 if one is due now, None if the queue is empty."""
        moment = time.time() if now is None else now
        with self._lock:
            (earliest,) = self._connection.execute("SELECT MIN(next_attempt) FROM queued_inputs").fetchone()
        if earliest is None:
            return None
        return max(0.0, earliest - moment)

    def count(self) -> int:
        """Return the number of queued inputs."""
        with self._lock:
            (count,) = self._connection.execute("SELECT COUNT(*) FROM queued_inputs").fetchone()
        return int(count)

    def indices(self) -> list[str]:
        """Return the indices of the queued inputs, oldest first."""
        with self._lock:
            rows = self._connection.execute("SELECT data_index FROM queued_inputs ORDER BY seq").fetchall()
        return [index for (index,) in rows]

    def close(self) -> None:
        """Close the file. Later calls raise sqlite3.ProgrammingError."""
        with self._lock:
            self._connection.close()


def data_destinations(recipe: Mapping[str, Any], *, sqlite_path: Path) -> list[tuple[str, Destination]]:
    """Return ``(component id, destination)`` for each data destination of ``recipe``.

    HTTP and gRPC destinations, which belong to SYNC pipelines, are skipped.

    Raises:
        DestinationConfigError: a component's metadata is invalid.
    """
    destinations = []
    for component in recipe.get("components", []):
        resource_name = component.get("resource_name", "")
        if component_kind(resource_name) != "destination" or resource_name in SYNC_DESTINATION_PROTOCOLS:
            continue
        destinations.append((str(component.get("id", "")), open_destination(component, sqlite_path=sqlite_path)))
    return destinations


class AsyncWorker:
    """Thread that turns queued inputs into destination rows.

    Args:
        queue: the queue to drain.
        detector: returns the detector to run. It is called once per batch, so a
            detector replaced on the app's state is used from the next batch on.
        sqlite_path: the SQLite destination file for components without a database URL.
        fetch_timeout: seconds to wait for an ``image_url`` server.
        public_image_urls_only: fetch image URLs on public addresses only, as a gateway
            that other machines can reach does. A URL that leads elsewhere, for
            example through a redirect, gets an error row.
    """

    def __init__(
        self,
        queue: AsyncQueue,
        *,
        detector: Callable[[], Detector],
        sqlite_path: Path,
        fetch_timeout: float = 10.0,
        public_image_urls_only: bool = False,
    ) -> None:
        self.queue = queue
        self.sqlite_path = Path(sqlite_path)
        self._detector = detector
        self._fetch_timeout = fetch_timeout
        self._public_image_urls_only = public_image_urls_only
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._prepared: set[str] = set()

    @property
    def stopping(self) -> threading.Event:
        """Event set once ``stop`` is called; the worker ends after its current batch."""
        return self._stopping

    def start(self) -> None:
        """Start the worker thread; inputs left in the queue by an earlier run are processed first."""
        if self._thread is not None:
            return
        waiting = self.queue.count()
        if waiting:
            logger.info("Resuming %d queued ASYNC inputs from %s", waiting, self.queue.path)
        self._thread = threading.Thread(target=self._run, name="vdp101-async-worker", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        """Wake the worker because new inputs were queued."""
        self._wake.set()

    def stop(self, *, drain_timeout: float = 0.0, join_timeout: float = 30.0) -> int:
        """Stop the worker thread.

        Args:
            drain_timeout: seconds to keep processing until the queue is empty; 0 stops
                after the current batch and leaves the rest queued for the next start.
            join_timeout: seconds to wait for the current batch to finish.

        Returns:
            The number of inputs still queued.
        """
        deadline = time.monotonic() + drain_timeout
        while drain_timeout > 0 and time.monotonic() < deadline and self.queue.count() > 0:
            self._wake.set()
            time.sleep(0.05)

        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(join_timeout)
            if self._thread.is_alive():
                logger.warning(
                    "The ASYNC worker did not finish its batch within %.0f s; its inputs stay queued in %s",
                    join_timeout,
                    self.queue.path,
                )
        left = self.queue.count()
        if left:
            logger.info("Stopped the ASYNC worker with %d inputs still queued in %s", left, self.queue.path)
        return left

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                processed = self.process_batch()
            except sqlite3.ProgrammingError:
                # The queue was closed under the thread during shutdown.
                return
            except Exception:
                logger.exception("The ASYNC worker failed on a batch from %s; retrying", self.queue.path)
                self._stopping.wait(FIRST_RETRY_DELAY)
                continue
            if processed:
                continue
            delay = self.queue.seconds_until_due()
            self._wake.wait(IDLE_WAIT if delay is None else min(delay, IDLE_WAIT))

    def process_batch(self) -> int:
        """Process the oldest due inputs, up to ``BATCH_SIZE``.

        Returns:
            How many inputs were taken from the queue, whether they were written or
            postponed because a destination failed.
        """
        items = self.queue.due(BATCH_SIZE)
        if not items:
            return 0
        detector = self._detector()

        # Rows are grouped per database, so each database gets one transaction per batch.
        pending: dict[str, tuple[Destination, list[DestinationRow], set[str]]] = {}
        failed: dict[str, str] = {}
        for item in items:
            try:
                destinations = data_destinations(item.recipe, sqlite_path=self.sqlite_path)
            except DestinationError as error:
                # Recipes are checked when their pipeline is created, so only a change
                # of the gateway's code gets here. The input stays queued meanwhile.
                failed[item.index] = str(error)
                continue
            rows = self._rows_for(item, detector)
            for _, destination in destinations:
                _, destination_rows, indices = pending.setdefault(destination.key, (destination, [], set()))
                destination_rows.extend(rows)
                indices.add(item.index)

        for destination, rows, indices in pending.values():
            try:
                self._prepare(destination)
                inserted = destination.write(rows)
            except DestinationError as error:
                for index in indices:
                    failed[index] = str(error)
                continue
            logger.debug("Wrote %d new rows of %d to the %s", inserted, len(rows), destination.description)

        if failed:
            delay = self.queue.postpone(failed)
            first_error = next(iter(failed.values()))
            logger.warning(
                "%d ASYNC inputs stay queued and are retried in %.1f s: %s", len(failed), delay, first_error
            )
        self.queue.remove(item.index for item in items if item.index not in failed)
        return len(items)

    def _prepare(self, destination: Destination) -> None:
        if destination.key in self._prepared:
            return
        destination.check()
        self._prepared.add(destination.key)

    def _rows_for(self, item: QueuedInput, detector: Detector) -> list[DestinationRow]:
        detection: dict[str, Any] | None = None
        error: dict[str, Any] | None = None
        try:
            objects = detector.detect(self._load_image(item))
            detection = {"objects": objects}
        except (ImageDecodeError, ImageFetchError) as image_error:
            logger.info("ASYNC input %s of %s failed: %s", item.index, item.pipeline_name, image_error)
            error = {"code": int(GrpcCode.FAILED_PRECONDITION), "message": str(image_error)}
        except Exception as detector_error:
            logger.exception("The detector failed on ASYNC input %s of %s", item.index, item.pipeline_name)
            error = {
                "code": int(GrpcCode.INTERNAL),
                "message": f"The model failed on {item.source}: {detector_error}",
            }

        pipeline = {"name": item.pipeline_name, "recipe": redact_recipe(item.recipe)}
        rows = []
        for model in model_names(item.recipe):
            data: dict[str, Any] = {"index": item.index, "model": model, "pipeline": pipeline, "detection": detection}
            if error is not None:
                data["error"] = error
            rows.append(DestinationRow(row_id(item.index, model), data))
        return rows

    def _load_image(self, item: QueuedInput) -> Any:
        if item.image_bytes is not None:
            return decode_image(item.image_bytes, source=item.source)
        if item.image_url is None:
            raise ImageDecodeError(f"{item.source} has neither image bytes nor an image URL.")
        data = fetch_image_bytes(
            item.image_url, timeout=self._fetch_timeout, public_only=self._public_image_urls_only
        )
        return decode_image(data, source=item.source)
