"""SYNC trigger routes of the local gateway: inputs, response shape and errors."""

from __future__ import annotations

import base64
import io
import socket
from pathlib import Path

import pytest
from PIL import Image
from ulid import ULID

from vdp101.gateway import trigger_inputs, triggers
from vdp101.samples import data_dir

SAMPLES = data_dir()
TRIGGER = "/v1alpha/pipelines/vdp-101-sync/triggerSync"
TRIGGER_MULTIPART = "/v1alpha/pipelines/vdp-101-sync/triggerSyncMultipart"

COFFEE_OBJECTS = [
    {"category": "cup", "score": 0.91, "bounding_box": {"top": 17, "left": 172, "width": 237, "height": 292}},
    {"category": "spoon", "score": 0.78, "bounding_box": {"top": 64, "left": 325, "width": 100, "height": 262}},
    {"category": "dining table", "score": 0.55, "bounding_box": {"top": 0, "left": 0, "width": 600, "height": 400}},
]
HORSE_OBJECTS = [
    {"category": "horse", "score": 0.89, "bounding_box": {"top": 8, "left": 17, "width": 373, "height": 305}},
]
CAT_OBJECTS = [
    {"category": "cat", "score": 0.94, "bounding_box": {"top": 0, "left": 18, "width": 384, "height": 300}},
]


def base64_of(name: str) -> str:
    return base64.b64encode((SAMPLES / name).read_bytes()).decode("ascii")


def url_input(url: str) -> dict:
    return {"detection": {"image_url": url}}


def base64_input(text: str) -> dict:
    return {"detection": {"image_base64": text}}


def file_part(name: str) -> tuple[str, tuple[str, bytes, str]]:
    return ("file", (name, (SAMPLES / name).read_bytes(), "application/octet-stream"))


def objects_of(body: dict, *, model: int = 0) -> list[list[dict]]:
    return [output["detection"]["objects"] for output in body["model_outputs"][model]["task_outputs"]]


