"""`linkage serve`: the review web application for Justice officers and data stewards."""

from __future__ import annotations

import os
from pathlib import Path

import click

from linkage.commands.review import review_store_option
from linkage.review.store import open_review_store


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep 127.0.0.1 behind a reverse proxy).")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--db", "db", default=None,
              help="Workspace DuckDB file: its review snapshot (linkage.snapshot/) is read, never the file itself.")
@review_store_option
@click.option("--secure-cookies/--no-secure-cookies", default=False,
              help="Mark cookies Secure and send HSTS (when served over HTTPS by a reverse proxy).")
@click.option("--session-minutes", default=30.0, show_default=True, type=float,
              help="A session ends after this long without a request.")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
              help="Proxies trusted to set X-Forwarded-For/-Proto (the client address used by log-in throttling).")
def command(host: str, port: int, db: str | None, review_store: str | None, secure_cookies: bool,
            session_minutes: float, forwarded_allow_ips: str) -> None:
    """Serves the review web application (ứng dụng xét duyệt xung đột) until interrupted."""
    import logging

    import uvicorn

    from linkage.snapshot import snapshot_dir

    # the application's security log (log-ins, refused requests) on stderr, with time and level
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    web_log = logging.getLogger("linkage.web")
    web_log.addHandler(handler)
    web_log.setLevel(logging.INFO)
    from linkage.web.app import WebConfig, create_app

    workspace = Path(db or os.environ.get("LINKAGE_DB") or "linkage.duckdb")
    store = open_review_store(review_store, db)
    app = create_app(WebConfig(snapshot_dir=snapshot_dir(workspace), review_store=store,
                               secure_cookies=secure_cookies, session_idle_minutes=session_minutes,
                               workspace_dir=workspace.resolve().parent))
    app.state.web.owns_store = True
    click.echo(f"Serving on http://{host}:{port} (review store {store.description}; snapshot "
               f"{snapshot_dir(workspace)})")
    uvicorn.run(app, host=host, port=port, proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips,
                server_header=False, log_level="warning", access_log=False)


if __name__ == "__main__":  # `python -m linkage.commands.serve` until the command is registered
    command()
