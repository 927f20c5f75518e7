"""Turn FastAPI request validation errors into one v1alpha error message.

Pydantic reports each problem with a location such as ``("body", "recipe",
"components", 0, "id")``. The message names that field as
``recipe.components[0].id``, quotes the value received and states what is expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vdp101.gateway.destinations import redact_passwords
from vdp101.gateway.schemas import COMPONENT_ID_PATTERN, PIPELINE_ID_PATTERN

__all__ = ["MAX_REPORTED_ERRORS", "describe_validation_errors"]

MAX_REPORTED_ERRORS = 3
MAX_QUOTED_VALUE = 80

_PATTERN_RULES = {
    PIPELINE_ID_PATTERN: (
        "A pipeline id has at most 63 ASCII letters, digits and '-', starts with a letter "
        "and ends with a letter or digit."
    ),
    COMPONENT_ID_PATTERN: (
        "A component id has at most 64 ASCII letters, digits, '-' and '_', and starts and ends "
        "with a letter or digit."
    ),
}
_PARAMETER_KINDS = {"query": "query parameter", "path": "path parameter", "header": "header"}


def describe_validation_errors(errors: Sequence[Any], *, multipart: bool = False) -> str:
    """Describe up to ``MAX_REPORTED_ERRORS`` validation errors, one sentence or two each.

    Args:
        errors: the ``errors()`` of a RequestValidationError.
        multipart: the route reads a multipart/form-data body.
    """
    sentences = [_describe(error, multipart=multipart) for error in errors[:MAX_REPORTED_ERRORS]]
    hidden = len(errors) - MAX_REPORTED_ERRORS
    if hidden > 0:
        sentences.append(f"({hidden} more invalid fields not shown.)")
    return " ".join(sentences) or "The request is invalid."


def _describe(error: Any, *, multipart: bool) -> str:
    error_type = error.get("type", "")
    location = tuple(error.get("loc", ()))
    message = _strip_prefix(str(error.get("msg", "invalid value")))
    received = error.get("input")

    if error_type == "json_invalid":
        position = location[1] if len(location) > 1 else 0
        # json messages such as "Invalid control character at" expect a position after them.
        reason = str(error.get("ctx", {}).get("error", "JSON decode error")).removesuffix(" at")
        return f"The request body is not valid JSON: {reason} at position {position}. Send a JSON object."

    kind = location[0] if location else "body"
    if kind != "body":
        name = ".".join(str(part) for part in location[1:])
        label = _PARAMETER_KINDS.get(str(kind), str(kind))
        if error_type == "missing":
            return f"Missing required {label} '{name}'."
        return f"Invalid {label} '{name}': {_explain(error, message)} (received {_quote(received)})."

    field = _field_path(location[1:])
    if not field:
        if error_type == "missing" or received is None:
            return "The request body is missing or null. Send a JSON object."
        return f"The request body must be a JSON object, not {_json_type(received)}."
    if multipart and (field == "file" or field.startswith("file[")):
        if error_type == "missing":
            return "The multipart body has no 'file' part. Send one 'file' part per image."
        return "Each 'file' part must be a file upload with a filename, not a plain form field."
    if error_type == "missing":
        return f"Missing required field '{field}'."
    if error_type == "extra_forbidden":
        return f"Unknown field '{field}'. Check its spelling against the v1alpha API."
    return f"Invalid field '{field}': {_explain(error, message)} (received {_quote(received)})."


def _explain(error: Any, message: str) -> str:
    if error.get("type") == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern")
        if pattern in _PATTERN_RULES:
            return _PATTERN_RULES[pattern].rstrip(".")
    return message.rstrip(".")


def _strip_prefix(message: str) -> str:
    # Pydantic prefixes errors raised by validators with "Value error, ".
    prefix = "Value error, "
    return message.removeprefix(prefix)


def _field_path(parts: Sequence[Any]) -> str:
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _json_type(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "a non-JSON body"
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), "null" if value is None else "that value")


def _quote(value: Any) -> str:
    # A recipe may carry a database URL with its password, which neither the response
    # nor the gateway's log may show.
    text = redact_passwords(repr(value))
    if len(text) > MAX_QUOTED_VALUE:
        text = text[: MAX_QUOTED_VALUE - 3] + "..."
    return text
