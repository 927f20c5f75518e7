"""Command line: ``python -m vdp101 trigger|gateway ...``.

``trigger`` sends images to a SYNC pipeline, prints the detections as a table and can
save the images with their boxes drawn. ``gateway`` runs the local gateway. Errors
print one ``error: ...`` line on stderr and exit with status 1, or 2 for invalid
command-line arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from vdp101.errors import VdpError

__all__ = ["main"]

logger = logging.getLogger(__name__)

PROGRAM = "python -m vdp101"
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

TABLE_COLUMNS = ("image", "category", "score", "left", "top", "width", "height")

LOCAL_MODEL_NOTE = (
    "note: the local gateway's stand-in model returns boxes only for the bundled sample images, "
    "so other images get no objects. Pass --api-gateway-url or set VDP_API_GATEWAY_URL to a real VDP "
    "to detect objects in them."
)


class _HelpFormatter(argparse.HelpFormatter):
    """HelpFormatter that keeps the line breaks of descriptions and epilogs, and never
    breaks a line inside an option.

    argparse wraps text with textwrap, which by default also breaks at hyphens, so
    "--image-file" could end up as "--image-" and "file" on two lines.
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = []
        for line in text.splitlines():
            words = line.split()
            if not words:
                lines.append("")
                continue
            line_indent = indent + line[: len(line) - len(line.lstrip())]
            lines.append(
                textwrap.fill(
                    " ".join(words),
                    width,
                    initial_indent=line_indent,
                    subsequent_indent=line_indent,
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
        return "\n".join(lines)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False, break_long_words=False)


class _ArgumentParser(argparse.ArgumentParser):
    """ArgumentParser that reports invalid arguments in one line, without the usage text.

    ``command_parsers`` maps each command name to its parser, so that main() can report
    an unrecognized option of a command with the command's own --help.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)
        self.command_parsers: dict[str, argparse.ArgumentParser] = {}

    def error(self, message: str) -> NoReturn:
        print(f"error: {message}. Run '{self.prog} --help' for the options.", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


class UsageError(Exception):
    """Arguments that argparse accepts but that do not work together."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    parser = _build_parser()
    arguments, unrecognized = parser.parse_known_args(argv)
    if unrecognized:
        # parse_args() would report these with the top-level --help, which does not
        # list the options of the command that the user was typing.
        parser.command_parsers[arguments.command].error(f"unrecognized arguments: {' '.join(unrecognized)}")

    try:
        return int(arguments.run(arguments))
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (VdpError, OSError) as error:
        logger.debug("The command failed", exc_info=True)
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED


def _build_parser() -> argparse.ArgumentParser:
    # --verbose works before and after the command. SUPPRESS keeps the command's
    # default from overwriting a --verbose given before it.
    verbose_before = argparse.ArgumentParser(add_help=False)
    verbose_before.add_argument(
        "--verbose", action="store_true", help="trigger: log one line per HTTP request (status, elapsed time) on stderr"
    )
    verbose_after = argparse.ArgumentParser(add_help=False)
    verbose_after.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log one line per HTTP request (status, elapsed time) on stderr",
    )

    parser = _ArgumentParser(
        prog=PROGRAM,
        description="Trigger VDP object-detection pipelines, or run the local VDP gateway.",
        parents=[verbose_before],
    )
    commands = parser.add_subparsers(
        title="commands", dest="command", metavar="{trigger,gateway}", required=True, parser_class=_ArgumentParser
    )
    parser.command_parsers["trigger"] = _add_trigger_command(commands, verbose_after)
    parser.command_parsers["gateway"] = _add_gateway_command(commands)
    return parser


