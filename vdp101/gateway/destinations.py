"""Data destinations of ASYNC pipelines: the ``_airbyte_raw_vdp`` table.

An ASYNC pipeline writes one row per input and model into the table
``_airbyte_raw_vdp`` of its destination database, with the columns VDP's
Airbyte-based destination connectors use:

- ``_airbyte_ab_id``: a UUID, the row's primary key;
- ``_airbyte_data``: JSON ``{"index", "model", "pipeline": {"name", "recipe"},
  "detection": {"objects": [...]}}``; a row for an input that failed has
  ``"detection": null`` and ``"error": {"code", "message"}`` instead;
- ``_airbyte_emitted_at``: when the row was written, in UTC.

A destination component without a connection URL writes to a SQLite file in the
gateway's data folder. One with ``metadata.database_url`` set to a
``postgresql://`` URL writes to that PostgreSQL database. The same query,
``SELECT ... WHERE _airbyte_data->>'index' = ...``, works on both.

Rows are idempotent: ``_airbyte_ab_id`` is a UUID derived from the index and the
model, and a row whose id exists is left as it is, so writing a batch again after a
crash adds nothing.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = [
    "CONNECT_TIMEOUT",
    "DATABASE_URL_KEY",
    "POSTGRES_SCHEMES",
    "ROW_ID_NAMESPACE",
    "SQLITE_FILE",
    "TABLE_NAME",
    "Destination",
    "DestinationConfigError",
    "DestinationError",
    "DestinationRow",
    "DestinationUnavailableError",
    "PostgresDestination",
    "SqliteDestination",
    "open_destination",
    "redact_database_url",
    "redact_passwords",
    "redact_recipe",
    "row_id",
]

logger = logging.getLogger(__name__)

TABLE_NAME = "_airbyte_raw_vdp"
SQLITE_FILE = "destination.sqlite3"
"""Name of the SQLite destination file inside the gateway's data folder."""

DATABASE_URL_KEY = "database_url"
"""Key of a destination component's ``metadata`` that contains a PostgreSQL URL."""

POSTGRES_SCHEMES = ("postgresql://", "postgres://")

CONNECT_TIMEOUT = 3
"""Seconds to wait for a PostgreSQL server to accept a connection.
libpq rounds values below 2 up to 2."""

SQLITE_BUSY_TIMEOUT = 30.0
"""Seconds a SQLite writer waits for another connection's lock before failing."""

ROW_ID_NAMESPACE = uuid.UUID("5d0b6f0e-4a43-4c55-9a43-7f3c1d1b7a10")
"""Namespace of the UUID-5 row ids. Changing it would make old and new rows differ."""

_REDACTED = "****"
# A password in the query string of a URL, or in a libpq "key=value" connection string.
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)
_KEYWORD_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)", re.IGNORECASE)
_KEEP_KEY_REDACT_VALUE = rf"\g<1>{_REDACTED}"
# A URL or a password setting inside other text, such as the repr of a request body,
# up to a space, a quote or a separator.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")
_PASSWORD_IN_TEXT = re.compile(r"(\bpassword\s*=\s*)[^\s'\",;&}\]]*", re.IGNORECASE)


class DestinationError(Exception):
    """Base class of the destination errors."""


class DestinationConfigError(DestinationError):
    """A destination component whose metadata is invalid, such as a URL of another database."""


class DestinationUnavailableError(DestinationError):
    """A destination that cannot be reached or written: server down, wrong password, disk full."""


@dataclass(frozen=True)
class DestinationRow:
    """One row of ``_airbyte_raw_vdp``. ``data`` is the ``_airbyte_data`` JSON object."""

    ab_id: uuid.UUID
    data: dict[str, Any]


def row_id(index: str, model: str) -> uuid.UUID:
    """Return the ``_airbyte_ab_id`` of the row for input ``index`` and ``model``."""
    return uuid.uuid5(ROW_ID_NAMESPACE, f"{index}/{model}")


