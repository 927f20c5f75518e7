"""Pipeline storage: in memory, or in a SQLite file that survives a restart."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = [
    "DATABASE_FILE",
    "MemoryStore",
    "PipelineIdTakenError",
    "PipelineRecord",
    "PipelineStore",
    "SqliteStore",
    "StoreError",
    "open_store",
]

logger = logging.getLogger(__name__)

DATABASE_FILE = "pipelines.sqlite3"


@dataclass(frozen=True)
class PipelineRecord:
    """A stored pipeline. ``recipe`` contains the components as the client sent them."""

    uid: str
    id: str
    description: str
    recipe: dict[str, Any]
    mode: str
    state: str
    create_time: datetime
    update_time: datetime


class StoreError(Exception):
    """Base class of the store's errors."""


class PipelineIdTakenError(StoreError):
    """Another pipeline already has the id."""

    def __init__(self, pipeline_id: str) -> None:
        super().__init__(f"Pipeline id {pipeline_id!r} is already taken.")
        self.pipeline_id = pipeline_id


class PipelineStore:
    """Interface of the pipeline stores. All methods are thread-safe.

    ``created_new`` is True when the store did not exist before it was opened, so
    the gateway adds its example pipeline only once.
    """

    created_new: bool
    location: str

    def insert(self, record: PipelineRecord) -> None:
        """Add ``record``. Raises PipelineIdTakenError if its id is taken."""
        raise NotImplementedError

    def get(self, pipeline_id: str) -> PipelineRecord | None:
        raise NotImplementedError

    def get_by_uid(self, uid: str) -> PipelineRecord | None:
        raise NotImplementedError

    def all(self) -> list[PipelineRecord]:
        """Return every pipeline, in no particular order."""
        raise NotImplementedError

    def replace(self, old_id: str, record: PipelineRecord) -> None:
        """Store ``record`` in place of the pipeline ``old_id``; the ids may differ.

        Raises:
            KeyError: no pipeline has ``old_id``.
            PipelineIdTakenError: ``record.id`` belongs to another pipeline.
        """
        raise NotImplementedError

    def delete(self, pipeline_id: str) -> bool:
        """Delete the pipeline and return whether it existed."""
        raise NotImplementedError


class MemoryStore(PipelineStore):
    """Pipelines in a dict, lost when the process ends."""

    def __init__(self) -> None:
        self.created_new = True
        self.location = "memory"
        self._records: dict[str, PipelineRecord] = {}
        self._lock = threading.Lock()

    def insert(self, record: PipelineRecord) -> None:
        with self._lock:
            if record.id in self._records:
                raise PipelineIdTakenError(record.id)
            self._records[record.id] = record

    def get(self, pipeline_id: str) -> PipelineRecord | None:
        with self._lock:
            return self._records.get(pipeline_id)

    def get_by_uid(self, uid: str) -> PipelineRecord | None:
        with self._lock:
            return next((record for record in self._records.values() if record.uid == uid), None)

    def all(self) -> list[PipelineRecord]:
        with self._lock:
            return list(self._records.values())

    def replace(self, old_id: str, record: PipelineRecord) -> None:
        with self._lock:
            if old_id not in self._records:
                raise KeyError(old_id)
            if record.id != old_id and record.id in self._records:
                raise PipelineIdTakenError(record.id)
            del self._records[old_id]
            self._records[record.id] = record

    def delete(self, pipeline_id: str) -> bool:
        with self._lock:
            return self._records.pop(pipeline_id, None) is not None


_SCHEMA = """
CREATE TABLE pipelines (
    uid TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    recipe TEXT NOT NULL,
    mode TEXT NOT NULL,
    state TEXT NOT NULL,
    create_time TEXT NOT NULL,
    update_time TEXT NOT NULL
)
"""
_COLUMNS = "uid, id, description, recipe, mode, state, create_time, update_time"


class SqliteStore(PipelineStore):
    """Pipelines in the SQLite file ``data_dir/pipelines.sqlite3``.

    Each call opens its own connection, so the store works from any thread and
    several gateways may share the file.
    """

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DATABASE_FILE
        self.location = str(self.path)
        with self._transaction() as connection:
            # An immediate transaction keeps two gateways from creating the table at once.
            connection.execute("BEGIN IMMEDIATE")
            exists = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pipelines'"
            ).fetchone()
            if not exists:
                connection.execute(_SCHEMA)
        self.created_new = not exists
        logger.debug("Opened pipeline store %s (new: %s)", self.path, self.created_new)

    def _transaction(self) -> _Transaction:
        return _Transaction(self.path)

    def insert(self, record: PipelineRecord) -> None:
        with self._transaction() as connection:
            try:
                connection.execute(f"INSERT INTO pipelines ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _to_row(record))
            except sqlite3.IntegrityError as error:
                raise PipelineIdTakenError(record.id) from error

    def get(self, pipeline_id: str) -> PipelineRecord | None:
        return self._select_one("id", pipeline_id)

    def get_by_uid(self, uid: str) -> PipelineRecord | None:
        return self._select_one("uid", uid)

    def all(self) -> list[PipelineRecord]:
        with self._transaction() as connection:
            rows = connection.execute(f"SELECT {_COLUMNS} FROM pipelines").fetchall()
        return [_from_row(row) for row in rows]

    def replace(self, old_id: str, record: PipelineRecord) -> None:
        with self._transaction() as connection:
            try:
                cursor = connection.execute(
                    "UPDATE pipelines SET uid = ?, id = ?, description = ?, recipe = ?, mode = ?, "
                    "state = ?, create_time = ?, update_time = ? WHERE id = ?",
                    (*_to_row(record), old_id),
                )
            except sqlite3.IntegrityError as error:
                raise PipelineIdTakenError(record.id) from error
            if cursor.rowcount == 0:
                raise KeyError(old_id)

    def delete(self, pipeline_id: str) -> bool:
        with self._transaction() as connection:
            cursor = connection.execute("DELETE FROM pipelines WHERE id = ?", (pipeline_id,))
        return cursor.rowcount > 0

    def _select_one(self, column: str, value: str) -> PipelineRecord | None:
        with self._transaction() as connection:
            row = connection.execute(f"SELECT {_COLUMNS} FROM pipelines WHERE {column} = ?", (value,)).fetchone()
        return None if row is None else _from_row(row)


class _Transaction:
    """Open a connection, commit on success, roll back on error, then close it."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        self._connection = sqlite3.connect(self._path, timeout=10.0)
        return self._connection

    def __exit__(self, exc_type: object, *_: object) -> None:
        assert self._connection is not None
        with closing(self._connection):
            if exc_type is None:
                self._connection.commit()
            else:
                self._connection.rollback()


def _to_row(record: PipelineRecord) -> tuple[str, ...]:
    return (
        record.uid,
        record.id,
        record.description,
        json.dumps(record.recipe),
        record.mode,
        record.state,
        record.create_time.isoformat(),
        record.update_time.isoformat(),
    )


def _from_row(row: tuple[str, ...]) -> PipelineRecord:
    uid, pipeline_id, description, recipe, mode, state, create_time, update_time = row
    return PipelineRecord(
        uid=uid,
        id=pipeline_id,
        description=description,
        recipe=json.loads(recipe),
        mode=mode,
        state=state,
        create_time=_parse_time(create_time),
        update_time=_parse_time(update_time),
    )


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def open_store(data_dir: Path | None) -> PipelineStore:
    """Open the SQLite store in ``data_dir``, or an in-memory store when it is None."""
    if data_dir is None:
        return MemoryStore()
    return SqliteStore(Path(data_dir))
