"""Exercises of part 2: health checks and where the gateway runs."""

from __future__ import annotations

from typing import Any

from vdp101.exercises.registry import ExerciseFailed, exercise
from vdp101.urls import normalize_gateway_url

HEALTH_PATH = "/v1alpha/health/pipeline"

# Gateway URLs given to the learner's function in exercise 02-1, with the URL it should return.
HEALTH_URL_CASES = (
    ("http://localhost:8080", "http://localhost:8080/v1alpha/health/pipeline"),
    ("http://localhost:8080/", "http://localhost:8080/v1alpha/health/pipeline"),
    ("http://192.168.1.20:8080", "http://192.168.1.20:8080/v1alpha/health/pipeline"),
)

SERVING_STATUS = "SERVING_STATUS_SERVING"
GATEWAY_URL_VARIABLE = "VDP_API_GATEWAY_URL"
LOCAL_API_URLS = ("http://localhost:8080/v1alpha", "http://127.0.0.1:8080/v1alpha")
CONSOLE_PORT = 3000


@exercise("02-1", "Build the health check URL of a gateway")
def check_health_url(answer: Any) -> str:
    if not callable(answer):
        raise ExerciseFailed(
            f"The answer should be a function that takes a gateway URL, not {type(answer).__name__}. "
            "Assign the function itself, without calling it."
        )
    for gateway_url, expected in HEALTH_URL_CASES:
        call = f"health_url({gateway_url!r})"
        try:
            returned = answer(gateway_url)
        except Exception as error:  # noqa: BLE001 - any error of the learner's code is reported as a hint
            raise ExerciseFailed(f"{call} raised {type(error).__name__}: {error}") from None
        if returned == expected:
            continue
        if not isinstance(returned, str):
            raise ExerciseFailed(f"{call} returned {type(returned).__name__}. Return the URL as a string.")
        if "//v1alpha" in returned:
            raise ExerciseFailed(f"{call} returned {returned!r}. Strip the trailing '/' of the gateway URL first.")
        if not returned.endswith(HEALTH_PATH):
            raise ExerciseFailed(
                f"{call} returned {returned!r}. The URL should end with the health check path that the notebook calls."
            )
        raise ExerciseFailed(f"{call} returned {returned!r}. Keep the scheme, host and port of the gateway URL.")
    return f"The function appends {HEALTH_PATH} to the gateway URL, with or without a trailing '/'."


@exercise("02-2", "Read the serving status of the pipeline service")
def check_serving_status(answer: Any) -> str:
    if isinstance(answer, dict):
        raise ExerciseFailed("That is an object of the response. Go down to the 'status' field inside it.")
    if not isinstance(answer, str):
        raise ExerciseFailed(f"The answer should be the status string, not {type(answer).__name__}.")
    if answer != SERVING_STATUS:
        raise ExerciseFailed(
            f"{answer!r} is not the status the gateway returns. Copy the value of "
            "health_check_response.status exactly, without changing it."
        )
    return f"{SERVING_STATUS} means the pipeline service accepts requests."


@exercise("02-3", "Point the notebooks at a VDP on this machine")
def check_gateway_variable(answer: Any) -> str:
    if not isinstance(answer, (list, tuple)) or len(answer) != 2 or not all(isinstance(part, str) for part in answer):
        raise ExerciseFailed('The answer should be a pair of strings: ("VARIABLE_NAME", "value").')
    name, value = answer
    if name != GATEWAY_URL_VARIABLE:
        raise ExerciseFailed(
            f"{name!r} is not the environment variable that vdp101.connect() reads. "
            "Find its name in the section about a real VDP."
        )

    try:
        api_url = normalize_gateway_url(value)
    except ValueError:
        raise ExerciseFailed(f"{value!r} is not a full URL. Start it with the scheme http://.") from None
    if f":{CONSOLE_PORT}" in api_url:
        raise ExerciseFailed(
            f"Port {CONSOLE_PORT} serves the console, the web UI. The notebooks talk to the API gateway."
        )
    if api_url not in LOCAL_API_URLS:
        raise ExerciseFailed(
            f"{value!r} is not the API gateway of a VDP started with `make all` on this machine. "
            "Check the host and the port."
        )
    return f"With {GATEWAY_URL_VARIABLE}={value} every notebook talks to the VDP on this machine."
