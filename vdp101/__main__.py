"""Entry point of ``python -m vdp101``."""

from vdp101.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
