"""Tests for the exercise checkers of parts 1 to 3: right answers, wrong answers and their hints."""

from __future__ import annotations

import pytest

from vdp101.exercises import check

TWO_MODEL_RECIPE = {
    "version": "v1alpha",
    "components": [
        {"id": "source", "resource_name": "source-connectors/source-http"},
        {"id": "yolov7", "resource_name": "models/yolov7"},
        {"id": "yolov7-tiny", "resource_name": "models/yolov7-tiny"},
        {"id": "destination", "resource_name": "destination-connectors/destination-http"},
    ],
}


def _recipe_with(**replacements):
    """Return TWO_MODEL_RECIPE with the resource names of the given component ids replaced."""
    components = [
        {**component, "resource_name": replacements.get(component["id"], component["resource_name"])}
        for component in TWO_MODEL_RECIPE["components"]
    ]
    return {"version": "v1alpha", "components": components}


def _hint(exercise_id, answer):
    feedback = check(exercise_id, answer)
    assert feedback.passed is False
    return feedback.message


# 01-1


def test_etl_mapping_correct():
    feedback = check("01-1", {"extract": "source", "transform": "model", "load": "destination"})

    assert feedback.passed is True
    assert feedback.message == (
        "The source extracts the data, the model transforms it and the destination loads the results."
    )


def test_etl_mapping_ignores_case_and_spaces():
    assert check("01-1", {"Extract": " Source", "TRANSFORM": "model", "load": "Destination "}).passed is True


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (["source", "model", "destination"], "The answer should be a dict that maps each ETL step to a component, not list."),
        ({"extract": "source", "transform": "model"}, "The dict lacks the key 'load'. Use the keys 'extract', 'transform' and 'load'."),
        (
            {"extract": "source", "transform": "model", "load": "destination", "train": "model"},
            "Remove the key 'train': a pipeline has only the steps extract, transform and load.",
        ),
        (
            {"extract": "model", "transform": "source", "load": "destination"},
            "The model does not extract the data. Look at the column headers of the pipeline figure.",
        ),
        (
            {"extract": "http", "transform": "model", "load": "destination"},
            "'http' is not a component kind. Use 'source', 'model' or 'destination' as values.",
        ),
    ],
)
def test_etl_mapping_wrong_gives_hint(answer, hint):
    assert _hint("01-1", answer) == hint


# 01-2


def test_modes_correct_with_or_without_prefix():
    assert check("01-2", ["MODE_SYNC", "MODE_ASYNC"]).passed is True
    assert check("01-2", ("sync", "Async")).passed is True


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ("MODE_SYNC", 'The answer should be a list of 2 modes, one per application, such as ["MODE_ASYNC", "MODE_ASYNC"].'),
        (["MODE_SYNC"], 'The answer should be a list of 2 modes, one per application, such as ["MODE_ASYNC", "MODE_ASYNC"].'),
        (["MODE_PULL", "MODE_ASYNC"], "Application a: 'MODE_PULL' is not a mode. Write 'MODE_SYNC' or 'MODE_ASYNC'."),
        (
            ["MODE_ASYNC", "MODE_ASYNC"],
            "Application a needs the other mode. Ask whether it waits for the detections in the response, "
            "or only needs them stored.",
        ),
        (
            ["MODE_SYNC", "MODE_SYNC"],
            "Application b needs the other mode. Ask whether it waits for the detections in the response, "
            "or only needs them stored.",
        ),
    ],
)
def test_modes_wrong_gives_hint(answer, hint):
    assert _hint("01-2", answer) == hint


# 01-3


def test_coffee_categories_correct():
    feedback = check("01-3", ["cup", "dining table", "spoon"])

    assert feedback.passed is True
    assert feedback.message == "The local gateway finds 3 objects in coffee.jpg: cup, dining table, spoon."


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ("cup", "The answer should be a list of category names (strings), not str."),
        (
            ["cat"],
            "'cat' is not among the objects the local gateway returns for coffee.jpg. "
            "Check that you triggered the pipeline on coffee.jpg.",
        ),
        (
            ["cup", "spoon"],
            "Your list has 2 names, but the response for coffee.jpg has 3 objects. Take the category of every object.",
        ),
        (["cup", "spoon", "dining table"], "The names are right. Sort them alphabetically with sorted()."),
    ],
)
def test_coffee_categories_wrong_gives_hint(answer, hint):
    assert _hint("01-3", answer) == hint


