"""``depositary demo``: the January 2020 case on a fresh depositary, then the API to explore it."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from depositary.clock import SystemClock
from depositary.demo.run import open_demo, run_demo, write_demo_keys
from depositary.errors import ConfigError, VerificationError

MARKER = ".depositary-demo"


def fresh_dir(path: Path) -> Path:
    """Empty ``path`` if it holds an earlier demo; refuse to touch anything else."""
    if path.exists():
        if not (path / MARKER).exists():
            if any(path.iterdir()):
                raise ConfigError(f"{path} exists and is not an earlier demo: choose another --dir")
        else:
            shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text("made by depositary demo; safe to delete\n", encoding="utf-8")
    return path


def _serve(workdir: Path, port: int) -> None:
    import uvicorn

    from depositary.http.app import create_app

    instance = open_demo(workdir, SystemClock())
    base = f"http://127.0.0.1:{port}"
    keys = write_demo_keys(workdir)
    app = create_app(instance)
    instance.start_workers()
    click.echo(
        f"\nServing on {base} (Ctrl-C to stop). Open:\n"
        f"  {base}/                      the pages\n"
        f"  {base}/cases/iraq-2020         the case, its timeline and each force's legal basis\n"
        f"  {base}/acts/iq-notice-2020-01-12   the notice; verify it in your browser\n"
        f"  {base}/v1/cases/iraq-2020/status\n"
        f"  {base}/v1/cases/iraq-2020/status?as_of=2020-01-11\n"
        f"  {base}/v1/acts/iq-notice-2020-01-12\n"
        f"  {base}/log/checkpoint\n"
        f"  {base}/openapi.json\n"
        f"or use the client (the demo holders' keys are in {keys}):\n"
        f"  depositary status iraq-2020 --as-of 2020-01-20 --server {base}\n"
        f"  depositary inbox --party ir --key {keys}/ir-foreign-minister.key --server {base}"
    )
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    finally:
        instance.close()


@click.command()
@click.option(
    "--dir",
    "workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="Where to build the demo; an earlier demo there is replaced.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Serve the API on 127.0.0.1:PORT afterwards.")  # fmt: skip
@click.option("--no-serve", is_flag=True, help="Stop after the replay and the offline check.")
def demo(workdir: Path, port: int, no_serve: bool) -> None:
    """Replay the January 2020 case on a simulated clock, check a receipt offline, serve the API."""
    from depositary.cli.main import main as cli_main  # the very command we print

    files, receivers = run_demo(fresh_dir(workdir), echo=click.echo)
    try:
        click.echo(
            f"\nThe notice's exact bytes are in {files.entry} and its receipt in "
            f"{files.receipt}. Check it offline, with nothing but the log's key:"
        )
        click.echo(f"  {files.check}")
        if cli_main(files.check_argv()) != 0:
            raise VerificationError("the demo's own receipt did not verify")
        click.echo(
            f"\nThe notice's whole record is in {files.dossier}: who signed it, and each step "
            "the depositary recorded after it. Check it all offline, with the depositary's "
            "key as well:"
        )
        click.echo(f"  {files.check_act}")
        if cli_main(files.check_act_argv()) != 0:
            raise VerificationError("the demo's own dossier did not verify")
        if not no_serve:
            _serve(workdir, port)
    finally:
        for r in receivers.values():
            r.close()