def _add_trigger_command(commands: Any, verbose: argparse.ArgumentParser) -> argparse.ArgumentParser:
    trigger = commands.add_parser(
        "trigger",
        parents=[verbose],
        help="send images to a SYNC pipeline and print the detected objects",
        description=(
            "Send images to a SYNC pipeline with triggerSync or triggerSyncMultipart, print one "
            "row per detected object, and optionally save the images with the boxes drawn."
        ),
        # One option per line, so that the example never wraps inside an option.
        epilog=(
            "example:\n"
            f"  {PROGRAM} trigger \\\n"
            "    --pipeline-id=vdp-101-sync \\\n"
            "    --image-file=data/coffee.jpg \\\n"
            "    --output=coffee-detections.png"
        ),
    )
    trigger.add_argument(
        "--api-gateway-url",
        metavar="URL",
        help=(
            "URL of the VDP API gateway, with or without /v1alpha, e.g. http://localhost:8080 "
            "(default: $VDP_API_GATEWAY_URL, or if that is unset, a local gateway that runs for this command only)"
        ),
    )
    trigger.add_argument("--pipeline-id", metavar="ID", required=True, help="id of the pipeline, e.g. vdp-101-sync")
    images = trigger.add_mutually_exclusive_group(required=True)
    images.add_argument(
        "--image-url",
        metavar="URL",
        action="append",
        dest="image_urls",
        help="http(s) URL of an image that the gateway downloads. Repeat the option for several images",
    )
    images.add_argument(
        "--image-file",
        metavar="PATH",
        action="append",
        dest="image_files",
        help="local image file to upload. Repeat the option for several images",
    )
    trigger.add_argument(
        "--method",
        choices=("url", "base64", "multipart"),
        help=(
            "how the images travel: url (JSON image_url, the default with --image-url), "
            "base64 (JSON image_base64, the default with --image-file) or multipart "
            "(multipart/form-data upload, better for large files)"
        ),
    )
    trigger.add_argument(
        "--output",
        metavar="PATH",
        type=Path,
        help=(
            "save each image with its boxes drawn, in the format of the extension (.png, .jpg). "
            "With several images, the input number is added before the extension: "
            "out-1.png, out-2.png, ..."
        ),
    )
    trigger.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_seconds,
        default=30.0,
        help="seconds to wait for the gateway to connect and to respond (default: 30)",
    )
    trigger.set_defaults(run=_run_trigger)
    return trigger


def _add_gateway_command(commands: Any) -> argparse.ArgumentParser:
    gateway = commands.add_parser(
        "gateway",
        help="run the local VDP gateway until Ctrl+C",
        description=(
            "Run the local VDP gateway: the v1alpha REST API with a stand-in detection model "
            "that returns the recorded boxes of the bundled sample images. It logs its start, "
            "stop and every failed request on stderr. Stop it with Ctrl+C."
        ),
    )
    gateway.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    gateway.add_argument(
        "--port", type=_port_number, default=8080, help="TCP port to listen on, 0 for any free port (default: 8080)"
    )
    gateway.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help="folder for a SQLite file that keeps pipelines across restarts (default: in memory only)",
    )
    gateway.add_argument(
        "--allow-private-urls",
        action="store_true",
        help=(
            "fetch image URLs on loopback, private and link-local addresses too. Without it, a gateway "
            "whose --host is not a loopback address rejects them with HTTP 422"
        ),
    )
    gateway.set_defaults(run=_run_gateway)
    return gateway


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not more than 0 seconds")
    return seconds


def _port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is outside the port range 0 to 65535")
    return port


def _run_gateway(arguments: argparse.Namespace) -> int:
    from vdp101.gateway.__main__ import main as gateway_main

    gateway_arguments = ["--host", arguments.host, "--port", str(arguments.port)]
    if arguments.data_dir is not None:
        gateway_arguments += ["--data-dir", str(arguments.data_dir)]
    if arguments.allow_private_urls:
        gateway_arguments.append("--allow-private-urls")
    return int(gateway_main(gateway_arguments) or 0)


def _run_trigger(arguments: argparse.Namespace) -> int:
    with _trigger_logging(verbose=arguments.verbose):
        return _trigger(arguments)