def redact_database_url(url: str) -> str:
    """Return ``url`` with its password, if any, replaced by ``****``.

    The password may follow the user name (``postgresql://vdp:secret@host/db``), or be
    a ``password=`` parameter of the query string or of a ``key=value`` connection
    string. Everything between the first ``:`` and the last ``@`` after ``://`` counts
    as the password, so an unencoded ``@`` or ``/`` in it is hidden too.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        return _KEYWORD_PASSWORD.sub(_KEEP_KEY_REDACT_VALUE, url)

    user_end = rest.find(":")
    at_sign = rest.rfind("@")
    if 0 <= user_end < at_sign and "@" not in rest[:user_end]:
        rest = f"{rest[:user_end]}:{_REDACTED}{rest[at_sign:]}"
    return f"{scheme}://{_QUERY_PASSWORD.sub(_KEEP_KEY_REDACT_VALUE, rest)}"


def redact_passwords(text: str) -> str:
    """Return ``text`` with the password of every URL and ``password=`` setting in it replaced by ``****``."""
    text = _URL_IN_TEXT.sub(lambda match: redact_database_url(match.group()), text)
    return _PASSWORD_IN_TEXT.sub(_KEEP_KEY_REDACT_VALUE, text)


def redact_recipe(recipe: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of ``recipe`` whose ``metadata.database_url`` values carry no password.

    Rows and pipeline resources show the recipe, and their readers must not learn the
    database password from it.
    """
    redacted = copy.deepcopy(dict(recipe))
    for component in redacted.get("components", []):
        metadata = component.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get(DATABASE_URL_KEY), str):
            metadata[DATABASE_URL_KEY] = redact_database_url(metadata[DATABASE_URL_KEY])
    return redacted


class Destination:
    """Interface of the destinations. Methods are thread-safe and open their own connections."""

    description: str
    """Location of the rows for messages, without secrets, e.g. "SQLite file /data/destination.sqlite3"."""

    key: str
    """Identity of the database; two destinations with one key write the same table."""

    def check(self) -> None:
        """Connect, and create the table if it is missing.

        Raises:
            DestinationUnavailableError: the database cannot be reached or written.
        """
        raise NotImplementedError

    def write(self, rows: Sequence[DestinationRow]) -> int:
        """Insert the rows whose ``_airbyte_ab_id`` is not in the table yet, in one transaction.

        Returns:
            How many rows were inserted; rows already present are skipped.

        Raises:
            DestinationUnavailableError: the database cannot be reached or written;
                then no row of the call was inserted.
        """
        raise NotImplementedError


