"""Tutorial helpers for triggering and reading VDP pipelines.

The public names load their module on first use (PEP 562), so ``import vdp101`` stays
fast and imports requests, Pillow, matplotlib and FastAPI only when a function needs them.
Submodules load the same way, so ``vdp101.exercises.check`` and
``vdp101.gateway.LocalGateway`` work after a plain ``import vdp101``.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

# A library adds no output handler of its own: the application or notebook decides.
logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from vdp101.asynchronous import (
        AsyncInputError,
        AsyncResult,
        DestinationQueryError,
        PartialTriggerError,
        ResultsTimeoutError,
        async_recipe,
        load_indices,
        query_destination,
        read_results,
        save_indices,
        sqlite_destination_path,
        trigger_async_multipart,
        wait_for_results,
    )
    from vdp101.client import (
        Gateway,
        connect,
        create_pipeline,
        delete_pipeline,
        get_pipeline,
        list_pipelines,
        trigger_image_base64,
        trigger_image_urls,
        trigger_multipart,
        watch_pipeline,
    )
    from vdp101.coco import COCO_CATEGORIES
    from vdp101.curl import curl_command
    from vdp101.drawing import category_color, draw_detections, plot_side_by_side
    from vdp101.errors import (
        GatewayUnreachableError,
        InvalidImageError,
        InvalidRequestError,
        PipelineExistsError,
        PipelineNotFoundError,
        PipelineStateError,
        UnexpectedResponseError,
        VdpError,
        error_from_response,
    )
    from vdp101.readiness import wait_until_ready
    from vdp101.responses import (
        BoundingBox,
        DetectedObject,
        Detections,
        parse_detections,
        parse_response_namespace,
    )
    from vdp101.samples import data_dir, sample_names, sample_path
    from vdp101.urls import normalize_gateway_url
    from vdp101.widgets import DetectionExplorer, explore_detections
    from vdp101.folder import FolderDetections, detect_folder

__all__ = [
    "COCO_CATEGORIES",
    "AsyncInputError",
    "AsyncResult",
    "BoundingBox",
    "DestinationQueryError",
    "DetectedObject",
    "DetectionExplorer",
    "Detections",
    "FolderDetections",
    "Gateway",
    "GatewayUnreachableError",
    "InvalidImageError",
    "InvalidRequestError",
    "PartialTriggerError",
    "PipelineExistsError",
    "PipelineNotFoundError",
    "PipelineStateError",
    "ResultsTimeoutError",
    "UnexpectedResponseError",
    "VdpError",
    "async_recipe",
    "category_color",
    "connect",
    "create_pipeline",
    "curl_command",
    "data_dir",
    "delete_pipeline",
    "detect_folder",
    "draw_detections",
    "error_from_response",
    "explore_detections",
    "get_pipeline",
    "list_pipelines",
    "load_indices",
    "normalize_gateway_url",
    "parse_detections",
    "parse_response_namespace",
    "plot_side_by_side",
    "query_destination",
    "read_results",
    "sample_names",
    "sample_path",
    "save_indices",
    "sqlite_destination_path",
    "trigger_async_multipart",
    "trigger_image_base64",
    "trigger_image_urls",
    "trigger_multipart",
    "wait_for_results",
    "wait_until_ready",
    "watch_pipeline",
]

# Module that defines each public name.
_MODULE_OF_NAME = {
    "AsyncInputError": "vdp101.asynchronous",
    "AsyncResult": "vdp101.asynchronous",
    "DestinationQueryError": "vdp101.asynchronous",
    "PartialTriggerError": "vdp101.asynchronous",
    "ResultsTimeoutError": "vdp101.asynchronous",
    "async_recipe": "vdp101.asynchronous",
    "load_indices": "vdp101.asynchronous",
    "query_destination": "vdp101.asynchronous",
    "read_results": "vdp101.asynchronous",
    "save_indices": "vdp101.asynchronous",
    "sqlite_destination_path": "vdp101.asynchronous",
    "trigger_async_multipart": "vdp101.asynchronous",
    "wait_for_results": "vdp101.asynchronous",
    "COCO_CATEGORIES": "vdp101.coco",
    "BoundingBox": "vdp101.responses",
    "DetectedObject": "vdp101.responses",
    "Detections": "vdp101.responses",
    "parse_detections": "vdp101.responses",
    "parse_response_namespace": "vdp101.responses",
    "Gateway": "vdp101.client",
    "connect": "vdp101.client",
    "create_pipeline": "vdp101.client",
    "delete_pipeline": "vdp101.client",
    "get_pipeline": "vdp101.client",
    "list_pipelines": "vdp101.client",
    "trigger_image_base64": "vdp101.client",
    "trigger_image_urls": "vdp101.client",
    "trigger_multipart": "vdp101.client",
    "watch_pipeline": "vdp101.client",
    "GatewayUnreachableError": "vdp101.errors",
    "InvalidImageError": "vdp101.errors",
    "InvalidRequestError": "vdp101.errors",
    "PipelineExistsError": "vdp101.errors",
    "PipelineNotFoundError": "vdp101.errors",
    "PipelineStateError": "vdp101.errors",
    "UnexpectedResponseError": "vdp101.errors",
    "VdpError": "vdp101.errors",
    "error_from_response": "vdp101.errors",
    "category_color": "vdp101.drawing",
    "draw_detections": "vdp101.drawing",
    "plot_side_by_side": "vdp101.drawing",
    "curl_command": "vdp101.curl",
    "data_dir": "vdp101.samples",
    "sample_names": "vdp101.samples",
    "sample_path": "vdp101.samples",
    "normalize_gateway_url": "vdp101.urls",
    "wait_until_ready": "vdp101.readiness",
    "DetectionExplorer": "vdp101.widgets",
    "explore_detections": "vdp101.widgets",
    "FolderDetections": "vdp101.folder",
    "detect_folder": "vdp101.folder",
}


# Submodules that ``vdp101.<name>`` imports on first use. A submodule that is already
# imported, for example by ``import vdp101.gateway``, is an attribute anyway.
_SUBMODULES = frozenset(
    {
        "asynchronous",
        "cli",
        "client",
        "coco",
        "curl",
        "drawing",
        "errors",
        "exercises",
        "figures",
        "flow_figure",
        "folder",
        "folder_plots",
        "frames",
        "gateway",
        "readiness",
        "responses",
        "samples",
        "urls",
        "widgets",
    }
)


def __getattr__(name: str) -> Any:
    """Return a public name or a submodule, importing its module on first use.

    A public name is cached in this module's globals; ``import_module`` binds a
    submodule as an attribute of the package itself.
    """
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module_name = _MODULE_OF_NAME.get(name)
    if module_name is None:
        raise AttributeError(f"module 'vdp101' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
