"""Exercises of part 4: build trigger requests for a SYNC pipeline."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from vdp101.exercises.registry import ExerciseFailed, exercise
from vdp101.samples import sample_names, sample_path

BASE64_SAMPLE = "horse.png"
MULTIPART_SAMPLES = ("chelsea.jpg", "coffee.jpg", "horse.png")
MULTIPART_ENDPOINT = "triggerSyncMultipart"


@exercise("04-1", "Send two images by URL in one JSON body")
def check_two_image_urls(answer: Any) -> str:
    task_inputs = _read_task_inputs(answer, expected_count=2)
    urls = []
    for position, task_input in enumerate(task_inputs):
        detection = _read_detection(task_input, position)
        if "image_url" not in detection:
            raise ExerciseFailed(
                f"task_inputs[{position}].detection has the keys {sorted(detection)}. "
                "An image sent by URL goes under the key 'image_url'."
            )
        url = detection["image_url"]
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise ExerciseFailed(
                f"task_inputs[{position}].detection.image_url is {url!r}. "
                "It should be an http:// or https:// URL, such as gateway.sample_url('chelsea.jpg')."
            )
        urls.append(url)

    if urls[0] == urls[1]:
        raise ExerciseFailed("Both inputs have the same URL. Send two different images.")
    return (
        "Two detection inputs, each with an image_url. The response has two data_mapping_indices, "
        "one per input, in the order of task_inputs."
    )


@exercise("04-2", "Send horse.png as base64")
def check_base64_body(answer: Any) -> str:
    task_inputs = _read_task_inputs(answer, expected_count=1)
    detection = _read_detection(task_inputs[0], 0)
    if "image_base64" not in detection:
        raise ExerciseFailed(
            f"task_inputs[0].detection has the keys {sorted(detection)}. "
            "An image sent inline goes under the key 'image_base64'."
        )

    encoded = detection["image_base64"]
    if isinstance(encoded, bytes):
        raise ExerciseFailed(
            "image_base64 contains bytes, which JSON cannot carry. base64.b64encode returns bytes: "
            "turn them into a str."
        )
    if not isinstance(encoded, str):
        raise ExerciseFailed(f"image_base64 should be a str, not {type(encoded).__name__}.")
    if encoded.startswith("data:"):
        raise ExerciseFailed("image_base64 starts with a data URI prefix. Send the base64 text alone.")
    if "-" in encoded or "_" in encoded:
        raise ExerciseFailed(
            "image_base64 uses the URL-safe base64 alphabet ('-' and '_'). "
            "The API expects standard base64, with '+' and '/'."
        )
    try:
        decoded = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise ExerciseFailed(f"image_base64 is not valid base64 ({error}).") from None

    expected = sample_path(BASE64_SAMPLE).read_bytes()
    if decoded == expected:
        return (
            f"image_base64 decodes to the bytes of {BASE64_SAMPLE}. The gateway decodes the PNG "
            "itself, so the file is sent as it is on disk, not converted to JPEG."
        )
    raise ExerciseFailed(_describe_wrong_bytes(decoded))


@exercise("04-3", "Upload three files in one multipart request")
def check_multipart_response(answer: Any) -> str:
    request = getattr(answer, "request", None)
    if request is None or not hasattr(answer, "status_code"):
        raise ExerciseFailed(
            f"The answer should be the response that requests.post returns, not {type(answer).__name__}."
        )

    path = urlsplit(request.url).path
    if path.endswith("/trigger-multipart"):
        raise ExerciseFailed(
            "The request went to trigger-multipart, the endpoint's name before SYNC and ASYNC "
            "pipelines were split. Use the multipart endpoint of SYNC pipelines."
        )
    if not path.endswith("/" + MULTIPART_ENDPOINT):
        endpoint = path.rsplit("/", 1)[-1]
        raise ExerciseFailed(
            f"The request went to {endpoint!r}. Files in a multipart body go to the endpoint "
            "whose name ends in Multipart."
        )

    content_type = request.headers.get("Content-Type", "")
    if not content_type.startswith("multipart/form-data"):
        raise ExerciseFailed(
            f"The request's Content-Type is {content_type!r}, not multipart/form-data. "
            "Pass the list of file tuples as files=, not as json= or data=."
        )
    body = request.body if isinstance(request.body, bytes) else b""
    file_parts = body.count(b'name="file"')
    if file_parts != len(MULTIPART_SAMPLES):
        raise ExerciseFailed(
            f"The body has {file_parts} parts named 'file'. Send the {len(MULTIPART_SAMPLES)} images "
            f"{', '.join(MULTIPART_SAMPLES)}, each in a part named 'file'."
        )

    if answer.status_code != 200:
        raise ExerciseFailed(
            f"The gateway replied with HTTP {answer.status_code}: {answer.text[:200]}. "
            "Read its message, fix the request and send it again."
        )
    indices = _read_indices(answer)
    if len(indices) != len(MULTIPART_SAMPLES):
        raise ExerciseFailed(
            f"The response has {len(indices)} data_mapping_indices, but three images were expected. "
            f"Send {', '.join(MULTIPART_SAMPLES)}."
        )
    return (
        "Three file parts in one multipart request to triggerSyncMultipart, and three "
        "data_mapping_indices in the response, in the order of the files."
    )


def _read_task_inputs(answer: Any, *, expected_count: int) -> list[Any]:
    if not isinstance(answer, Mapping):
        raise ExerciseFailed(
            f"The answer should be the request body as a dict, not {type(answer).__name__}. "
            "requests turns the dict into JSON when you pass it as json=."
        )
    if "task_inputs" not in answer:
        raise ExerciseFailed(f"The body has the keys {sorted(answer)}. The list of inputs goes under 'task_inputs'.")
    task_inputs = answer["task_inputs"]
    if not isinstance(task_inputs, list):
        raise ExerciseFailed(f"task_inputs should be a list with one entry per image, not {type(task_inputs).__name__}.")
    if len(task_inputs) != expected_count:
        images = "one image" if expected_count == 1 else f"{expected_count} images"
        entries = "1 entry" if len(task_inputs) == 1 else f"{len(task_inputs)} entries"
        raise ExerciseFailed(f"task_inputs has {entries}, but the exercise sends {images}.")
    return task_inputs


def _read_detection(task_input: Any, position: int) -> Mapping[str, Any]:
    if not isinstance(task_input, Mapping) or "detection" not in task_input:
        found = f"has the keys {sorted(task_input)}" if isinstance(task_input, Mapping) else f"is a {type(task_input).__name__}"
        raise ExerciseFailed(
            f"task_inputs[{position}] {found}. Each input is a dict whose key names the task, "
            "here 'detection'."
        )
    detection = task_input["detection"]
    if not isinstance(detection, Mapping):
        raise ExerciseFailed(f"task_inputs[{position}].detection should be a dict, not {type(detection).__name__}.")
    return detection


def _describe_wrong_bytes(decoded: bytes) -> str:
    for name in sample_names():
        if decoded == sample_path(name).read_bytes():
            return f"image_base64 decodes to the bytes of {name}, not {BASE64_SAMPLE}."
    if decoded.rstrip().endswith(BASE64_SAMPLE.encode()):
        return "image_base64 decodes to a file name. Encode the bytes of the file, read in binary mode."
    return (
        f"image_base64 decodes to {len(decoded)} bytes that are not the content of {BASE64_SAMPLE}. "
        "Encode the bytes of the file as they are on disk."
    )


def _read_indices(response: Any) -> list[Any]:
    try:
        body = json.loads(response.text)
    except ValueError:
        raise ExerciseFailed("The response body is not JSON. Check the URL of the request.") from None
    indices = body.get("data_mapping_indices") if isinstance(body, dict) else None
    if not isinstance(indices, list):
        raise ExerciseFailed("The response has no data_mapping_indices list. Check the URL of the request.")
    return indices
