"""Click commands, one module per command (or group). `cli.py` registers every module listed here.

Each module exposes `command` (a click.Command or click.Group)."""

COMMAND_MODULES: tuple[str, ...] = (
    "generate",
    "ingest",
    "run",
    "evaluate",
    "explain",
    "demo",
    "bench",
    "report",
    "load",
    "review",
    "users",
    "trace",
    "serve",
    "export",
    "audit",
)
