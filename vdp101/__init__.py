"""Tutorial helpers for triggering and reading VDP pipelines."""
