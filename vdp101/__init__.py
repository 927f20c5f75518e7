"""Tutorial helpers for triggering and reading VDP pipelines.

The public names load their module on first use (PEP 562), so ``import vdp101`` stays
fast and imports requests, Pillow, matplotlib and FastAPI only when a function needs them.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

# A library adds no output handler of its own: the application or notebook decides.
logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
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
    "BoundingBox",
    "DetectedObject",
    "DetectionExplorer",
    "Detections",
    "FolderDetections",
    "Gateway",
    "GatewayUnreachableError",
    "InvalidImageError",
    "InvalidRequestError",
    "PipelineExistsError",
    "PipelineNotFoundError",
    "PipelineStateError",
    "UnexpectedResponseError",
    "VdpError",
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
    "normalize_gateway_url",
    "parse_detections",
    "parse_response_namespace",
    "plot_side_by_side",
    "sample_names",
    "sample_path",
    "trigger_image_base64",
    "trigger_image_urls",
    "trigger_multipart",
]

# Module that defines each public name.
_MODULE_OF_NAME = {
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
    "DetectionExplorer": "vdp101.widgets",
    "explore_detections": "vdp101.widgets",
    "FolderDetections": "vdp101.folder",
    "detect_folder": "vdp101.folder",
}


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` and return the attribute, cached in this module."""
    module_name = _MODULE_OF_NAME.get(name)
    if module_name is None:
        raise AttributeError(f"module 'vdp101' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
