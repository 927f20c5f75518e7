"""Command line: ``python -m vdp101.gateway [--host H] [--port P] [--data-dir DIR] [--allow-private-urls] ...``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

__all__ = ["main", "parse_args"]

logger = logging.getLogger("vdp101.gateway")

LOG_LEVELS = ("debug", "info", "warning", "error")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line options."""
    parser = argparse.ArgumentParser(
        prog="python -m vdp101.gateway",
        description=(
            "Serve the local VDP gateway: the v1alpha pipeline REST API with a stand-in "
            "detection model that replays recorded annotations of the bundled sample images."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="TCP port to listen on (default: %(default)s)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder for the SQLite pipeline store, kept across restarts (default: pipelines in memory)",
    )
    parser.add_argument(
        "--samples-dir",
        type=Path,
        default=None,
        help="folder of sample images and annotations.json (default: the bundled samples)",
    )
    parser.add_argument(
        "--allow-private-urls",
        action="store_true",
        help=(
            "fetch image URLs on loopback, private and link-local addresses too. Without it, a gateway "
            "whose --host is not a loopback address rejects them with HTTP 422"
        ),
    )
    parser.add_argument(
        "--log-level", choices=LOG_LEVELS, default="info", help="lowest level of log messages shown (default: %(default)s)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the gateway until interrupted; return the exit status."""
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    import uvicorn

    from vdp101.gateway.app import create_app
    from vdp101.gateway.server import GatewayBindError, bind_listener

    # The port is bound before the store is opened and before anything is logged, so
    # that a port in use ends the program with one line and no "started" message.
    try:
        listener = bind_listener(args.host, args.port)
    except GatewayBindError as error:
        print(f"error: {error.describe(host_option='--host', port_option='--port')}", file=sys.stderr)
        return 1

    with listener:
        try:
            app = create_app(
                data_dir=args.data_dir,
                samples_dir=args.samples_dir,
                host=args.host,
                allow_private_urls=args.allow_private_urls,
            )
        except OSError as error:
            logger.error("Cannot open the pipeline store in %s: %s", args.data_dir, error)
            return 1

        port = listener.getsockname()[1]
        logger.info("Serving the VDP gateway at http://%s:%d/v1alpha", args.host, port)
        server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level=args.log_level))
        try:
            server.run(sockets=[listener])
        except KeyboardInterrupt:  # pragma: no cover - uvicorn handles SIGINT itself
            pass

    if not server.started:
        logger.error("The VDP gateway at http://%s:%d did not start. See the errors above.", args.host, port)
        return 1
    logger.info("VDP gateway at http://%s:%d stopped", args.host, port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
