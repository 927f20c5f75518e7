"""Exercises of part 9: the detection explorer, driven from code.

The checks read values that the explorer shows (its table, its error message) or
the explorer itself, so they work without a browser. ``vdp101.widgets`` imports
ipywidgets, so it is imported only when one of these checks runs.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from vdp101.exercises.registry import ExerciseFailed, exercise

if TYPE_CHECKING:
    from vdp101.widgets import DetectionExplorer

METHOD_KEYS = ("base64", "multipart", "url")
HIDDEN_CATEGORY = "dining table"
KEPT_CATEGORY = "spoon"


@exercise("09-1", "Compare the methods on an uploaded photo")
def check_upload_methods(answer: Any) -> str:
    from vdp101.widgets import URL_NEEDS_SAMPLE

    if not isinstance(answer, Mapping):
        raise ExerciseFailed(
            f"The answer should be a dict with the keys 'base64', 'multipart' and 'url', not {type(answer).__name__}."
        )
    if set(answer) != set(METHOD_KEYS):
        raise ExerciseFailed(
            f"The dict has the keys {sorted(answer, key=str)}, but it should have 'base64', 'multipart' and 'url'."
        )

    for method in ("base64", "multipart"):
        _require_table_html(answer[method], f"answer[{method!r}]")
    if answer["base64"] != answer["multipart"]:
        raise ExerciseFailed(
            "The two tables differ. Run the same image with both methods, and leave the score "
            "slider and the categories as they are between the two runs."
        )

    message = answer["url"]
    if not isinstance(message, str):
        raise ExerciseFailed(
            f"answer['url'] should be the explorer's message, explorer.error_message, not {type(message).__name__}."
        )
    if not message:
        raise ExerciseFailed(
            "answer['url'] is empty. Select your uploaded photo, choose URL, run, and pass "
            "explorer.error_message."
        )
    if URL_NEEDS_SAMPLE not in html.unescape(message):
        raise ExerciseFailed(
            f"answer['url'] is {message!r}, a message about something else. Select your uploaded photo, "
            "choose URL, run, and pass explorer.error_message."
        )
    return (
        "base64 and multipart carry the same bytes, so the table is the same. The URL method needs an "
        "address that the gateway can download from, and a file uploaded into the notebook has none."
    )


@exercise("09-2", "Hide the dining table but keep the spoon")
def check_score_threshold(answer: Any) -> str:
    explorer = _require_explorer(answer, "The answer")
    categories = {obj.category for _model, obj in explorer.rows}
    missing = [name for name in (KEPT_CATEGORY, HIDDEN_CATEGORY) if name not in categories]
    if missing:
        raise ExerciseFailed(
            f"The explorer's last run found no {' and no '.join(missing)}. Select coffee.jpg and run it "
            "(explorer.run())."
        )

    selected = set(explorer.categories.value)
    for name in (KEPT_CATEGORY, HIDDEN_CATEGORY):
        if name not in selected:
            raise ExerciseFailed(
                f"The category {name!r} is not selected. Select every category again, so that only the "
                "score threshold hides objects."
            )

    threshold = explorer.min_score.value
    hidden_score = max(obj.score for _model, obj in explorer.rows if obj.category == HIDDEN_CATEGORY)
    kept_score = max(obj.score for _model, obj in explorer.rows if obj.category == KEPT_CATEGORY)
    if threshold <= hidden_score:
        raise ExerciseFailed(f"At a threshold of {threshold:.2f} the dining table is still drawn. Raise the threshold.")
    if threshold > kept_score:
        raise ExerciseFailed(f"At a threshold of {threshold:.2f} the spoon is hidden too. Lower the threshold.")
    return (
        f"A threshold of {threshold:.2f} is above the dining table's score ({hidden_score:.2f}) and at most "
        f"the spoon's ({kept_score:.2f}), so it hides the table and keeps the spoon."
    )


@exercise("09-3", "Find the table's numbers in the cURL output")
def check_curl_output(answer: Any) -> str:
    from vdp101.widgets import visible_rows

    if not isinstance(answer, tuple) or len(answer) != 2:
        raise ExerciseFailed(
            "The answer should be a tuple (explorer, output): the explorer, and the text that the "
            "cURL command printed."
        )
    explorer = _require_explorer(answer[0], "The first value of the tuple")
    if not explorer.curl_command:
        raise ExerciseFailed("The explorer has sent no request yet. Choose multipart and run it.")
    if "triggerSyncMultipart" not in explorer.curl_command:
        raise ExerciseFailed(
            "The explorer's last request sent JSON to triggerSync. Choose multipart, run, and copy the "
            "new command."
        )

    body = _read_output(answer[1])
    found = _output_objects(body)
    table_rows = visible_rows(explorer.rows, min_score=explorer.min_score.value, categories=explorer.categories.value)
    if not table_rows:
        raise ExerciseFailed(
            "The explorer's table has no rows, so there are no numbers to find. Lower the score "
            "threshold or select the categories."
        )
    # Scores are compared as the table shows them, to 2 decimals, because the command sends
    # a request of its own and a real model may return a slightly different score.
    for model, obj in table_rows:
        box = obj.bounding_box
        if not any(
            candidate == (model, obj.category, box.left, box.top, box.width, box.height)
            and f"{score:.2f}" == f"{obj.score:.2f}"
            for candidate, score in found
        ):
            raise ExerciseFailed(
                f"The table's row {obj.category} {obj.score:.2f} is not in the output. Run the command "
                "of the explorer's last run, and pass the explorer after that run."
            )
    return (
        "Each row of the table is an object of the output: category, score (rounded to 2 decimals in "
        "the table) and bounding_box, in pixels. The explorer reads the same JSON as the command prints."
    )


def _require_table_html(value: Any, name: str) -> None:
    if hasattr(value, "value") and not isinstance(value, str):
        raise ExerciseFailed(f"{name} is the widget. Pass the HTML it shows: explorer.table.value.")
    if not isinstance(value, str):
        raise ExerciseFailed(f"{name} should be the table's HTML, explorer.table.value, not {type(value).__name__}.")
    if not value:
        raise ExerciseFailed(
            f"{name} is empty, so the explorer showed no result. Run it, and read explorer.error_message "
            "if the run fails."
        )


def _require_explorer(value: Any, name: str) -> DetectionExplorer:
    from vdp101.widgets import DetectionExplorer

    if not isinstance(value, DetectionExplorer):
        raise ExerciseFailed(f"{name} should be the explorer itself, explorer, not {type(value).__name__}.")
    if value.error_message:
        raise ExerciseFailed(f"The explorer's last run failed: {value.error_message}")
    return value


def _read_output(output: Any) -> Mapping[str, Any]:
    """Parse the text that cURL printed. A dict that was already parsed from it is used as it is."""
    if isinstance(output, Mapping):
        body: Any = output
    elif isinstance(output, str):
        text = output.strip()
        if text.startswith("curl:"):
            error = text.splitlines()[0].rstrip(".")
            raise ExerciseFailed(
                f"cURL printed an error instead of JSON: {error}. Run the command while this "
                "notebook's gateway runs."
            )
        try:
            body = json.loads(text)
        except ValueError:
            raise ExerciseFailed(
                "The output is not JSON. Paste everything that the command printed, from the first { "
                "to the last }."
            ) from None
    else:
        raise ExerciseFailed(
            f"The output should be the text that the command printed, a str, not {type(output).__name__}."
        )

    if not isinstance(body, Mapping) or "model_outputs" not in body:
        if isinstance(body, Mapping) and "message" in body:
            raise ExerciseFailed(
                f"The gateway answered the command with an error: {body['message']} Copy the command "
                "of the explorer's last run again."
            )
        raise ExerciseFailed(
            "The output has no model_outputs. Paste the output of the command that explorer.curl_command gives."
        )
    return body


def _output_objects(body: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], float]]:
    """List ((model, category, left, top, width, height), score) for every object of a SYNC response."""
    found: list[tuple[tuple[Any, ...], float]] = []
    for model_output in _mappings(body.get("model_outputs")):
        for task_output in _mappings(model_output.get("task_outputs")):
            detection = task_output.get("detection")
            for item in _mappings(detection.get("objects") if isinstance(detection, Mapping) else None):
                box = item.get("bounding_box")
                box = box if isinstance(box, Mapping) else {}
                key = (
                    model_output.get("model"),
                    item.get("category"),
                    box.get("left"),
                    box.get("top"),
                    box.get("width"),
                    box.get("height"),
                )
                score = item.get("score")
                if isinstance(score, (int, float)):
                    found.append((key, float(score)))
    return found


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    """Return the dicts of a JSON list, or [] when ``value`` is not a list."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