# 02-1


def test_health_url_function_correct():
    def health_url(gateway_url):
        return gateway_url.rstrip("/") + "/v1alpha/health/pipeline"

    feedback = check("02-1", health_url)

    assert feedback.passed is True
    assert feedback.message == "The function appends /v1alpha/health/pipeline to the gateway URL, with or without a trailing '/'."


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (
            "http://localhost:8080/v1alpha/health/pipeline",
            "The answer should be a function that takes a gateway URL, not str. "
            "Assign the function itself, without calling it.",
        ),
        (
            lambda url: url + "/v1alpha/health/pipeline",
            "health_url('http://localhost:8080/') returned 'http://localhost:8080//v1alpha/health/pipeline'. "
            "Strip the trailing '/' of the gateway URL first.",
        ),
        (
            lambda url: url + "/health/pipeline",
            "health_url('http://localhost:8080') returned 'http://localhost:8080/health/pipeline'. "
            "The URL should end with the health check path that the notebook calls.",
        ),
        (
            lambda url: "http://localhost:8080/v1alpha/health/pipeline",
            "health_url('http://192.168.1.20:8080') returned 'http://localhost:8080/v1alpha/health/pipeline'. "
            "Keep the scheme, host and port of the gateway URL.",
        ),
        (lambda url: None, "health_url('http://localhost:8080') returned NoneType. Return the URL as a string."),
        (lambda url: url.missing, "health_url('http://localhost:8080') raised AttributeError: 'str' object has no attribute 'missing'"),
    ],
)
def test_health_url_wrong_gives_hint(answer, hint):
    assert _hint("02-1", answer) == hint


# 02-2


def test_serving_status_correct():
    feedback = check("02-2", "SERVING_STATUS_SERVING")

    assert feedback.passed is True
    assert feedback.message == "SERVING_STATUS_SERVING means the pipeline service accepts requests."


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ({"status": "SERVING_STATUS_SERVING"}, "That is an object of the response. Go down to the 'status' field inside it."),
        (200, "The answer should be the status string, not int."),
        (
            "SERVING",
            "'SERVING' is not the status the gateway returns. Copy the value of "
            "health_check_response.status exactly, without changing it.",
        ),
    ],
)
def test_serving_status_wrong_gives_hint(answer, hint):
    assert _hint("02-2", answer) == hint


# 02-3


@pytest.mark.parametrize(
    "value",
    ["http://localhost:8080", "http://localhost:8080/", "http://127.0.0.1:8080/v1alpha"],
)
def test_gateway_variable_correct(value):
    feedback = check("02-3", ("VDP_API_GATEWAY_URL", value))

    assert feedback.passed is True
    assert feedback.message == f"With VDP_API_GATEWAY_URL={value} every notebook talks to the VDP on this machine."


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ("http://localhost:8080", 'The answer should be a pair of strings: ("VARIABLE_NAME", "value").'),
        (
            ("VDP_URL", "http://localhost:8080"),
            "'VDP_URL' is not the environment variable that vdp101.connect() reads. "
            "Find its name in the section about a real VDP.",
        ),
        (
            ("VDP_API_GATEWAY_URL", "http://localhost:3000"),
            "Port 3000 serves the console, the web UI. The notebooks talk to the API gateway.",
        ),
        (
            ("VDP_API_GATEWAY_URL", "http://localhost:9080"),
            "'http://localhost:9080' is not the API gateway of a VDP started with `make all` on this machine. "
            "Check the host and the port.",
        ),
        (
            ("VDP_API_GATEWAY_URL", "localhost:8080"),
            "'localhost:8080' is not a full URL. Start it with the scheme http://.",
        ),
    ],
)
def test_gateway_variable_wrong_gives_hint(answer, hint):
    assert _hint("02-3", answer) == hint


# 03-1