class SqliteDestination(Destination):
    """Destination table in a SQLite file. ``_airbyte_data`` is JSON text."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.description = f"SQLite file {self.path}"
        self.key = f"sqlite:{self.path.resolve()}"

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise DestinationUnavailableError(
                f"The {self.description} could not be opened: {_sentence(error)} "
                "Check that the gateway's data folder exists and is writable."
            ) from error
        return connection

    def check(self) -> None:
        connection = self._connect()
        try:
            # WAL lets readers query the table while the worker writes to it.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE_NAME} ("
                "_airbyte_ab_id TEXT PRIMARY KEY, "
                "_airbyte_data TEXT NOT NULL, "
                "_airbyte_emitted_at TEXT NOT NULL)"
            )
            connection.execute(
                f"CREATE INDEX IF NOT EXISTS {TABLE_NAME}_index ON {TABLE_NAME} ((_airbyte_data->>'index'))"
            )
        except sqlite3.Error as error:
            raise DestinationUnavailableError(
                f"The {self.description} could not be prepared: {_sentence(error)} "
                "Check that the file is a SQLite database and is writable."
            ) from error
        finally:
            connection.close()

    def write(self, rows: Sequence[DestinationRow]) -> int:
        emitted_at = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        values = [(str(row.ab_id), json.dumps(row.data), emitted_at) for row in rows]
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            before = connection.total_changes
            connection.executemany(
                f"INSERT INTO {TABLE_NAME} (_airbyte_ab_id, _airbyte_data, _airbyte_emitted_at) "
                "VALUES (?, ?, ?) ON CONFLICT (_airbyte_ab_id) DO NOTHING",
                values,
            )
            inserted = connection.total_changes - before
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise DestinationUnavailableError(
                f"Writing {len(rows)} rows to the {self.description} failed: {_sentence(error)}"
            ) from error
        finally:
            connection.close()
        return inserted


class PostgresDestination(Destination):
    """Destination table in a PostgreSQL database, reached with psycopg 3.

    ``_airbyte_ab_id`` is a ``uuid``, ``_airbyte_data`` a ``jsonb`` and
    ``_airbyte_emitted_at`` a ``timestamptz`` column.
    """

    def __init__(self, url: str, *, component_id: str = "") -> None:
        from psycopg.conninfo import conninfo_to_dict

        self.url = url
        self.component_id = component_id
        try:
            params = conninfo_to_dict(url)
        except Exception as error:  # psycopg raises ProgrammingError for a malformed URL.
            raise DestinationConfigError(
                f"{_component_label(component_id)} has metadata.{DATABASE_URL_KEY} "
                f"{redact_database_url(url)!r}, which is not a valid PostgreSQL URL: {_sentence(error, url=url)} "
                "Use postgresql://USER:PASSWORD@HOST:PORT/DATABASE."
            ) from error
        host = params.get("host", "localhost")
        port = params.get("port", "5432")
        database = params.get("dbname", params.get("user", ""))
        user = params.get("user", "")
        self.description = f"PostgreSQL database {database!r} at {host}:{port} (user {user!r})"
        self.key = f"postgresql:{user}@{host}:{port}/{database}"

    def _connect(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT)
        except psycopg.Error as error:
            raise DestinationUnavailableError(
                f"The {self.description} could not be reached: {_sentence(error)} Check that the "
                f"server is running and that metadata.{DATABASE_URL_KEY} of "
                f"{_component_label(self.component_id).lower()} has the right host, port, user and password."
            ) from error

    def check(self) -> None:
        import psycopg

        with self._connect() as connection:
            try:
                with connection.transaction():
                    # Two gateways may create the table at the same moment, and
                    # CREATE TABLE IF NOT EXISTS alone can then fail on the catalog.
                    connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (TABLE_NAME,))
                    connection.execute(
                        f"CREATE TABLE IF NOT EXISTS {TABLE_NAME} ("
                        "_airbyte_ab_id uuid PRIMARY KEY, "
                        "_airbyte_data jsonb NOT NULL, "
                        "_airbyte_emitted_at timestamptz NOT NULL DEFAULT now())"
                    )
                    connection.execute(
                        f"CREATE INDEX IF NOT EXISTS {TABLE_NAME}_index "
                        f"ON {TABLE_NAME} ((_airbyte_data->>'index'))"
                    )
            except psycopg.Error as error:
                raise DestinationUnavailableError(
                    f"The table {TABLE_NAME} could not be created in the {self.description}: "
                    f"{_sentence(error)} Give the user the right to create tables."
                ) from error

    def write(self, rows: Sequence[DestinationRow]) -> int:
        import psycopg
        from psycopg.types.json import Jsonb

        emitted_at = datetime.now(timezone.utc)
        with self._connect() as connection:
            try:
                inserted = 0
                with connection.transaction(), connection.cursor() as cursor:
                    for row in rows:
                        cursor.execute(
                            f"INSERT INTO {TABLE_NAME} (_airbyte_ab_id, _airbyte_data, _airbyte_emitted_at) "
                            "VALUES (%s, %s, %s) ON CONFLICT (_airbyte_ab_id) DO NOTHING",
                            (row.ab_id, Jsonb(row.data), emitted_at),
                        )
                        inserted += cursor.rowcount
            except psycopg.Error as error:
                raise DestinationUnavailableError(
                    f"Writing {len(rows)} rows to the {self.description} failed: {_sentence(error)}"
                ) from error
        return inserted


def open_destination(component: Mapping[str, Any], *, sqlite_path: Path) -> Destination:
    """Return the destination that a data-destination component of a recipe names.

    Args:
        component: a recipe component whose ``resource_name`` starts with
            ``destination-connectors/`` and is not destination-http or destination-grpc.
        sqlite_path: the SQLite file used when the component has no ``database_url``.

    Raises:
        DestinationConfigError: ``metadata`` is not an object, or its ``database_url``
            is not a ``postgresql://`` URL.
    """
    component_id = str(component.get("id", ""))
    metadata = component.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        raise DestinationConfigError(
            f"{_component_label(component_id)} has metadata of type {type(metadata).__name__}. "
            "Send metadata as a JSON object."
        )
    url = metadata.get(DATABASE_URL_KEY)
    if url is None or url == "":
        return SqliteDestination(sqlite_path)
    if not isinstance(url, str) or not url.startswith(POSTGRES_SCHEMES):
        shown = redact_database_url(url) if isinstance(url, str) else url
        raise DestinationConfigError(
            f"{_component_label(component_id)} has metadata.{DATABASE_URL_KEY} {shown!r}, which is not "
            "a PostgreSQL URL. Use postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or leave it out "
            "to write to the gateway's SQLite file."
        )
    return PostgresDestination(url, component_id=component_id)


def _component_label(component_id: str) -> str:
    return f"Destination component {component_id!r}" if component_id else "The destination component"


def _sentence(error: BaseException, *, url: str | None = None) -> str:
    """Return an error's text on one line, ending with a full stop or question mark.

    When ``url`` is given, its occurrences are replaced by the URL without its password.
    """
    text = " ".join(str(error).split())
    if url:
        text = text.replace(url, redact_database_url(url))
    return text if text.endswith((".", "?", "!")) else f"{text}."