def create_pipeline(api, pipeline_id: str, *resource_names: str) -> None:
    components = [{"id": name.split("/")[-1], "resource_name": name} for name in resource_names]
    response = api.post(
        "/v1alpha/pipelines",
        json={"id": pipeline_id, "recipe": {"version": "v1alpha", "components": components}},
    )
    assert response.status_code == 201, response.text


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def png_bytes(size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


# -- Successful triggers -----------------------------------------------------------


def test_trigger_own_sample_url_returns_detections(api):
    response = api.post(TRIGGER, json={"task_inputs": [url_input("http://testserver/samples/coffee.jpg")]})

    assert response.status_code == 200
    body = response.json()
    assert len(body["data_mapping_indices"]) == 1
    assert body["model_outputs"] == [
        {
            "model": "models/yolov7",
            "task": "TASK_DETECTION",
            "task_outputs": [{"index": body["data_mapping_indices"][0], "detection": {"objects": COFFEE_OBJECTS}}],
        }
    ]


def test_trigger_base64_returns_detections(api):
    response = api.post(TRIGGER, json={"task_inputs": [base64_input(base64_of("horse.png"))]})

    assert response.status_code == 200
    assert objects_of(response.json()) == [HORSE_OBJECTS]


def test_trigger_several_inputs_keeps_order(api):
    task_inputs = [
        base64_input(base64_of("horse.png")),
        url_input("http://testserver/samples/coffee.jpg"),
        base64_input(base64_of("chelsea.jpg")),
    ]

    body = api.post(TRIGGER, json={"task_inputs": task_inputs}).json()

    indices = body["data_mapping_indices"]
    assert len(indices) == 3
    assert len(set(indices)) == 3
    assert [str(ULID.from_str(index)) for index in indices] == indices
    assert [output["index"] for output in body["model_outputs"][0]["task_outputs"]] == indices
    assert objects_of(body) == [HORSE_OBJECTS, COFFEE_OBJECTS, CAT_OBJECTS]


def test_trigger_unknown_image_returns_no_objects(api):
    text = base64.b64encode(png_bytes((32, 24), (10, 200, 30))).decode()

    response = api.post(TRIGGER, json={"task_inputs": [base64_input(text)]})

    assert response.status_code == 200
    assert objects_of(response.json()) == [[]]


def test_trigger_two_models_gives_two_outputs(api):
    create_pipeline(
        api,
        "two-models",
        "source-connectors/source-http",
        "models/yolov7-tiny",
        "models/yolov7",
        "destination-connectors/destination-http",
    )

    body = api.post(
        "/v1alpha/pipelines/two-models/triggerSync", json={"task_inputs": [base64_input(base64_of("horse.png"))]}
    ).json()

    assert [output["model"] for output in body["model_outputs"]] == ["models/yolov7-tiny", "models/yolov7"]
    assert objects_of(body, model=0) == [HORSE_OBJECTS]
    assert objects_of(body, model=1) == [HORSE_OBJECTS]
    assert body["model_outputs"][1]["task_outputs"][0]["index"] == body["data_mapping_indices"][0]


def test_trigger_base64_data_uri_and_line_breaks(api):
    text = base64_of("horse.png")
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))

    response = api.post(
        TRIGGER,
        json={"task_inputs": [base64_input("data:image/png;base64," + text), base64_input(wrapped)]},
    )

    assert response.status_code == 200
    assert objects_of(response.json()) == [HORSE_OBJECTS, HORSE_OBJECTS]


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda text: text, id="bare"),
        pytest.param(lambda text: f" \t{text}\r\n", id="surrounding-whitespace"),
        pytest.param(lambda text: "\r\n".join(text[i : i + 64] for i in range(0, len(text), 64)), id="crlf-lines"),
        pytest.param(lambda text: text[:100] + "\u00a0\u2028" + text[100:], id="unicode-whitespace"),
        pytest.param(lambda text: " data:image/png;base64," + text, id="data-uri-after-space"),
        pytest.param(lambda text: "data:;base64,\n" + text, id="data-uri-then-newline"),
    ],
)
def test_trigger_accepts_base64_forms(api, wrap):
    response = api.post(TRIGGER, json={"task_inputs": [base64_input(wrap(base64_of("horse.png")))]})

    assert response.status_code == 200
    assert objects_of(response.json()) == [HORSE_OBJECTS]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("aGVsbG8*", "Only base64 data is allowed"),
        ("aGVsbG8\u00e9", "string argument should contain only ASCII characters"),
        ("aGVsbG8=data:", "Excess data after padding"),
        ("aGVs\nbG8", "Incorrect padding"),
        ("image/png;base64,aGVsbG8=", "Only base64 data is allowed"),
    ],
)
def test_trigger_rejects_malformed_base64(api, text, reason):
    response = api.post(TRIGGER, json={"task_inputs": [base64_input(text)]})

    assert response.status_code == 422
    assert response.json() == {
        "code": 9,
        "message": f"task_inputs[0].detection.image_base64 is not valid base64 ({reason}). Send the "
        "standard base64 of the image file, for example the output of `base64 -w0 image.jpg`.",
        "details": [],
    }


def test_trigger_remote_url_is_fetched(api, gateway):
    response = api.post(TRIGGER, json={"task_inputs": [url_input(f"{gateway}/samples/chelsea.jpg")]})

    assert response.status_code == 200
    assert objects_of(response.json()) == [CAT_OBJECTS]


def test_trigger_own_url_over_loopback(gateway):
    import requests

    response = requests.post(
        f"{gateway}{TRIGGER}",
        json={"task_inputs": [url_input(f"{gateway}/samples/coffee.jpg")]},
        timeout=10,
    )

    assert response.status_code == 200
    assert objects_of(response.json()) == [COFFEE_OBJECTS]


def test_multipart_one_file_returns_detections(api):
    response = api.post(TRIGGER_MULTIPART, files=[file_part("chelsea.jpg")])

    assert response.status_code == 200
    body = response.json()
    assert objects_of(body) == [CAT_OBJECTS]
    assert body["model_outputs"][0]["task_outputs"][0]["index"] == body["data_mapping_indices"][0]


def test_multipart_several_files_keeps_order(api):
    response = api.post(TRIGGER_MULTIPART, files=[file_part("coffee.jpg"), file_part("horse.png")])

    assert response.status_code == 200
    body = response.json()
    assert len(body["data_mapping_indices"]) == 2
    assert objects_of(body) == [COFFEE_OBJECTS, HORSE_OBJECTS]


