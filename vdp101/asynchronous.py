"""Trigger ASYNC pipelines and read their results from the destination database.

An ASYNC trigger returns only ``data_mapping_indices``, one ULID per input. The
pipeline later writes one row per input and model into the table
``_airbyte_raw_vdp`` of its destination database, and the index is the key to
find it: ``_airbyte_data->>'index'``.

``database`` arguments accept either a ``postgresql://`` URL or the path of a
SQLite file, such as the local gateway's ``<data dir>/destination.sqlite3``.

Example::

    indices = trigger_async_multipart("vdp-101-async", frame_paths, batch_size=4)
    detections = wait_for_results(indices, database=database, timeout=60)
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Union

from vdp101.client import (
    DEFAULT_TIMEOUT,
    Gateway,
    pipeline_url,
    read_image_files,
    read_success_body,
    resolve_gateway,
    send_request,
)
from vdp101.errors import InvalidRequestError, UnexpectedResponseError, VdpError
from vdp101.responses import DETECTION_TASK, BoundingBox, DetectedObject, Detections

__all__ = [
    "AsyncInputError",
    "AsyncResult",
    "DestinationQueryError",
    "PartialTriggerError",
    "ResultsTimeoutError",
    "async_recipe",
    "load_indices",
    "query_destination",
    "read_results",
    "save_indices",
    "sqlite_destination_path",
    "trigger_async_multipart",
    "wait_for_results",
]

logger = logging.getLogger(__name__)

RESULTS_TABLE = "_airbyte_raw_vdp"
SQLITE_DESTINATION_FILE = "destination.sqlite3"
"""File name of the local gateway's SQLite destination inside its data folder."""

DEFAULT_BATCH_SIZE = 4
DATABASE_CONNECT_TIMEOUT = 5
"""Seconds to wait for a PostgreSQL server to accept a connection."""

# Largest number of indices in one "IN (...)" list; SQLite allows 32766 parameters.
_QUERY_CHUNK = 500

Database = Union[str, "os.PathLike[str]"]


class PartialTriggerError(VdpError):
    """A batch after the first was rejected, so only some inputs were accepted.

    Attributes:
        accepted_indices: the data mapping indices of the accepted inputs, in input order.
    """

    def __init__(self, message: str, *, accepted_indices: list[str], cause: VdpError) -> None:
        super().__init__(
            message,
            status_code=cause.status_code,
            grpc_code=cause.grpc_code,
            response=cause.response,
            gateway_message=cause.gateway_message,
        )
        self.accepted_indices = accepted_indices


class DestinationQueryError(VdpError):
    """The destination database cannot be opened or queried."""