def test_two_model_recipe_correct():
    feedback = check("03-1", TWO_MODEL_RECIPE)

    assert feedback.passed is True
    assert feedback.message == (
        "This SYNC recipe runs both models on every image, so the trigger response has one "
        "model_outputs entry per model."
    )


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ([], "The answer should be the recipe as a dict, not list."),
        ({"components": TWO_MODEL_RECIPE["components"]}, "Set the recipe's 'version' to 'v1alpha'."),
        ({"version": "v1alpha", "components": []}, "Give the recipe a 'components' list with one dict per component."),
        (
            {"version": "v1alpha", "components": ["models/yolov7"]},
            "components[0] should be a dict with 'id' and 'resource_name', not str.",
        ),
        (
            {"version": "v1alpha", "components": [{"id": "-source", "resource_name": "source-connectors/source-http"}]},
            "components[0] has the id '-source'. Use letters, digits, '-' or '_', "
            "starting and ending with a letter or digit.",
        ),
        (
            {"version": "v1alpha", "components": [{"id": "model"}]},
            "components[0] needs a 'resource_name' string, such as 'models/yolov7'.",
        ),
        (
            {"version": "v1alpha", "components": [{**component, "id": "same"} for component in TWO_MODEL_RECIPE["components"]]},
            "The id 'same' is used twice. Give each component its own id.",
        ),
        (
            _recipe_with(source="source-connectors/source-grpc"),
            "The recipe has the sources ['source-connectors/source-grpc']. It needs exactly one: the HTTP source connector.",
        ),
        (
            _recipe_with(**{"yolov7-tiny": "models/yolov7"}),
            "The recipe has the models ['models/yolov7', 'models/yolov7']. "
            "It needs both detection models of the local gateway, once each.",
        ),
        (
            {"version": "v1alpha", "components": [c for c in TWO_MODEL_RECIPE["components"] if c["id"] != "yolov7-tiny"]},
            "The recipe has the models ['models/yolov7']. It needs both detection models of the local gateway, once each.",
        ),
        (
            _recipe_with(destination="destination-connectors/postgres-db"),
            "The recipe has the destinations ['destination-connectors/postgres-db']. A SYNC pipeline with an "
            "HTTP source needs the destination of the same protocol, alone.",
        ),
        (
            {
                "version": "v1alpha",
                "components": [*TWO_MODEL_RECIPE["components"], {"id": "extra", "resource_name": "connectors/csv"}],
            },
            "'connectors/csv' is not a connector or model. Remove it.",
        ),
    ],
)
def test_two_model_recipe_wrong_gives_hint(answer, hint):
    assert _hint("03-1", answer) == hint


# 03-2


def test_recipe_modes_correct():
    feedback = check("03-2", ["MODE_SYNC", "MODE_ASYNC", None])

    assert feedback.passed is True
    assert feedback.message == "Matching protocols give SYNC, a data destination gives ASYNC, and mixed protocols are rejected."


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (
            ["MODE_SYNC", "MODE_ASYNC"],
            "The answer should be a list of 3 values, one per recipe: 'MODE_SYNC', 'MODE_ASYNC' or None.",
        ),
        (["SYNC", "MODE_ASYNC", None], "Recipe a: write 'MODE_SYNC', 'MODE_ASYNC' or None, not 'SYNC'."),
        (
            ["MODE_ASYNC", "MODE_ASYNC", None],
            "Recipe a pairs 'source-connectors/source-grpc' with 'destination-connectors/destination-grpc'. "
            "Compare the protocols of the two connectors, or create the pipeline and read its mode.",
        ),
        (
            ["MODE_SYNC", "MODE_ASYNC", "MODE_SYNC"],
            "Recipe c pairs 'source-connectors/source-http' with 'destination-connectors/destination-grpc'. "
            "Would the gateway accept it? Try to create it.",
        ),
    ],
)
def test_recipe_modes_wrong_gives_hint(answer, hint):
    assert _hint("03-2", answer) == hint


# 03-3


def test_full_recipe_resources_correct_any_order():
    feedback = check(
        "03-3",
        ["models/yolov7", "source-connectors/source-http", "destination-connectors/destination-http"],
    )

    assert feedback.passed is True
    assert feedback.message == "vdp-101-sync reads images over HTTP, runs YOLOv7 and answers over HTTP."


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (None, "The default view leaves the recipe out. Request the view that includes it."),
        ({"components": []}, "The answer should be a list of resource names (strings), not dict."),
        (["pipelines/vdp-101-sync"], "Those are pipeline names. Take the 'resource_name' of each component of the recipe."),
        (
            ["models/yolov7"],
            "Your list has ['models/yolov7']. Take the 'resource_name' of every component in "
            "recipe['components'] of vdp-101-sync.",
        ),
    ],
)
def test_full_recipe_resources_wrong_gives_hint(answer, hint):
    assert _hint("03-3", answer) == hint