def test_legacy_trigger_routes_work(api):
    json_response = api.post(
        "/v1alpha/pipelines/vdp-101-sync/trigger", json={"task_inputs": [base64_input(base64_of("horse.png"))]}
    )
    multipart_response = api.post("/v1alpha/pipelines/vdp-101-sync/trigger-multipart", files=[file_part("horse.png")])

    assert json_response.status_code == 200
    assert objects_of(json_response.json()) == [HORSE_OBJECTS]
    assert multipart_response.status_code == 200
    assert objects_of(multipart_response.json()) == [HORSE_OBJECTS]


def test_trigger_without_content_type_reads_json(api):
    body = b'{"task_inputs": [{"detection": {"image_url": "http://testserver/samples/coffee.jpg"}}]}'

    response = api.post(TRIGGER, content=body)

    assert response.status_code == 200
    assert objects_of(response.json()) == [COFFEE_OBJECTS]


# -- Request errors (400) -----------------------------------------------------------


def test_trigger_unknown_pipeline_returns_404(api):
    response = api.post(
        "/v1alpha/pipelines/missing/triggerSync", json={"task_inputs": [base64_input(base64_of("horse.png"))]}
    )

    assert response.status_code == 404
    assert response.json() == {
        "code": 5,
        "message": "Pipeline 'missing' was not found. List pipelines with GET /v1alpha/pipelines to check the id.",
        "details": [],
    }


def test_multipart_unknown_pipeline_returns_404(api):
    response = api.post("/v1alpha/pipelines/missing/triggerSyncMultipart", files=[file_part("horse.png")])

    assert response.status_code == 404
    assert response.json()["code"] == 5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Missing required field 'task_inputs'."),
        ({"task_inputs": []}, "Invalid field 'task_inputs': List should have at least 1 item after validation, not 0 (received [])."),
        ({"task_inputs": "dog.jpg"}, "Invalid field 'task_inputs': Input should be a valid list (received 'dog.jpg')."),
        ({"task_inputs": [{}]}, "Missing required field 'task_inputs[0].detection'."),
        (
            {"task_inputs": [{"detection": {"image_url": 7}}]},
            "Invalid field 'task_inputs[0].detection.image_url': Input should be a valid string (received 7).",
        ),
        (
            {"task_inputs": [{"detection": {}}]},
            "Invalid field 'task_inputs[0].detection': set exactly one of 'image_url' or 'image_base64' (received {}).",
        ),
        (
            {"task_inputs": [{"detection": {"image_url": "http://testserver/samples/coffee.jpg", "image_base64": "AA=="}}]},
            "Invalid field 'task_inputs[0].detection': set exactly one of 'image_url' or 'image_base64' "
            "(received {'image_url': 'http://testserver/samples/coffee.jpg', 'image_base64': 'AA=='}).",
        ),
        (
            {"task_inputs": [{"detection": {"image_uri": "http://testserver/samples/coffee.jpg"}}]},
            "Unknown field 'task_inputs[0].detection.image_uri'. Check its spelling against the v1alpha API.",
        ),
    ],
)
def test_trigger_invalid_body_returns_400(api, body, message):
    response = api.post(TRIGGER, json=body)

    assert response.status_code == 400
    assert response.json() == {"code": 3, "message": message, "details": []}


