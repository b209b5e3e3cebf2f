"""``depositary serve``: run the depositary's HTTP API on the embedded SQLite default.

Any number of ``serve`` processes may share one PostgreSQL database
(``store_url``); each accepts submissions, runs the scheduler and the delivery
workers, and publishes tiles (``--tiles``) after its commits.

Settings come from one TOML file (``--config``) and ``DEPOSITARY_*`` environment
variables; the options here win over both. ``--init`` creates the log's and the
depositary's keys in the data directory first (kept if they already exist).
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click
import uvicorn

from depositary.config import Settings, load_settings
from depositary.http.app import create_app
from depositary.service.instance import DEPOSITARY_KEY, LOG_KEY, init_data_dir, open_instance


def exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM a clean exit, so the instance is closed (pools drained, tiles published).

    uvicorn shuts down gracefully on SIGTERM, restores the previous handler and
    raises the signal again; with the default handler the process would die
    there, before ``instance.close()``.
    """
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


@click.command()
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A TOML settings file (keys as in depositary.config.Settings).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the keys and the SQLite database live.",
)
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default 8000).")
@click.option(
    "--init",
    "init",
    is_flag=True,
    help="Create the depositary's keys first (needs --origin unless configured).",
)
@click.option("--origin", help="The log's origin line, e.g. depositary.example.org/log.")
@click.option(
    "--tiles",
    help="Publish the log's tiles after each commit: s3://bucket/prefix, or a directory.",
)
@click.option("--s3-endpoint", help="The S3-compatible endpoint URL for --tiles s3://...")
def serve(
    *,
    config: Path | None,
    data_dir: Path | None,
    host: str | None,
    port: int | None,
    init: bool,
    origin: str | None,
    tiles: str | None,
    s3_endpoint: str | None,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json) until interrupted."""
    s3 = tiles is not None and tiles.startswith("s3://")
    settings = load_settings(
        config, data_dir=data_dir, host=host, port=port, origin=origin,
        tiles_url=tiles if s3 else None, tiles_dir=None if s3 else tiles,
        s3_endpoint_url=s3_endpoint,
    )  # fmt: skip
    if init:
        keys = (settings.data_dir / LOG_KEY, settings.data_dir / DEPOSITARY_KEY)
        if all(k.exists() for k in keys):
            click.echo(f"keeping the existing keys in {settings.data_dir}", err=True)
        else:
            if origin is None and settings.origin == Settings().origin:
                raise click.UsageError("--init needs --origin (or origin in the config file)")
            init_data_dir(settings.data_dir, settings.origin)
            click.echo(f"created the keys of {settings.origin} in {settings.data_dir}", err=True)
    instance = open_instance(settings)
    exit_cleanly_on_sigterm()
    try:
        instance.start_workers()
        app = create_app(instance)
        s = instance.settings
        click.echo(f"depositary {s.origin}: http://{s.host}:{s.port}/v1/log "
                   f"(OpenAPI at /openapi.json, data in {s.data_dir})", err=True)  # fmt: skip
        if not s.operator_token:
            click.echo("no operator_token set: admissions and cases over HTTP are off", err=True)
        uvicorn.run(app, host=s.host, port=s.port, log_level="info", server_header=False)
    finally:
        instance.close()
