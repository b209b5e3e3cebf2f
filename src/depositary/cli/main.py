"""``depositary`` command line: the parser, the command table and the one error boundary.

Exit codes (one table, used by every command):

====  ======================================================
0     success
1     verification failed (signature, proof, corrupted data)
2     usage error (from Click)
65    malformed or invalid input (DecodeError, ValidationError)
66    not found
73    already recorded (a replayed act or request)
74    storage failure
77    no authority (the signer may not make this act)
78    configuration error (bad directory, key file, setting)
====  ======================================================
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from depositary import __version__
from depositary.cli.commands.act import act
from depositary.cli.commands.demo import demo
from depositary.cli.commands.inbox import inbox
from depositary.cli.commands.keygen import keygen
from depositary.cli.commands.log import log
from depositary.cli.commands.monitor import monitor
from depositary.cli.commands.respond import ack, respond
from depositary.cli.commands.serve import serve
from depositary.cli.commands.status import status
from depositary.cli.commands.submit import submit
from depositary.cli.commands.verify import verify
from depositary.cli.commands.witness import cosign, witness, witnesses
from depositary.errors import (
    AuthorityError,
    ConfigError,
    ConflictError,
    CorruptionError,
    DecodeError,
    DepositaryError,
    NotFound,
    StorageError,
    ValidationError,
    VerificationError,
)

EXIT_CODES: tuple[tuple[type[DepositaryError], int], ...] = (
    (AuthorityError, 77),
    (VerificationError, 1),
    (CorruptionError, 1),
    (DecodeError, 65),
    (ValidationError, 65),
    (NotFound, 66),
    (ConflictError, 73),
    (StorageError, 74),
    (ConfigError, 78),
)


def exit_code(error: DepositaryError) -> int:
    """Map an error to its exit code (first matching class in ``EXIT_CODES``)."""
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 70


@click.group()
@click.version_option(__version__, prog_name="depositary")
def cli() -> None:
    """depositary: a neutral depositary for formal acts, on a verifiable log."""


COMMANDS = (log, verify, demo, witness, monitor, serve, keygen, act, submit, inbox, ack, respond,
            status)  # fmt: skip
for command in COMMANDS:
    cli.add_command(command)
log.add_command(witnesses)
log.add_command(cosign)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit code."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except DepositaryError as e:
        click.echo(f"error: {e}", err=True)
        return exit_code(e)
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
