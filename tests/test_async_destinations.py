"""Tests for the destination writers of ASYNC pipelines (SQLite part; PostgreSQL is in test_async_postgres.py)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from vdp101.gateway.destinations import (
    DestinationConfigError,
    DestinationRow,
    DestinationUnavailableError,
    PostgresDestination,
    SqliteDestination,
    open_destination,
    redact_database_url,
    redact_passwords,
    redact_recipe,
    row_id,
)


def _row(index: str, model: str = "models/yolov7") -> DestinationRow:
    return DestinationRow(row_id(index, model), {"index": index, "model": model, "detection": {"objects": []}})


def test_row_id_is_stable_uuid5():
    first = row_id("01H0000000000000000000000A", "models/yolov7")

    assert first == row_id("01H0000000000000000000000A", "models/yolov7")
    assert first.version == 5
    assert first != row_id("01H0000000000000000000000A", "models/yolov7-tiny")
    assert first != row_id("01H0000000000000000000000B", "models/yolov7")


def test_sqlite_check_creates_table(tmp_path):
    destination = SqliteDestination(tmp_path / "sub" / "destination.sqlite3")

    destination.check()

    with sqlite3.connect(destination.path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(_airbyte_raw_vdp)")]
    assert columns == ["_airbyte_ab_id", "_airbyte_data", "_airbyte_emitted_at"]


def test_sqlite_write_skips_existing_rows(tmp_path):
    destination = SqliteDestination(tmp_path / "destination.sqlite3")
    destination.check()

    assert destination.write([_row("A"), _row("B")]) == 2
    assert destination.write([_row("B"), _row("C")]) == 1

    with sqlite3.connect(destination.path) as connection:
        indices = [row[0] for row in connection.execute("SELECT _airbyte_data->>'index' FROM _airbyte_raw_vdp ORDER BY 1")]
    assert indices == ["A", "B", "C"]


def test_sqlite_row_columns_hold_values(tmp_path):
    destination = SqliteDestination(tmp_path / "destination.sqlite3")
    destination.check()
    destination.write([_row("A")])

    with sqlite3.connect(destination.path) as connection:
        ab_id, data, emitted_at = connection.execute("SELECT * FROM _airbyte_raw_vdp").fetchone()
    assert ab_id == str(row_id("A", "models/yolov7"))
    assert json.loads(data) == {"index": "A", "model": "models/yolov7", "detection": {"objects": []}}
    assert emitted_at.endswith("+00:00")


def test_sqlite_in_unwritable_place_is_unavailable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    destination = SqliteDestination(blocker / "destination.sqlite3")

    with pytest.raises(DestinationUnavailableError) as raised:
        destination.check()

    assert str(raised.value).startswith(f"The SQLite file {blocker / 'destination.sqlite3'} could not be opened: ")
    assert str(raised.value).endswith("Check that the gateway's data folder exists and is writable.")


def test_open_destination_without_url_uses_sqlite(tmp_path):
    component = {"id": "db", "resource_name": "destination-connectors/sqlite-db", "metadata": {}}

    destination = open_destination(component, sqlite_path=tmp_path / "destination.sqlite3")

    assert isinstance(destination, SqliteDestination)
    assert destination.description == f"SQLite file {tmp_path / 'destination.sqlite3'}"


def test_open_destination_with_url_uses_postgres(tmp_path):
    component = {"id": "db", "metadata": {"database_url": "postgresql://vdp:secret@127.0.0.1:5433/results"}}

    destination = open_destination(component, sqlite_path=tmp_path / "destination.sqlite3")

    assert isinstance(destination, PostgresDestination)
    assert destination.description == "PostgreSQL database 'results' at 127.0.0.1:5433 (user 'vdp')"
    assert "secret" not in destination.key


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        (
            {"database_url": "mysql://vdp:secret@127.0.0.1/results"},
            "Destination component 'db' has metadata.database_url 'mysql://vdp:****@127.0.0.1/results', "
            "which is not a PostgreSQL URL. Use postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or leave it "
            "out to write to the gateway's SQLite file.",
        ),
        (
            {"database_url": 5432},
            "Destination component 'db' has metadata.database_url 5432, which is not a PostgreSQL URL. "
            "Use postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or leave it out to write to the "
            "gateway's SQLite file.",
        ),
    ],
)
def test_open_destination_rejects_other_urls(tmp_path, metadata, message):
    component = {"id": "db", "metadata": metadata}

    with pytest.raises(DestinationConfigError) as raised:
        open_destination(component, sqlite_path=tmp_path / "destination.sqlite3")

    assert str(raised.value) == message


def test_malformed_postgres_url_hides_password(tmp_path):
    component = {"id": "db", "metadata": {"database_url": "postgresql://vdp:secret@[::1"}}

    with pytest.raises(DestinationConfigError) as raised:
        open_destination(component, sqlite_path=tmp_path / "destination.sqlite3")

    message = str(raised.value)
    assert message.startswith(
        "Destination component 'db' has metadata.database_url 'postgresql://vdp:****@[::1', "
        "which is not a valid PostgreSQL URL: "
    )
    assert "secret" not in message


def test_postgres_refused_connection_is_unavailable(unused_tcp_port):
    destination = PostgresDestination(
        f"postgresql://vdp:secret@127.0.0.1:{unused_tcp_port}/results", component_id="db"
    )

    with pytest.raises(DestinationUnavailableError) as raised:
        destination.check()

    message = str(raised.value)
    assert message.startswith(
        f"The PostgreSQL database 'results' at 127.0.0.1:{unused_tcp_port} (user 'vdp') could not be reached: "
    )
    assert "Connection refused" in message
    assert message.endswith(
        "Check that the server is running and that metadata.database_url of destination component 'db' "
        "has the right host, port, user and password."
    )
    assert "secret" not in message


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("postgresql://vdp:secret@127.0.0.1:5432/results", "postgresql://vdp:****@127.0.0.1:5432/results"),
        ("postgresql://vdp@127.0.0.1/results", "postgresql://vdp@127.0.0.1/results"),
        ("postgresql://127.0.0.1/results", "postgresql://127.0.0.1/results"),
        ("postgresql://vdp:p@ss@127.0.0.1/results", "postgresql://vdp:****@127.0.0.1/results"),
        ("not a url", "not a url"),
        ("postgresql://vdp:pa/ss@127.0.0.1/results", "postgresql://vdp:****@127.0.0.1/results"),
        ("postgresql://vdp@127.0.0.1:5432/results", "postgresql://vdp@127.0.0.1:5432/results"),
        (
            "postgresql://vdp@127.0.0.1/results?password=secret&sslmode=disable",
            "postgresql://vdp@127.0.0.1/results?password=****&sslmode=disable",
        ),
        ("host=127.0.0.1 password=secret dbname=results", "host=127.0.0.1 password=**** dbname=results"),
        ("host=127.0.0.1 password='sec ret' dbname=results", "host=127.0.0.1 password=**** dbname=results"),
    ],
)
def test_redact_database_url(url, redacted):
    assert redact_database_url(url) == redacted


def test_redact_passwords_in_text():
    text = (
        "{'database_url': 'postgresql://vdp:secret@127.0.0.1/results', "
        "'conninfo': 'host=127.0.0.1 password=secret', 'other': 'https://example.org/a.jpg'}"
    )

    assert redact_passwords(text) == (
        "{'database_url': 'postgresql://vdp:****@127.0.0.1/results', "
        "'conninfo': 'host=127.0.0.1 password=****', 'other': 'https://example.org/a.jpg'}"
    )


def test_redact_recipe_leaves_input_unchanged():
    recipe = {
        "version": "v1alpha",
        "components": [
            {"id": "db", "metadata": {"database_url": "postgresql://vdp:secret@127.0.0.1/results"}},
            {"id": "model", "resource_name": "models/yolov7"},
        ],
    }

    redacted = redact_recipe(recipe)

    assert redacted["components"][0]["metadata"] == {"database_url": "postgresql://vdp:****@127.0.0.1/results"}
    assert recipe["components"][0]["metadata"] == {"database_url": "postgresql://vdp:secret@127.0.0.1/results"}


@pytest.fixture
def unused_tcp_port() -> int:
    """A loopback port that nothing listens on (bound and released at once)."""
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return int(listener.getsockname()[1])