@contextlib.contextmanager
def _trigger_logging(*, verbose: bool) -> Iterator[None]:
    """Send INFO records to stderr with --verbose, and no records otherwise.

    Without --verbose, the NullHandler keeps the records of a local gateway in this
    process, such as its warning for a 404, off stderr, because the error line of
    main() reports the failure. The handler and level are restored afterwards.
    """
    root = logging.getLogger()
    handler: logging.Handler = logging.StreamHandler(sys.stderr) if verbose else logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    previous_level = root.level
    root.addHandler(handler)
    if verbose:
        root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


def _trigger(arguments: argparse.Namespace) -> int:
    from vdp101.client import connect, trigger_image_base64, trigger_image_urls, trigger_multipart
    from vdp101.responses import parse_detections

    method = _choose_method(arguments)
    images: list[str] = arguments.image_urls or arguments.image_files
    if arguments.image_files:
        _check_image_files(arguments.image_files)
    if arguments.output is not None:
        _check_output(arguments.output, image_count=len(images))

    # connect() reads VDP_API_GATEWAY_URL itself when the option is missing, and then
    # names the variable in its errors.
    started_local = arguments.api_gateway_url is None and not os.environ.get("VDP_API_GATEWAY_URL")
    gateway = connect(arguments.api_gateway_url, quiet=True)
    try:
        trigger = {"url": trigger_image_urls, "base64": trigger_image_base64, "multipart": trigger_multipart}[method]
        response = trigger(arguments.pipeline_id, images, gateway=gateway, timeout=arguments.timeout)
        detections = parse_detections(response)
        if started_local:
            # Only on success, so that a failure prints nothing but its error line.
            print(
                f"note: no --api-gateway-url or VDP_API_GATEWAY_URL was given, so a local gateway "
                f"ran at {gateway.root_url} for this command.",
                file=sys.stderr,
            )

        objects_per_image: list[list[tuple[str, Any]]] = [[] for _ in images]
        for detection in detections:
            objects_per_image[detection.input_position] += [(detection.model, obj) for obj in detection.objects]
        print(_format_table(images, objects_per_image))
        if gateway.is_local and not all(objects_per_image):
            print(LOCAL_MODEL_NOTE, file=sys.stderr)

        if arguments.output is not None:
            _save_drawings(arguments.output, images, objects_per_image, method=method, timeout=arguments.timeout)
    finally:
        gateway.stop()
    return 0


def _choose_method(arguments: argparse.Namespace) -> str:
    if arguments.image_urls:
        if arguments.method not in (None, "url"):
            raise UsageError(
                f"--method {arguments.method} sends local files, but --image-url was given. "
                "Use --image-file with it, or --method url."
            )
        return "url"
    if arguments.method == "url":
        raise UsageError(
            "--method url sends image URLs, but --image-file was given. "
            "Use --image-url with it, or --method base64 or multipart."
        )
    return arguments.method or "base64"


def _check_image_files(paths: Sequence[str]) -> None:
    from vdp101.errors import InvalidImageError
    from vdp101.samples import data_dir

    for path in paths:
        if not Path(path).is_file():
            raise InvalidImageError(
                f"--image-file {path!r} was not found or is not a file (relative paths start at "
                f"{Path.cwd()}). Check the path. The bundled sample images are in {data_dir()}."
            )