class ResultsTimeoutError(VdpError):
    """Some results did not reach the destination table within the timeout.

    Attributes:
        missing: the indices without a row, in the order given.
    """

    def __init__(self, message: str, *, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


class AsyncInputError(VdpError):
    """The pipeline wrote error rows, for example for an image it could not decode.

    Attributes:
        failed: the AsyncResult of each failed input.
    """

    def __init__(self, message: str, *, failed: list[AsyncResult]) -> None:
        super().__init__(message)
        self.failed = failed


@dataclass(frozen=True)
class AsyncResult:
    """One row of ``_airbyte_raw_vdp``: the output of one model for one input.

    Attributes:
        index: the data mapping index of the input.
        model: resource name of the model, e.g. ``models/yolov7``.
        pipeline: name of the pipeline, e.g. ``pipelines/vdp-101-async``.
        objects: the detected objects; empty when ``error`` is set.
        error: the pipeline's message when the input failed, else None.
        ab_id: the row's ``_airbyte_ab_id``, a UUID.
        emitted_at: when the row was written, timezone-aware.
    """

    index: str
    model: str
    pipeline: str
    objects: tuple[DetectedObject, ...]
    error: str | None
    ab_id: str
    emitted_at: datetime


def async_recipe(*, database_url: str | None = None, model: str = "models/yolov7") -> dict[str, Any]:
    """Build the recipe of an ASYNC detection pipeline: HTTP source, one model, a database.

    Args:
        database_url: a ``postgresql://`` URL for the destination. None writes to the
            local gateway's SQLite file, ``<data dir>/destination.sqlite3``.
        model: the model's resource name.
    """
    metadata = {"database_url": database_url} if database_url else {}
    connector = "destination-connectors/postgres-db" if database_url else "destination-connectors/sqlite-db"
    return {
        "version": "v1alpha",
        "components": [
            {"id": "source", "resource_name": "source-connectors/source-http"},
            {"id": "detector", "resource_name": model},
            {"id": "database", "resource_name": connector, "metadata": metadata},
        ],
    }


def sqlite_destination_path(data_dir: str | os.PathLike[str]) -> Path:
    """Return the SQLite destination file of a local gateway started with ``data_dir``."""
    return Path(data_dir) / SQLITE_DESTINATION_FILE


def trigger_async_multipart(
    pipeline_id: str,
    image_paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    indices_file: str | os.PathLike[str] | None = None,
    progress: bool = True,
    gateway: Gateway | str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[str]:
    """Trigger an ASYNC pipeline with local image files, a few per multipart request.

    Sends ``POST /v1alpha/pipelines/{pipeline_id}/triggerAsyncMultipart`` once per
    batch, with one ``file`` part per image.

    Args:
        pipeline_id: id of an ASYNC pipeline, e.g. ``vdp-101-async``.
        image_paths: one file path, or a list of them, in the order to send.
        batch_size: images per request.
        indices_file: a text file that receives each accepted index, one per line, as
            soon as its batch is accepted. It is created or emptied first.
        progress: show a progress bar (tqdm) that counts images.
        gateway: a Gateway, a gateway URL, or None for ``connect(quiet=True)``.
        timeout: seconds to wait for the connection and for each response.

    Returns:
        The data mapping indices, one per image, in the order of ``image_paths``.

    Raises:
        InvalidRequestError: ``batch_size`` is below 1, or no path was given.
        InvalidImageError: a path does not exist or is not a file.
        VdpError: the subclass matching the status when the first batch is rejected,
            such as PipelineStateError (HTTP 422) for a SYNC pipeline.
        PartialTriggerError: a later batch was rejected; ``accepted_indices`` has the
            indices of the earlier batches.
        GatewayUnreachableError: the connection failed or timed out.
    """
    from vdp101._progress import image_progress_bar

    if batch_size < 1:
        raise InvalidRequestError(f"batch_size is {batch_size}; send at least 1 image per request.")
    files = read_image_files(image_paths)
    url = pipeline_url(resolve_gateway(gateway).api_url, pipeline_id, "triggerAsyncMultipart")
    if indices_file is not None:
        Path(indices_file).write_text("", encoding="utf-8")

    indices: list[str] = []
    with image_progress_bar(total=len(files), description=pipeline_id, disable=not progress) as bar:
        for start in range(0, len(files), batch_size):
            batch = files[start : start + batch_size]
            parts = [("file", (path.name, content, "application/octet-stream")) for path, content in batch]
            response = send_request("POST", url, timeout=timeout, files=parts)
            try:
                body = read_success_body(response)
            except VdpError as error:
                if not indices:
                    raise
                raise PartialTriggerError(
                    f"Batch {start // batch_size + 1} ({batch[0][0].name} to {batch[-1][0].name}) was rejected: "
                    f"{error.message} The {len(indices)} images before it were accepted; their indices are in "
                    "the error's accepted_indices.",
                    accepted_indices=indices,
                    cause=error,
                ) from error

            batch_indices = _read_indices(body, expected=len(batch), response=response)
            indices.extend(batch_indices)
            if indices_file is not None:
                with open(indices_file, "a", encoding="utf-8") as output:
                    output.writelines(f"{index}\n" for index in batch_indices)
            bar.update(len(batch))
    logger.info("Triggered %s with %d images in %d requests", pipeline_id, len(files), -(-len(files) // batch_size))
    return indices


def save_indices(indices: Iterable[str], path: str | os.PathLike[str]) -> Path:
    """Write data mapping indices to a text file, one per line, and return its path."""
    target = Path(path)
    target.write_text("".join(f"{index}\n" for index in indices), encoding="utf-8")
    return target


def load_indices(path: str | os.PathLike[str]) -> list[str]:
    """Read the indices that ``save_indices`` or ``indices_file`` wrote; blank lines are skipped."""
    return [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def query_destination(database: Database, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run one SQL query on a destination database and return its rows.

    Args:
        database: a ``postgresql://`` URL or the path of a SQLite file.
        sql: the query, with ``?`` for each parameter, for both databases. On
            PostgreSQL each ``?`` outside quotes becomes ``%s``, so the jsonb
            operators ``?``, ``?|`` and ``?&`` cannot be used.
        params: the values of the ``?`` parameters.

    Returns:
        One dict per row, from column name to value.

    Raises:
        DestinationQueryError: the database cannot be opened, or the query fails.
    """
    if _is_postgres(database):
        return _query_postgres(str(database), _qmark_to_format(sql), params)
    return _query_sqlite(Path(database), sql, params)


def read_results(indices: Sequence[str], *, database: Database) -> list[AsyncResult]:
    """Read the rows of these indices from ``_airbyte_raw_vdp``.

    Returns:
        The rows found, ordered as ``indices`` and, for one index, by the model's place
        in the recipe. An index without a row is left out.

    Raises:
        DestinationQueryError: the database cannot be opened or has no results table.
    """
    position = {index: number for number, index in enumerate(indices)}
    rows: list[dict[str, Any]] = []
    unique = list(position)
    for start in range(0, len(unique), _QUERY_CHUNK):
        chunk = unique[start : start + _QUERY_CHUNK]
        placeholders = ", ".join("?" for _ in chunk)
        rows.extend(
            query_destination(
                database,
                "SELECT _airbyte_ab_id, _airbyte_data, _airbyte_emitted_at FROM _airbyte_raw_vdp "
                f"WHERE _airbyte_data->>'index' IN ({placeholders})",
                chunk,
            )
        )

    ranked = [_to_result(row) for row in rows]
    ranked.sort(key=lambda pair: (position[pair[0].index], pair[1]))
    return [result for result, _ in ranked]


def wait_for_results(
    indices: Sequence[str],
    *,
    database: Database,
    timeout: float = 60.0,
    poll_interval: float = 0.5,
) -> list[Detections]:
    """Wait until every index has its rows in ``_airbyte_raw_vdp`` and return the detections.

    Args:
        indices: the data mapping indices returned by the ASYNC triggers.
        database: a ``postgresql://`` URL or the path of a SQLite file.
        timeout: seconds to wait for the last row.
        poll_interval: seconds between two queries.

    Returns:
        One Detections per row, ordered as ``indices``; ``input_position`` is the
        index's position in ``indices``.

    Raises:
        ResultsTimeoutError: some indices have no row after ``timeout`` seconds. The
            message gives their count, and ``missing`` lists them.
        AsyncInputError: the pipeline wrote error rows for some inputs.
        DestinationQueryError: the database cannot be opened or has no results table.
    """
    wanted = list(dict.fromkeys(indices))
    deadline = time.monotonic() + timeout
    while True:
        results = read_results(wanted, database=database)
        found = {result.index for result in results}
        missing = [index for index in wanted if index not in found]
        if not missing:
            break
        if time.monotonic() >= deadline:
            raise ResultsTimeoutError(
                f"{len(missing)} of {len(wanted)} results are missing from {RESULTS_TABLE} in "
                f"{_describe_database(database)} after {timeout:g} s (first missing index: {missing[0]}). "
                "Check the gateway's log for destination errors, then call wait_for_results again, "
                "perhaps with a larger timeout.",
                missing=missing,
            )
        time.sleep(poll_interval)

    failed = [result for result in results if result.error is not None]
    if failed:
        raise AsyncInputError(
            f"The pipeline could not process {len(failed)} of {len(wanted)} inputs. Index {failed[0].index}: "
            f"{failed[0].error} read_results() returns every row with its error.",
            failed=failed,
        )
    position = {index: number for number, index in enumerate(wanted)}
    return [
        Detections(position[result.index], result.index, result.model, DETECTION_TASK, result.objects)
        for result in results
    ]


def _read_indices(body: Mapping[str, Any], *, expected: int, response: Any) -> list[str]:
    indices = body.get("data_mapping_indices")
    if not isinstance(indices, list) or len(indices) != expected or not all(isinstance(i, str) for i in indices):
        raise UnexpectedResponseError(
            f"The ASYNC trigger response should have {expected} data_mapping_indices, but has "
            f"{indices!r:.120}. Check that the gateway speaks the v1alpha API.",
            status_code=getattr(response, "status_code", None),
            response=response,
        )
    return indices


def _is_postgres(database: Database) -> bool:
    return isinstance(database, str) and database.startswith(("postgresql://", "postgres://"))


def _describe_database(database: Database) -> str:
    if not _is_postgres(database):
        return f"SQLite file {database}"
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(str(database))
    except Exception:  # A malformed URL is reported by the connection attempt itself.
        return "the PostgreSQL database"
    return f"PostgreSQL database {params.get('dbname', '')!r} at {params.get('host', 'localhost')}:{params.get('port', 5432)}"


def _query_sqlite(path: Path, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    if not path.is_file():
        raise DestinationQueryError(
            f"SQLite file {path} does not exist. The local gateway creates "
            f"<data dir>/{SQLITE_DESTINATION_FILE} when an ASYNC pipeline is first triggered; "
            "check the data folder the gateway was started with."
        )
    try:
        # Read-only, so that a reader never locks out the gateway's writer.
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
    except sqlite3.Error as error:
        raise DestinationQueryError(f"SQLite file {path} could not be opened: {error}.") from error
    try:
        cursor = connection.execute(sql, tuple(params))
        columns = [description[0] for description in cursor.description or ()]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
    except sqlite3.Error as error:
        raise DestinationQueryError(_query_failure(f"SQLite file {path}", error)) from error
    finally:
        connection.close()


def _query_postgres(url: str, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    import psycopg
    from psycopg.rows import dict_row

    where = _describe_database(url)
    try:
        connection = psycopg.connect(url, connect_timeout=DATABASE_CONNECT_TIMEOUT, row_factory=dict_row)
    except psycopg.Error as error:
        reason = " ".join(str(error).split())
        raise DestinationQueryError(
            f"Could not connect to the {where}: {reason} Check that the server is running and "
            "that the URL has the right host, port, user and password."
        ) from error
    try:
        with connection:
            return list(connection.execute(sql, tuple(params)).fetchall())
    except psycopg.Error as error:
        raise DestinationQueryError(_query_failure(f"the {where}", error)) from error
    finally:
        connection.close()


def _query_failure(where: str, error: BaseException) -> str:
    reason = " ".join(str(error).split())
    if RESULTS_TABLE in reason and ("no such table" in reason or "does not exist" in reason):
        return (
            f"{where} has no table {RESULTS_TABLE}. The gateway creates it when a pipeline whose "
            "destination is this database is created or triggered; check the database name."
        )
    return f"The query on {where} failed: {reason}"


def _qmark_to_format(sql: str) -> str:
    """Turn ``?`` placeholders outside quotes into psycopg's ``%s``, and ``%`` into ``%%``."""
    converted = []
    quote: str | None = None
    for character in sql:
        if quote is not None:
            if character == quote:
                quote = None
        elif character in ("'", '"'):
            quote = character
        elif character == "?":
            converted.append("%s")
            continue
        converted.append("%%" if character == "%" else character)
    return "".join(converted)


def _to_result(row: Mapping[str, Any]) -> tuple[AsyncResult, int]:
    """Return the row as an AsyncResult, and the place of its model among the recipe's models."""
    data = row["_airbyte_data"]
    if isinstance(data, (str, bytes)):
        data = json.loads(data)
    emitted_at = row["_airbyte_emitted_at"]
    if isinstance(emitted_at, str):
        emitted_at = datetime.fromisoformat(emitted_at)

    error = data.get("error")
    detection = data.get("detection") or {}
    objects = tuple(
        DetectedObject(
            item["category"],
            item["score"],
            BoundingBox(
                left=item["bounding_box"]["left"],
                top=item["bounding_box"]["top"],
                width=item["bounding_box"]["width"],
                height=item["bounding_box"]["height"],
            ),
        )
        for item in detection.get("objects", [])
    )
    pipeline = data.get("pipeline") or {}
    result = AsyncResult(
        index=data["index"],
        model=data.get("model", ""),
        pipeline=pipeline.get("name", ""),
        objects=objects,
        error=error.get("message", str(error)) if isinstance(error, Mapping) else error,
        ab_id=str(row["_airbyte_ab_id"]),
        emitted_at=emitted_at,
    )

    components = (pipeline.get("recipe") or {}).get("components", [])
    models = [component.get("resource_name") for component in components if isinstance(component, Mapping)]
    models = [name for name in models if isinstance(name, str) and name.startswith("models/")]
    rank = models.index(result.model) if result.model in models else len(models)
    return result, rank