def test_trigger_malformed_json_returns_400(api):
    response = api.post(TRIGGER, content=b'{"task_inputs": [', headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["message"] == (
        "The request body is not valid JSON: Expecting value at position 17. Send a JSON object."
    )


def test_trigger_null_body_returns_400(api):
    response = api.post(TRIGGER, content=b"null", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["message"] == "The request body is missing or null. Send a JSON object."


def test_multipart_without_file_part_returns_400(api):
    response = api.post(TRIGGER_MULTIPART, files=[("image", ("horse.png", b"x", "image/png"))])

    assert response.status_code == 400
    assert response.json()["message"] == "The multipart body has no 'file' part. Send one 'file' part per image."


# -- Unusable images (422) ------------------------------------------------------------


def test_trigger_undecodable_base64_image_returns_422(api):
    text = base64.b64encode(b"this is not an image").decode()

    response = api.post(TRIGGER, json={"task_inputs": [base64_input(text)]})

    assert response.status_code == 422
    assert response.json()["code"] == 9
    assert response.json()["message"].startswith(
        "task_inputs[0].detection.image_base64 is not a decodable image (20 bytes): "
    )
    assert response.json()["message"].endswith("Send a JPEG or PNG file.")


def test_undecodable_image_fails_every_attempt(api):
    text = base64.b64encode(b"this is not an image").decode()
    message = (
        "task_inputs[0].detection.image_base64 is not a decodable image (20 bytes): the format is not "
        "one that Pillow recognises. Send a JPEG or PNG file."
    )

    for _ in range(2):
        response = api.post(TRIGGER, json={"task_inputs": [base64_input(text)]})
        assert response.status_code == 422
        assert response.json() == {"code": 9, "message": message, "details": []}


def test_repeated_upload_keeps_detections(api):
    first = api.post(TRIGGER_MULTIPART, files=[file_part("coffee.jpg")])
    second = api.post(TRIGGER, json={"task_inputs": [base64_input(base64_of("coffee.jpg"))]})
    third = api.post(TRIGGER_MULTIPART, files=[file_part("coffee.jpg")])

    assert [response.status_code for response in (first, second, third)] == [200, 200, 200]
    assert objects_of(first.json()) == [COFFEE_OBJECTS]
    assert objects_of(second.json()) == [COFFEE_OBJECTS]
    assert objects_of(third.json()) == [COFFEE_OBJECTS]
    assert api.app.state.detector.cached_file_count == 1


@pytest.fixture
def thread_calls(monkeypatch) -> list[str]:
    """Record the functions that the SYNC trigger routes hand to a worker thread."""
    calls: list[str] = []
    real_run_in_threadpool = triggers.run_in_threadpool

    async def counting_run_in_threadpool(function, *args, **kwargs):
        calls.append(function.__name__)
        return await real_run_in_threadpool(function, *args, **kwargs)

    monkeypatch.setattr(triggers, "run_in_threadpool", counting_run_in_threadpool)
    return calls


def test_cached_base64_skips_worker_thread(api, thread_calls):
    body = {"task_inputs": [base64_input(base64_of("chelsea.jpg")), base64_input(base64_of("horse.png"))]}

    first = api.post(TRIGGER, json=body)
    calls_after_first = list(thread_calls)
    second = api.post(TRIGGER, json=body)

    assert calls_after_first == ["_trigger_sync"]
    assert thread_calls == ["_trigger_sync"]
    assert objects_of(first.json()) == [CAT_OBJECTS, HORSE_OBJECTS]
    assert objects_of(second.json()) == [CAT_OBJECTS, HORSE_OBJECTS]


def test_rewrapped_base64_uses_worker_thread(api, thread_calls):
    text = base64_of("horse.png")
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))

    responses = [api.post(TRIGGER, json={"task_inputs": [base64_input(body)]}) for body in (text, wrapped, wrapped)]

    # The wrapped text is another cache key, though it decodes to the same file.
    assert thread_calls == ["_trigger_sync", "_trigger_sync"]
    assert [objects_of(response.json()) for response in responses] == [[HORSE_OBJECTS]] * 3
    assert api.app.state.detector.cached_file_count == 1


def test_cached_multipart_skips_worker_thread(api, thread_calls):
    first = api.post(TRIGGER_MULTIPART, files=[file_part("coffee.jpg")])
    second = api.post(TRIGGER_MULTIPART, files=[file_part("coffee.jpg")])

    assert thread_calls == ["_trigger_sync"]
    assert objects_of(first.json()) == [COFFEE_OBJECTS]
    assert objects_of(second.json()) == [COFFEE_OBJECTS]


def test_large_input_uses_worker_thread(api, thread_calls, monkeypatch):
    monkeypatch.setattr(trigger_inputs, "CACHED_LOOKUP_LIMIT", 2000)
    json_body = {"task_inputs": [base64_input(base64_of("chelsea.jpg"))]}

    responses = [api.post(TRIGGER, json=json_body) for _ in range(2)]
    responses += [api.post(TRIGGER_MULTIPART, files=[file_part("chelsea.jpg")]) for _ in range(2)]

    assert thread_calls == ["_trigger_sync"] * 4
    assert [objects_of(response.json()) for response in responses] == [[CAT_OBJECTS]] * 4


