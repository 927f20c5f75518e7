"""Build the cURL commands that send the same trigger requests as vdp101.client.

The commands are for bash, with relative file paths starting at the current folder.
Each one sets ``--max-time`` so that it cannot hang.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from vdp101.errors import InvalidImageError, InvalidRequestError

if TYPE_CHECKING:
    from vdp101.client import Gateway, ImagePaths

__all__ = ["curl_command"]

TriggerMethod = Literal["url", "base64", "multipart"]

_CONTINUATION = " \\\n  "


def curl_command(
    pipeline_id: str,
    *,
    method: TriggerMethod,
    images: ImagePaths,
    gateway: Gateway | str | None = None,
    timeout: float = 30.0,
) -> str:
    """Return a bash command that triggers a SYNC pipeline with cURL.

    Args:
        pipeline_id: id of the pipeline, e.g. ``vdp-101-sync``.
        method: how the images travel, as in the client functions:

            - ``"url"``: JSON ``image_url`` inputs, as trigger_image_urls.
            - ``"base64"``: JSON ``image_base64`` inputs, as trigger_image_base64.
              ``base64`` encodes each file when the command runs, and ``printf`` (a
              bash builtin) pipes the body to cURL, so large images do not hit the
              operating system's limit on the length of one argument.
            - ``"multipart"``: one ``-F file=@PATH`` part per image, as trigger_multipart.
        images: image URLs for ``"url"``, file paths otherwise; one or a list.
        gateway: a Gateway, a gateway URL, or None as in the client functions.
        timeout: cURL's ``--max-time``, in seconds.

    Returns:
        The command, over several lines joined by backslashes.

    Raises:
        InvalidRequestError: an unknown method, no images, or a URL without a scheme.
        InvalidImageError: a file path that does not exist, for base64 and multipart.
    """
    from vdp101.client import as_image_list, pipeline_url, resolve_gateway

    values = [os.fspath(value) for value in as_image_list(images)]
    if method == "url":
        for url in values:
            if "://" not in url:
                raise InvalidRequestError(
                    f"Image URL {url!r} has no scheme such as https://. For a local file, "
                    "use method='base64' or method='multipart'."
                )
    elif method in ("base64", "multipart"):
        for path in values:
            if not Path(path).is_file():
                raise InvalidImageError(
                    f"Image file {path!r} was not found (relative paths start at {Path.cwd()}). "
                    "Check the path, because the command reads the file when it runs."
                )
    else:
        raise InvalidRequestError(
            f"Trigger method {method!r} is not one of 'url', 'base64' or 'multipart'."
        )

    api_url = resolve_gateway(gateway).api_url
    endpoint = "triggerSyncMultipart" if method == "multipart" else "triggerSync"
    curl = [
        f"curl --silent --show-error --max-time {timeout:g}",
        f"-X POST {shlex.quote(pipeline_url(api_url, pipeline_id, endpoint))}",
    ]

    if method == "url":
        body = {"task_inputs": [{"detection": {"image_url": url}} for url in values]}
        curl += ["-H 'Content-Type: application/json'", f"--data {shlex.quote(json.dumps(body))}"]
        return _CONTINUATION.join(curl)

    if method == "multipart":
        curl += [f"-F {shlex.quote('file=@' + _form_file_name(path))}" for path in values]
        return _CONTINUATION.join(curl)

    # The body template has one %s per image, which printf fills with the encoded file.
    # GNU base64 wraps its output every 76 characters, so tr removes the line breaks.
    template = {"task_inputs": [{"detection": {"image_base64": "%s"}} for _ in values]}
    printf = [f"printf {shlex.quote(json.dumps(template))}"]
    printf += [f"\"$(base64 < {shlex.quote(path)} | tr -d '\\n')\"" for path in values]
    curl += ["-H 'Content-Type: application/json'", "--data-binary @-"]
    return _CONTINUATION.join(printf) + " |\n" + _CONTINUATION.join(curl)


def _form_file_name(path: str) -> str:
    """Return the file name for cURL's ``-F name=@FILE``, in double quotes where cURL needs them.

    cURL reads ``;`` and ``,`` after the file name as the start of options such as
    ``;type=``, unless the name is in double quotes, where ``\\`` escapes ``"`` and ``\\``.
    """
    if not any(character in path for character in ';,"\\'):
        return path
    escaped = path.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
