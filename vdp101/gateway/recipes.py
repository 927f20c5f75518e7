"""Recipe rules and the pipeline mode they imply.

A recipe has exactly one source, one or more models and one or more destinations,
distinguished by the prefix of ``resource_name``. The mode follows from the connectors:

- ``source-http`` with ``destination-http``, or ``source-grpc`` with
  ``destination-grpc``: MODE_SYNC, the trigger response carries the results.
- ``source-http`` or ``source-grpc`` with data destinations
  (``destination-connectors/<any other id>``, such as a database): MODE_ASYNC,
  the results go to the destinations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from vdp101.gateway.errors import InvalidArgument
from vdp101.gateway.schemas import PIPELINE_ID_PATTERN

__all__ = [
    "DESTINATION_PREFIX",
    "MODEL_PREFIX",
    "SOURCE_PREFIX",
    "component_kind",
    "derive_mode",
    "model_names",
    "resource_detail",
    "source_protocol",
]

SOURCE_PREFIX = "source-connectors/"
MODEL_PREFIX = "models/"
DESTINATION_PREFIX = "destination-connectors/"

SOURCE_PROTOCOLS = {
    "source-connectors/source-http": "HTTP",
    "source-connectors/source-grpc": "gRPC",
}
SYNC_DESTINATION_PROTOCOLS = {
    "destination-connectors/destination-http": "HTTP",
    "destination-connectors/destination-grpc": "gRPC",
}
_RESOURCE_ID = re.compile(PIPELINE_ID_PATTERN)


def component_kind(resource_name: str) -> str | None:
    """Return "source", "model" or "destination" for a resource name, or None."""
    for prefix, kind in ((SOURCE_PREFIX, "source"), (MODEL_PREFIX, "model"), (DESTINATION_PREFIX, "destination")):
        if resource_name.startswith(prefix):
            return kind
    return None


def source_protocol(recipe: Mapping[str, Any]) -> str:
    """Return "HTTP" or "gRPC" for the source of a validated recipe."""
    for component in recipe["components"]:
        if component["resource_name"] in SOURCE_PROTOCOLS:
            return SOURCE_PROTOCOLS[component["resource_name"]]
    raise ValueError("recipe has no source component")


def model_names(recipe: Mapping[str, Any]) -> list[str]:
    """Return the resource names of the model components, in recipe order."""
    return [c["resource_name"] for c in recipe["components"] if component_kind(c["resource_name"]) == "model"]


def derive_mode(recipe: Mapping[str, Any], *, known_models: Mapping[str, str]) -> str:
    """Check ``recipe`` against the recipe rules and return its mode.

    Args:
        recipe: ``{"version", "components": [{"id", "resource_name", ...}]}`` whose
            fields have the right types.
        known_models: model resource names this gateway can run, mapped to their task.

    Raises:
        InvalidArgument: a rule is broken; the message names the component.
    """
    components = recipe["components"]
    _check_unique_ids(components)

    sources, models, destinations = [], [], []
    for position, component in enumerate(components):
        kind = component_kind(component["resource_name"])
        if kind is None:
            raise InvalidArgument(
                f"recipe.components[{position}].resource_name {component['resource_name']!r} is not a "
                f"connector or model. Use a name that starts with '{SOURCE_PREFIX}', '{MODEL_PREFIX}' "
                f"or '{DESTINATION_PREFIX}'."
            )
        {"source": sources, "model": models, "destination": destinations}[kind].append(component)

    source = _check_source(sources)
    _check_models(models, known_models)
    _check_destinations(destinations)
    return _mode_for(source, destinations)


def _check_unique_ids(components: list[Mapping[str, Any]]) -> None:
    first_position: dict[str, int] = {}
    for position, component in enumerate(components):
        component_id = component["id"]
        if component_id in first_position:
            raise InvalidArgument(
                f"Component id {component_id!r} is used by recipe.components[{first_position[component_id]}] "
                f"and recipe.components[{position}]. Give each component a unique id."
            )
        first_position[component_id] = position


def _check_source(sources: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    if not sources:
        raise InvalidArgument(
            "The recipe has no source component. Add one with resource_name "
            "'source-connectors/source-http' or 'source-connectors/source-grpc'."
        )
    if len(sources) > 1:
        ids = ", ".join(repr(source["id"]) for source in sources)
        raise InvalidArgument(f"The recipe has {len(sources)} source components ({ids}); a recipe has exactly one.")
    source = sources[0]
    if source["resource_name"] not in SOURCE_PROTOCOLS:
        raise InvalidArgument(
            f"Source {source['resource_name']!r} (component {source['id']!r}) is not supported. "
            "Use 'source-connectors/source-http' or 'source-connectors/source-grpc'."
        )
    return source


def _check_models(models: list[Mapping[str, Any]], known_models: Mapping[str, str]) -> None:
    if not models:
        raise InvalidArgument("The recipe has no model component. Add one, e.g. with resource_name 'models/yolov7'.")
    for model in models:
        if model["resource_name"] not in known_models:
            known = ", ".join(sorted(known_models))
            raise InvalidArgument(
                f"Model {model['resource_name']!r} (component {model['id']!r}) is not available on this "
                f"gateway. Known models: {known}."
            )


def _check_destinations(destinations: list[Mapping[str, Any]]) -> None:
    if not destinations:
        raise InvalidArgument(
            "The recipe has no destination component. Add one, e.g. with resource_name "
            "'destination-connectors/destination-http'."
        )
    for destination in destinations:
        connector_id = destination["resource_name"][len(DESTINATION_PREFIX) :]
        if not _RESOURCE_ID.match(connector_id):
            raise InvalidArgument(
                f"Destination {destination['resource_name']!r} (component {destination['id']!r}) has an "
                "invalid connector id. Use ASCII letters, digits and '-', starting with a letter."
            )


def _mode_for(source: Mapping[str, Any], destinations: list[Mapping[str, Any]]) -> str:
    protocol = SOURCE_PROTOCOLS[source["resource_name"]]
    sync_destinations = [d for d in destinations if d["resource_name"] in SYNC_DESTINATION_PROTOCOLS]
    if not sync_destinations:
        return "MODE_ASYNC"

    if len(sync_destinations) != len(destinations):
        raise InvalidArgument(
            f"The recipe mixes the SYNC destination {sync_destinations[0]['resource_name']!r} with data "
            "destinations. Use destination-http or destination-grpc alone for a SYNC pipeline, or only "
            "data destinations for an ASYNC pipeline."
        )
    for destination in sync_destinations:
        if SYNC_DESTINATION_PROTOCOLS[destination["resource_name"]] != protocol:
            raise InvalidArgument(
                f"Source {source['resource_name']!r} and destination {destination['resource_name']!r} use "
                "different protocols. A SYNC pipeline pairs source-http with destination-http, or "
                "source-grpc with destination-grpc."
            )
    return "MODE_SYNC"


def resource_detail(resource_name: str, *, known_models: Mapping[str, str]) -> dict[str, Any]:
    """Describe the connector or model behind a component, for VIEW_FULL."""
    kind = component_kind(resource_name)
    resource_id = resource_name.split("/", 1)[-1]
    if kind == "model":
        return {"name": resource_name, "id": resource_id, "task": known_models.get(resource_name, "TASK_UNSPECIFIED")}
    connector_type = "CONNECTOR_TYPE_SOURCE" if kind == "source" else "CONNECTOR_TYPE_DESTINATION"
    return {"name": resource_name, "id": resource_id, "connector_type": connector_type}
