"""Tests for ASYNC pipelines whose destination is a real PostgreSQL server.

They need ``VDP101_TEST_POSTGRES_URL``, which ``eval "$(bash .ci/start-postgres.sh)"``
sets. Without it they are skipped, except when ``CI`` is ``true``: then they fail.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from vdp101.asynchronous import (
    async_recipe,
    query_destination,
    read_results,
    trigger_async_multipart,
    wait_for_results,
)
from vdp101.frames import split_frames
from vdp101.gateway import LocalGateway
from vdp101.gateway.destinations import row_id
from vdp101.samples import data_dir, sample_path

POSTGRES_URL_VARIABLE = "VDP101_TEST_POSTGRES_URL"
PAN_FRAMES = json.loads((data_dir() / "annotations.json").read_text())["pan.gif"]["frames"]


@pytest.fixture(scope="module")
def postgres_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    reason = (
        f"{POSTGRES_URL_VARIABLE} is not set. Start a test server with "
        '`eval "$(bash .ci/start-postgres.sh)"` to run the PostgreSQL tests.'
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def gateway(tmp_path, postgres_url):
    with LocalGateway(data_dir=tmp_path / "gateway") as local_gateway:
        yield local_gateway


@pytest.fixture
def frames(tmp_path) -> list[Path]:
    return split_frames(sample_path("pan.gif"), tmp_path / "frames")


def _create(gateway: LocalGateway, recipe: dict, pipeline_id: str = "vdp-101-async") -> requests.Response:
    return requests.post(
        f"{gateway.url}/v1alpha/pipelines", json={"id": pipeline_id, "recipe": recipe}, timeout=30
    )


def _user_and_password(url: str) -> tuple[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    return params["user"], params["password"]


def test_frames_reach_postgres_rows(gateway, postgres_url, frames):
    assert _create(gateway, async_recipe(database_url=postgres_url)).status_code == 201

    indices = trigger_async_multipart("vdp-101-async", frames, batch_size=4, progress=False, gateway=gateway.url)
    detections = wait_for_results(indices, database=postgres_url, timeout=60)

    assert [item.index for item in detections] == indices
    assert [item.input_position for item in detections] == list(range(12))
    for position, item in enumerate(detections):
        assert item.model == "models/yolov7"
        assert [obj.category for obj in item.objects] == [obj["category"] for obj in PAN_FRAMES[position]]
        assert [obj.bounding_box.left for obj in item.objects] == [
            obj["bounding_box"]["left"] for obj in PAN_FRAMES[position]
        ]


def test_postgres_columns_have_airbyte_types(gateway, postgres_url, frames):
    assert _create(gateway, async_recipe(database_url=postgres_url)).status_code == 201
    trigger_async_multipart("vdp-101-async", frames[:1], progress=False, gateway=gateway.url)

    columns = query_destination(
        postgres_url,
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        ["_airbyte_raw_vdp"],
    )

    assert columns == [
        {"column_name": "_airbyte_ab_id", "data_type": "uuid"},
        {"column_name": "_airbyte_data", "data_type": "jsonb"},
        {"column_name": "_airbyte_emitted_at", "data_type": "timestamp with time zone"},
    ]


def test_sql_by_index_finds_one_row(gateway, postgres_url, frames):
    assert _create(gateway, async_recipe(database_url=postgres_url)).status_code == 201
    [index] = trigger_async_multipart("vdp-101-async", frames[2:3], progress=False, gateway=gateway.url)
    wait_for_results([index], database=postgres_url, timeout=60)

    rows = query_destination(
        postgres_url,
        "SELECT _airbyte_ab_id, _airbyte_data->>'model' AS model, _airbyte_data->'pipeline'->'recipe' AS recipe "
        "FROM _airbyte_raw_vdp WHERE _airbyte_data->>'index' = ?",
        [index],
    )

    assert len(rows) == 1
    assert str(rows[0]["_airbyte_ab_id"]) == str(row_id(index, "models/yolov7"))
    assert rows[0]["model"] == "models/yolov7"
    user, password = _user_and_password(postgres_url)
    stored_url = rows[0]["recipe"]["components"][2]["metadata"]["database_url"]
    assert stored_url.startswith(f"postgresql://{user}:****@")
    assert password not in json.dumps(rows[0]["recipe"])


def test_concurrent_batches_one_row_each_postgres(gateway, postgres_url, frames):
    assert _create(gateway, async_recipe(database_url=postgres_url)).status_code == 201

    def send(batch_number: int) -> list[str]:
        batch = [frames[(batch_number + offset) % len(frames)] for offset in range(3)]
        return trigger_async_multipart("vdp-101-async", batch, progress=False, gateway=gateway.url)

    with ThreadPoolExecutor(max_workers=8) as pool:
        indices = [index for batch in pool.map(send, range(30)) for index in batch]
    wait_for_results(indices, database=postgres_url, timeout=120)
    results = read_results(indices, database=postgres_url)

    assert len(indices) == 90
    assert [result.index for result in results] == indices
    assert len({result.ab_id for result in results}) == 90


def test_wrong_password_rejects_create(gateway, postgres_url):
    user, password = _user_and_password(postgres_url)
    wrong_url = postgres_url.replace(f":{password}@", ":wrong-password@")

    response = _create(gateway, async_recipe(database_url=wrong_url))

    assert response.status_code == 422
    message = response.json()["message"]
    assert f'password authentication failed for user "{user}"' in message
    assert message.endswith(
        "Check that the server is running and that metadata.database_url of destination component "
        "'database' has the right host, port, user and password."
    )
    assert "wrong-password" not in message


def test_changed_password_rejects_trigger(gateway, postgres_url, frames):
    """A destination that stops accepting the pipeline's credentials fails the trigger with 422."""
    import psycopg
    import psycopg.sql

    user, password = _user_and_password(postgres_url)
    assert _create(gateway, async_recipe(database_url=postgres_url)).status_code == 201
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(
            psycopg.sql.SQL("ALTER ROLE {} PASSWORD 'changed-for-test'").format(psycopg.sql.Identifier(user))
        )
    try:
        response = requests.post(
            f"{gateway.url}/v1alpha/pipelines/vdp-101-async/triggerAsyncMultipart",
            files=[("file", ("pan-000.png", frames[0].read_bytes(), "image/png"))],
            timeout=30,
        )
    finally:
        changed_url = postgres_url.replace(f":{password}@", ":changed-for-test@")
        with psycopg.connect(changed_url, autocommit=True) as connection:
            connection.execute(
                psycopg.sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    psycopg.sql.Identifier(user), psycopg.sql.Literal(password)
                )
            )

    assert response.status_code == 422
    message = response.json()["message"]
    assert f'password authentication failed for user "{user}"' in message
    assert message.endswith(
        "Nothing was queued; trigger pipeline 'vdp-101-async' again once the destination is reachable."
    )
    assert gateway.app.state.async_runtime.queue.count() == 0


def test_qmark_query_runs_on_postgres(postgres_url):
    rows = query_destination(postgres_url, "SELECT 'a?' || ? AS joined, 100 % 7 AS remainder", ["b"])

    assert rows == [{"joined": "a?b", "remainder": 2}]


def test_resource_hides_password_worker_uses_it(gateway, postgres_url, frames):
    user, password = _user_and_password(postgres_url)
    masked_url = postgres_url.replace(f":{password}@", ":****@")

    created = _create(gateway, async_recipe(database_url=postgres_url))
    fetched = requests.get(f"{gateway.url}/v1alpha/pipelines/vdp-101-async", params={"view": "VIEW_FULL"}, timeout=30)
    [index] = trigger_async_multipart("vdp-101-async", frames[:1], progress=False, gateway=gateway.url)
    [result] = wait_for_results([index], database=postgres_url, timeout=60)

    assert created.status_code == 201
    assert created.json()["pipeline"]["recipe"]["components"][2]["metadata"] == {"database_url": masked_url}
    assert fetched.json()["pipeline"]["recipe"]["components"][2]["metadata"] == {"database_url": masked_url}
    assert password not in created.text
    assert password not in fetched.text
    assert result.index == index