def test_url_input_uses_worker_thread(api, thread_calls):
    body = {"task_inputs": [base64_input(base64_of("horse.png")), url_input("http://testserver/samples/horse.png")]}

    responses = [api.post(TRIGGER, json=body) for _ in range(2)]

    assert thread_calls == ["_trigger_sync"] * 2
    assert [objects_of(response.json()) for response in responses] == [[HORSE_OBJECTS, HORSE_OBJECTS]] * 2


def test_cached_input_unknown_pipeline_returns_404(api):
    body = {"task_inputs": [base64_input(base64_of("horse.png"))]}
    api.post(TRIGGER, json=body)

    response = api.post("/v1alpha/pipelines/missing/triggerSync", json=body)
    multipart_response = api.post("/v1alpha/pipelines/missing/triggerSyncMultipart", files=[file_part("horse.png")])

    assert response.status_code == 404
    assert response.json()["code"] == 5
    assert multipart_response.status_code == 404
    assert multipart_response.json() == response.json()


def test_sqlite_store_lookup_uses_thread(tmp_path: Path, thread_calls):
    from fastapi.testclient import TestClient

    from vdp101.gateway import create_app

    body = {"task_inputs": [base64_input(base64_of("coffee.jpg"))]}
    with TestClient(create_app(data_dir=tmp_path)) as client:
        first = client.post(TRIGGER, json=body)
        second = client.post(TRIGGER, json=body)

    assert thread_calls == ["_trigger_sync", "find_triggerable"]
    assert objects_of(first.json()) == [COFFEE_OBJECTS]
    assert objects_of(second.json()) == [COFFEE_OBJECTS]


def test_trigger_invalid_base64_returns_422(api):
    response = api.post(TRIGGER, json={"task_inputs": [base64_input("abc")]})

    assert response.status_code == 422
    assert response.json() == {
        "code": 9,
        "message": "task_inputs[0].detection.image_base64 is not valid base64 (Incorrect padding). Send the "
        "standard base64 of the image file, for example the output of `base64 -w0 image.jpg`.",
        "details": [],
    }


def test_trigger_second_input_error_names_position(api):
    task_inputs = [base64_input(base64_of("horse.png")), base64_input("")]

    response = api.post(TRIGGER, json={"task_inputs": task_inputs})

    assert response.status_code == 422
    assert response.json()["message"] == (
        "task_inputs[1].detection.image_base64 is empty. Send the bytes of a JPEG or PNG image."
    )


def test_multipart_undecodable_file_returns_422(api):
    response = api.post(TRIGGER_MULTIPART, files=[file_part("horse.png"), ("file", ("notes.txt", b"hello", "text/plain"))])

    assert response.status_code == 422
    assert response.json()["code"] == 9
    assert response.json()["message"].startswith("File part 1 ('notes.txt') is not a decodable image (5 bytes): ")


def test_trigger_unreachable_url_returns_422(api):
    url = f"http://127.0.0.1:{unused_port()}/dog.jpg"

    response = api.post(TRIGGER, json={"task_inputs": [url_input(url)]})

    assert response.status_code == 422
    assert response.json()["code"] == 9
    assert response.json()["message"].startswith(f"Image URL {url} could not be fetched: ")


def test_trigger_url_http_error_returns_422(api, gateway):
    url = f"{gateway}/samples/missing.jpg"

    response = api.post(TRIGGER, json={"task_inputs": [url_input(url)]})

    assert response.status_code == 422
    assert response.json()["message"] == (
        f"Image URL {url} could not be fetched: the server answered HTTP 404. Check that the URL opens in a browser."
    )