def _check_output(output: Path, *, image_count: int) -> None:
    """Raise UsageError unless the drawings can be saved at ``output``.

    It runs before the request is sent, so that a bad path fails before the table is
    printed. The check cannot rule out every failure, such as a full disk.
    """
    from PIL import Image

    image_format = Image.registered_extensions().get(output.suffix.lower())
    if image_format not in Image.SAVE:
        raise UsageError(
            f"--output {str(output)!r} has no image file extension that Pillow can write. "
            "End it in .png or .jpg."
        )

    folder = output.absolute().parent
    if not folder.exists():
        raise UsageError(
            f"--output {str(output)!r} cannot be saved: the folder {folder} does not exist. "
            "Create it first, or choose a path in an existing folder."
        )
    if not folder.is_dir():
        raise UsageError(
            f"--output {str(output)!r} cannot be saved: {folder} is a file, not a folder. "
            "Choose a path in an existing folder."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(
            f"--output {str(output)!r} cannot be saved: the folder {folder} is not writable. "
            "Choose a folder that you can write to."
        )

    for path in _output_paths(output, image_count):
        if path.is_dir():
            raise UsageError(
                f"--output {str(output)!r} cannot be saved: {path} is a folder. "
                f"Give a file name, such as {str(path / 'detections.png')!r}."
            )
        if path.exists() and not os.access(path, os.W_OK):
            raise UsageError(
                f"--output {str(output)!r} cannot be saved: the file {path} exists and is not writable. "
                "Choose another file name."
            )


def _output_paths(output: Path, image_count: int) -> list[Path]:
    """Return the files that --output names: itself for one image, else one numbered file per image."""
    if image_count == 1:
        return [output]
    return [output.with_name(f"{output.stem}-{number}{output.suffix}") for number in range(1, image_count + 1)]


def _format_table(images: Sequence[str], objects_per_image: Sequence[Sequence[tuple[str, Any]]]) -> str:
    """Return the detections as a text table with aligned columns, or a note per image without objects."""
    models = {model for objects in objects_per_image for model, _ in objects}
    show_model = len(models) > 1
    header = TABLE_COLUMNS[:1] + (("model",) if show_model else ()) + TABLE_COLUMNS[1:]

    rows = []
    for image, objects in zip(images, objects_per_image):
        for model, detected in objects:
            box = detected.bounding_box
            coordinates = [f"{value:g}" for value in (box.left, box.top, box.width, box.height)]
            rows.append([image, *([model] if show_model else []), detected.category, f"{detected.score:.2f}", *coordinates])

    lines = []
    if rows:
        widths = [max(len(row[i]) for row in [list(header), *rows]) for i in range(len(header))]
        # Text columns align left, numbers (score and box) right.
        numeric = [name in ("score", "left", "top", "width", "height") for name in header]
        for row in [list(header), *rows]:
            cells = [cell.rjust(width) if right else cell.ljust(width) for cell, width, right in zip(row, widths, numeric)]
            lines.append("  ".join(cells).rstrip())
    lines += [f"No objects detected in {image}." for image, objects in zip(images, objects_per_image) if not objects]
    return "\n".join(lines)


def _save_drawings(
    output: Path,
    images: Sequence[str],
    objects_per_image: Sequence[Sequence[tuple[str, Any]]],
    *,
    method: str,
    timeout: float,
) -> None:
    from vdp101.drawing import draw_detections

    paths = _output_paths(output, len(images))
    for image, objects, path in zip(images, objects_per_image, paths):
        source = _download_image(image, timeout=timeout) if method == "url" else image
        draw_detections(source, [obj for _, obj in objects]).save(path)
        boxes = "1 box" if len(objects) == 1 else f"{len(objects)} boxes"
        print(f"Saved {image} with {boxes} drawn to {path}")
    if len(images) > 1:
        print(f"One file per image: the input number (1 to {len(images)}) is added before {output.suffix}.")


def _download_image(url: str, *, timeout: float) -> bytes:
    """Download an image for drawing. The gateway downloaded its own copy for the trigger."""
    import requests

    try:
        response = requests.get(url, timeout=timeout)
    except requests.RequestException as error:
        raise VdpError(
            f"Could not download {url} to draw the boxes on it ({type(error).__name__}). "
            "The detections above are complete; use --image-file with a local copy to save a drawing."
        ) from error
    if response.status_code != 200:
        raise VdpError(
            f"Downloading {url} to draw the boxes on it returned HTTP {response.status_code}. "
            "The detections above are complete; use --image-file with a local copy to save a drawing."
        )
    return response.content
