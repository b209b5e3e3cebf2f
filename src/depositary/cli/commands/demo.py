"""``depositary demo``: the main job on the embedded default."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from depositary.demo.log_demo import run_log_demo
from depositary.errors import ConfigError

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


@click.command()
@click.option(
    "--dir",
    "workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="Where to build the demo; an earlier demo there is replaced.",
)
def demo(workdir: Path) -> None:
    """Build a fresh log, append sample acts, publish tiles and verify them offline."""
    run_log_demo(fresh_dir(workdir), echo=click.echo)