def test_trigger_missing_own_sample_returns_422(api):
    url = "http://testserver/samples/unicorn.jpg"

    response = api.post(TRIGGER, json={"task_inputs": [url_input(url)]})

    assert response.status_code == 422
    assert response.json()["message"] == (
        f"Image URL {url} could not be fetched: this gateway has no sample named 'unicorn.jpg'. "
        "GET /samples lists the samples."
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [("http://[::1", "Invalid IPv6 URL"), ("http://testserver:99999/samples/x.jpg", "Port out of range 0-65535")],
)
def test_trigger_unparseable_url_returns_422(api, url, reason):
    response = api.post(TRIGGER, json={"task_inputs": [url_input(url)]})

    assert response.status_code == 422
    assert response.json() == {
        "code": 9,
        "message": f"Image URL {url!r} is not a valid URL ({reason}). Check its host and port.",
        "details": [],
    }


def test_trigger_non_http_url_returns_422(api):
    response = api.post(TRIGGER, json={"task_inputs": [url_input("file:///etc/passwd")]})

    assert response.status_code == 422
    assert response.json()["message"] == (
        "Image URL 'file:///etc/passwd' is not an http or https URL. "
        "Send a web address, or send the file with image_base64 or multipart."
    )


# -- Pipeline mode and state (422) -------------------------------------------------------


def test_trigger_grpc_source_pipeline_returns_422(api):
    create_pipeline(
        api, "grpc-only", "source-connectors/source-grpc", "models/yolov7", "destination-connectors/destination-grpc"
    )

    response = api.post("/v1alpha/pipelines/grpc-only/triggerSync", json={"task_inputs": [base64_input("AA==")]})

    assert response.status_code == 422
    assert response.json() == {
        "code": 9,
        "message": "Pipeline 'grpc-only' has the source 'source-connectors/source-grpc' and is triggered over gRPC "
        "only. Trigger a pipeline whose source is 'source-connectors/source-http'.",
        "details": [],
    }


def test_trigger_async_pipeline_on_sync_path_returns_422(api):
    create_pipeline(api, "to-db", "source-connectors/source-http", "models/yolov7", "destination-connectors/postgres-db")

    response = api.post("/v1alpha/pipelines/to-db/triggerSync", json={"task_inputs": [base64_input("AA==")]})

    assert response.status_code == 422
    assert response.json()["message"] == (
        "Pipeline 'to-db' is MODE_ASYNC, but this endpoint triggers MODE_SYNC pipelines. "
        "Use POST /v1alpha/pipelines/to-db/triggerAsync."
    )


def test_multipart_async_pipeline_returns_422(api):
    create_pipeline(api, "to-db", "source-connectors/source-http", "models/yolov7", "destination-connectors/postgres-db")

    response = api.post("/v1alpha/pipelines/to-db/triggerSyncMultipart", files=[file_part("horse.png")])

    assert response.status_code == 422
    assert response.json()["code"] == 9


def test_trigger_inactive_pipeline_returns_422(api):
    create_pipeline(api, "paused", "source-connectors/source-http", "models/yolov7", "destination-connectors/postgres-db")
    api.post("/v1alpha/pipelines/paused/deactivate")

    response = api.post("/v1alpha/pipelines/paused/triggerSync", json={"task_inputs": [base64_input("AA==")]})

    assert response.status_code == 422
    assert response.json()["message"] == (
        "Pipeline 'paused' is STATE_INACTIVE. Activate it with POST /v1alpha/pipelines/paused/activate "
        "and trigger it again."
    )


def test_legacy_trigger_async_pipeline_returns_422(api):
    create_pipeline(api, "to-db", "source-connectors/source-http", "models/yolov7", "destination-connectors/postgres-db")

    response = api.post("/v1alpha/pipelines/to-db/trigger", json={"task_inputs": [base64_input("AA==")]})

    assert response.status_code == 422
    assert response.json()["code"] == 9


def test_samples_dir_option_serves_other_images(tmp_path: Path):
    from fastapi.testclient import TestClient

    from vdp101.gateway import create_app

    (tmp_path / "red.png").write_bytes(png_bytes((8, 8), (255, 0, 0)))
    client = TestClient(create_app(samples_dir=tmp_path))

    listing = client.get("/samples")
    response = client.post(TRIGGER, json={"task_inputs": [url_input("http://testserver/samples/red.png")]})

    assert listing.json() == {"samples": ["red.png"]}
    assert response.status_code == 200
    assert objects_of(response.json()) == [[]]
