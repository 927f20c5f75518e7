"""Tests for the exercise checkers of parts 4 to 6: correct answers pass, wrong ones get a hint."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace

import pytest
import requests

from vdp101.exercises import check
from vdp101.exercises.part05 import SHUFFLED_RESPONSE
from vdp101.samples import sample_path

API_URL = "http://127.0.0.1:8080/v1alpha"
MULTIPART_FILES = ("chelsea.jpg", "coffee.jpg", "horse.png")


def _url_body(*urls):
    return {"task_inputs": [{"detection": {"image_url": url}} for url in urls]}


def _base64_body(encoded):
    return {"task_inputs": [{"detection": {"image_base64": encoded}}]}


def _response(method, path, *, status=200, body=None, **request_options):
    """Build a requests.Response to a prepared request, as requests.post returns it, without a network."""
    prepared = requests.Request(method, API_URL + path, **request_options).prepare()
    response = requests.Response()
    response.request = prepared
    response.url = prepared.url
    response.status_code = status
    response._content = json.dumps(body if body is not None else {}).encode()
    return response


def _multipart_response(names, *, path="/pipelines/vdp-101-sync/triggerSyncMultipart", status=200, count=None):
    files = [("file", (name, sample_path(name).read_bytes())) for name in names]
    indices = [f"01H00000000000000000000{n:03d}" for n in range(len(names) if count is None else count)]
    return _response("POST", path, status=status, body={"data_mapping_indices": indices}, files=files)


# 04-1


def test_04_1_two_urls_pass():
    feedback = check("04-1", _url_body("http://127.0.0.1:8080/samples/chelsea.jpg", "https://example.org/dog.jpg"))

    assert feedback.passed is True
    assert feedback.message == (
        "Two detection inputs, each with an image_url. The response has two data_mapping_indices, "
        "one per input, in the order of task_inputs."
    )


def test_04_1_one_input_is_too_few():
    feedback = check("04-1", _url_body("http://127.0.0.1:8080/samples/chelsea.jpg"))

    assert feedback.passed is False
    assert feedback.message == "task_inputs has 1 entry, but the exercise sends 2 images."


def test_04_1_url_outside_detection_key():
    body = {"task_inputs": [{"image_url": "http://a/1.jpg"}, {"image_url": "http://a/2.jpg"}]}

    feedback = check("04-1", body)

    assert feedback.passed is False
    assert feedback.message == (
        "task_inputs[0] has the keys ['image_url']. Each input is a dict whose key names the task, here 'detection'."
    )


def test_04_1_file_path_is_not_url():
    feedback = check("04-1", _url_body("data/chelsea.jpg", "http://a/2.jpg"))

    assert feedback.passed is False
    assert feedback.message == (
        "task_inputs[0].detection.image_url is 'data/chelsea.jpg'. It should be an http:// or https:// URL, "
        "such as gateway.sample_url('chelsea.jpg')."
    )


def test_04_1_same_url_twice():
    feedback = check("04-1", _url_body("http://a/1.jpg", "http://a/1.jpg"))

    assert feedback.message == "Both inputs have the same URL. Send two different images."


def test_04_1_json_text_is_not_dict():
    feedback = check("04-1", json.dumps(_url_body("http://a/1.jpg", "http://a/2.jpg")))

    assert feedback.message == (
        "The answer should be the request body as a dict, not str. "
        "requests turns the dict into JSON when you pass it as json=."
    )


# 04-2


def test_04_2_horse_base64_passes():
    encoded = base64.b64encode(sample_path("horse.png").read_bytes()).decode("ascii")

    feedback = check("04-2", _base64_body(encoded))

    assert feedback.passed is True
    assert feedback.message.startswith("image_base64 decodes to the bytes of horse.png.")


def test_04_2_bytes_value_gets_hint():
    encoded = base64.b64encode(sample_path("horse.png").read_bytes())

    feedback = check("04-2", _base64_body(encoded))

    assert feedback.passed is False
    assert feedback.message == (
        "image_base64 contains bytes, which JSON cannot carry. base64.b64encode returns bytes: turn them into a str."
    )


def test_04_2_other_sample_is_named():
    encoded = base64.b64encode(sample_path("coffee.jpg").read_bytes()).decode("ascii")

    feedback = check("04-2", _base64_body(encoded))

    assert feedback.message == "image_base64 decodes to the bytes of coffee.jpg, not horse.png."


def test_04_2_encoded_file_name_detected():
    encoded = base64.b64encode(b"data/horse.png").decode("ascii")

    feedback = check("04-2", _base64_body(encoded))

    assert feedback.message == "image_base64 decodes to a file name. Encode the bytes of the file, read in binary mode."


def test_04_2_urlsafe_alphabet_rejected():
    encoded = base64.urlsafe_b64encode(sample_path("horse.png").read_bytes()).decode("ascii")
    assert "-" in encoded or "_" in encoded

    feedback = check("04-2", _base64_body(encoded))

    assert feedback.message == (
        "image_base64 uses the URL-safe base64 alphabet ('-' and '_'). "
        "The API expects standard base64, with '+' and '/'."
    )


def test_04_2_image_url_key_gets_hint():
    feedback = check("04-2", _url_body("http://a/horse.png"))

    assert feedback.message == (
        "task_inputs[0].detection has the keys ['image_url']. An image sent inline goes under the key 'image_base64'."
    )


# 04-3


def test_04_3_three_files_pass():
    feedback = check("04-3", _multipart_response(MULTIPART_FILES))

    assert feedback.passed is True
    assert feedback.message == (
        "Three file parts in one multipart request to triggerSyncMultipart, and three "
        "data_mapping_indices in the response, in the order of the files."
    )


def test_04_3_json_endpoint_gets_hint():
    response = _multipart_response(MULTIPART_FILES, path="/pipelines/vdp-101-sync/triggerSync")

    feedback = check("04-3", response)

    assert feedback.passed is False
    assert feedback.message == (
        "The request went to 'triggerSync'. Files in a multipart body go to the endpoint whose name ends in Multipart."
    )


def test_04_3_old_endpoint_name_explained():
    response = _multipart_response(MULTIPART_FILES, path="/pipelines/vdp-101-sync/trigger-multipart")

    feedback = check("04-3", response)

    assert feedback.message.startswith("The request went to trigger-multipart, the endpoint's name before")


def test_04_3_two_files_are_too_few():
    feedback = check("04-3", _multipart_response(MULTIPART_FILES[:2]))

    assert feedback.message == (
        "The body has 2 parts named 'file'. Send the 3 images chelsea.jpg, coffee.jpg, horse.png, "
        "each in a part named 'file'."
    )


def test_04_3_json_body_is_not_multipart():
    response = _response(
        "POST", "/pipelines/vdp-101-sync/triggerSyncMultipart", json=_url_body("http://a/1.jpg")
    )

    feedback = check("04-3", response)

    assert feedback.message == (
        "The request's Content-Type is 'application/json', not multipart/form-data. "
        "Pass the list of file tuples as files=, not as json= or data=."
    )


def test_04_3_error_status_quotes_gateway():
    response = _multipart_response(MULTIPART_FILES, status=404)
    response._content = b'{"code": 5, "message": "pipeline not found"}'

    feedback = check("04-3", response)

    assert feedback.message == (
        'The gateway replied with HTTP 404: {"code": 5, "message": "pipeline not found"}. '
        "Read its message, fix the request and send it again."
    )


def test_04_3_dict_is_not_response():
    feedback = check("04-3", {"data_mapping_indices": []})

    assert feedback.message == "The answer should be the response that requests.post returns, not dict."


# 05-1


def test_05_1_corners_pass():
    feedback = check("05-1", lambda box: (box.left, box.top, box.left + box.width, box.top + box.height))

    assert feedback.passed is True
    assert feedback.message == (
        "The corners are (left, top) and (left + width, top + height), which is what Pillow's rectangle takes."
    )


def test_05_1_size_instead_of_corner():
    feedback = check("05-1", lambda box: (box.left, box.top, box.width, box.height))

    assert feedback.passed is False
    assert feedback.message == (
        "For SimpleNamespace(left=10, top=20, width=30, height=40) the function returned the box's own fields. "
        "The last two values are the coordinates of the bottom-right corner, not the size."
    )


def test_05_1_swapped_axes_named():
    feedback = check("05-1", lambda box: (box.top, box.left, box.top + box.height, box.left + box.width))

    assert feedback.message == (
        "For SimpleNamespace(left=10, top=20, width=30, height=40) the function returned (20, 10, 60, 40): "
        "x and y are swapped. x comes first."
    )


def test_05_1_dict_access_error_reported():
    feedback = check("05-1", lambda box: (box["left"], box["top"], 0, 0))

    assert feedback.message == (
        "For SimpleNamespace(left=10, top=20, width=30, height=40) the function raised TypeError: "
        "'types.SimpleNamespace' object is not subscriptable"
    )


def test_05_1_called_function_rejected():
    feedback = check("05-1", (10, 20, 40, 60))

    assert feedback.message == "The answer should be your function itself (its name, without parentheses), not tuple."


# 05-2


def _count_all(text):
    counts = {}
    response = json.loads(text, object_hook=lambda d: SimpleNamespace(**d))
    for task_output in response.model_outputs[0].task_outputs:
        for obj in getattr(task_output.detection, "objects", []):
            counts[obj.category] = counts.get(obj.category, 0) + 1
    return counts


def test_05_2_counting_all_outputs_passes():
    feedback = check("05-2", _count_all)

    assert feedback.passed is True
    assert feedback.message.startswith("The counts add up over every image.")


def test_05_2_first_output_only_fails():
    def count_first(text):
        response = json.loads(text, object_hook=lambda d: SimpleNamespace(**d))
        counts = {}
        for obj in response.model_outputs[0].task_outputs[0].detection.objects:
            counts[obj.category] = counts.get(obj.category, 0) + 1
        return counts

    feedback = check("05-2", count_first)

    assert feedback.passed is False
    assert feedback.message == (
        "For a response with two images the function returned {'person': 1, 'dog': 1}, but the response "
        "contains 3 objects. Count the objects of every task output, not only the first."
    )


def test_05_2_missing_objects_field_reported():
    def count_strict(text):
        response = json.loads(text, object_hook=lambda d: SimpleNamespace(**d))
        counts = {}
        for task_output in response.model_outputs[0].task_outputs:
            for obj in task_output.detection.objects:
                counts[obj.category] = counts.get(obj.category, 0) + 1
        return counts

    feedback = check("05-2", count_strict)

    assert feedback.message == (
        "For a response with a detection without an objects field the function raised AttributeError: "
        "'types.SimpleNamespace' object has no attribute 'objects'"
    )


def test_05_2_list_result_rejected():
    feedback = check("05-2", lambda text: ["cup", "spoon"])

    assert feedback.message == (
        "For a response with one image the function returned a list. "
        "Return a dict that maps each category to its number of objects."
    )


# 05-3


def _objects_by_index(text, position):
    response = json.loads(text, object_hook=lambda d: SimpleNamespace(**d))
    index = response.data_mapping_indices[position]
    for task_output in response.model_outputs[0].task_outputs:
        if task_output.index == index:
            return [obj.category for obj in getattr(task_output.detection, "objects", [])]
    return []


def test_05_3_lookup_by_index_passes():
    feedback = check("05-3", _objects_by_index)

    assert feedback.passed is True
    assert feedback.message.startswith("Each input is found through data_mapping_indices[position]")


def test_05_3_lookup_by_position_fails():
    def objects_by_position(text, position):
        response = json.loads(text, object_hook=lambda d: SimpleNamespace(**d))
        task_output = response.model_outputs[0].task_outputs[position]
        return [obj.category for obj in task_output.detection.objects]

    feedback = check("05-3", objects_by_position)

    assert feedback.passed is False
    assert feedback.message == (
        "For the test response and position 0 the function returned ['cup', 'spoon']. In the test response "
        "the task_outputs are in another order than data_mapping_indices: look the output up by its index field."
    )


def test_05_3_shuffled_response_is_valid_json():
    body = json.loads(SHUFFLED_RESPONSE)

    assert [output["index"] for output in body["model_outputs"][0]["task_outputs"]] == [
        body["data_mapping_indices"][2],
        body["data_mapping_indices"][0],
        body["data_mapping_indices"][1],
    ]


# 06-1


def _mode_of(recipe):
    kinds = {c["resource_name"] for c in recipe["components"]}
    sync_destinations = {"destination-connectors/destination-http", "destination-connectors/destination-grpc"}
    return "MODE_SYNC" if kinds & sync_destinations else "MODE_ASYNC"


def test_06_1_destination_rule_passes():
    feedback = check("06-1", _mode_of)

    assert feedback.passed is True
    assert feedback.message.startswith("An HTTP or gRPC destination of the same protocol as the source gives SYNC")


def test_06_1_source_rule_fails():
    def mode_by_source(recipe):
        source = recipe["components"][0]["resource_name"]
        return "MODE_SYNC" if source.endswith("http") else "MODE_ASYNC"

    feedback = check("06-1", mode_by_source)

    assert feedback.passed is False
    assert feedback.message == (
        "For a recipe with gRPC source, gRPC destination the function returned 'MODE_ASYNC'. Look at the "
        "destination: does the response carry the results back, or does the destination keep them?"
    )


def test_06_1_short_mode_name_rejected():
    feedback = check("06-1", lambda recipe: "SYNC")

    assert feedback.message == (
        "For a recipe with HTTP source, HTTP destination the function returned 'SYNC'. "
        "Return 'MODE_SYNC' or 'MODE_ASYNC'."
    )


# 06-2


def _pipeline(pipeline_id="vdp-101-exercise-async", mode="MODE_ASYNC"):
    return {"id": pipeline_id, "name": f"pipelines/{pipeline_id}", "mode": mode, "state": "STATE_ACTIVE"}


@pytest.mark.parametrize("answer", [_pipeline(), {"pipeline": _pipeline()}])
def test_06_2_async_pipeline_passes(answer):
    feedback = check("06-2", answer)

    assert feedback.passed is True
    assert feedback.message.startswith("vdp-101-exercise-async is an ASYNC pipeline")


def test_06_2_sync_pipeline_fails():
    feedback = check("06-2", _pipeline(mode="MODE_SYNC"))

    assert feedback.passed is False
    assert feedback.message == (
        "The pipeline's mode is 'MODE_SYNC'. Its destination decides the mode: "
        "choose one that stores the results instead of returning them."
    )


def test_06_2_wrong_id_named():
    feedback = check("06-2", _pipeline(pipeline_id="my-async"))

    assert feedback.message == "The pipeline's id is 'my-async'. Create it with the id 'vdp-101-exercise-async'."


def test_06_2_response_without_pipeline():
    feedback = check("06-2", {"data_mapping_indices": []})

    assert feedback.message == (
        "The dict has the keys ['data_mapping_indices'], but a pipeline has 'id', 'mode' and 'recipe'. "
        "Pass what create_pipeline returned."
    )
