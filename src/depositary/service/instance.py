"""A running depositary: its keys, store, sequencer, index, workers, wired once.

::

    DATA_DIR/log.key          the log's checkpoint signer key (PRIVATE+KEY+...), 0600
    DATA_DIR/depositary.key   the depositary's statement key (hex seed), 0600
    DATA_DIR/depositary.sqlite  (unless store_url names another database)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from depositary.clock import Clock, SystemClock
from depositary.config import Settings
from depositary.crypto.ed25519 import Signer, generate_seed
from depositary.encoding.note import (
    Ed25519Verifier,
    NoteSigner,
)
from depositary.errors import ConfigError, DecodeError, ValidationError
from depositary.log.reader import LogView
from depositary.log.sequencer import Sequencer
from depositary.service.appender import Appender, ClaimingStore
from depositary.service.delivery import DeliveryWorker
from depositary.service.depositary import Depositary
from depositary.service.prep_pool import PrepPool
from depositary.service.preparing import Policy
from depositary.service.publishing import Publisher, targets
from depositary.service.scheduler import Scheduler
from depositary.storage import open_store
from depositary.storage.index import ServiceIndex
from depositary.storage.sql import SQLStore

LOG_KEY = "log.key"
DEPOSITARY_KEY = "depositary.key"


def _write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())


def init_data_dir(data_dir: Path, origin: str) -> None:
    """Create the keys of a new depositary (refuses to overwrite any)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if (data_dir / LOG_KEY).exists() or (data_dir / DEPOSITARY_KEY).exists():
        raise ConfigError(f"{data_dir} already holds a depositary's keys")
    _write_secret(data_dir / LOG_KEY, NoteSigner.generate(origin).to_skey())
    _write_secret(data_dir / DEPOSITARY_KEY, generate_seed().hex())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e} (run 'depositary serve --init' first)") from e


@dataclass
class Instance:
    """Everything a depositary process runs."""

    settings: Settings
    store: SQLStore
    sequencer: Sequencer
    appender: Appender
    view: LogView
    depositary: Depositary
    delivery: DeliveryWorker
    scheduler: Scheduler
    publisher: Publisher
    log_verifier: Ed25519Verifier

    def start_workers(self) -> None:
        self.publisher.start()
        self.delivery.start()
        self.scheduler.start()

    def close(self) -> None:
        self.scheduler.close()
        self.delivery.close()
        self.appender.close()
        if self.depositary.pool is not None:
            self.depositary.pool.close()
        self.sequencer.close()
        self.publisher.close()
        self.store.close()


def open_instance(settings: Settings, *, clock: Clock | None = None) -> Instance:
    """Open (and migrate) the depositary described by ``settings``.

    Raises:
        ConfigError: missing or unreadable keys, or a store that is not SQL.
    """
    clock = clock or SystemClock()
    data_dir = settings.data_dir
    try:
        log_signer = NoteSigner.from_skey(_read(data_dir / LOG_KEY))
        key = Signer(bytes.fromhex(_read(data_dir / DEPOSITARY_KEY)))
    except (DecodeError, ValidationError, ValueError) as e:
        raise ConfigError(f"unusable key file in {data_dir}: {e}") from e
    if log_signer.name != settings.origin:
        settings = replace(settings, origin=log_signer.name)
    store = open_store(settings.database_url)
    if not isinstance(store, SQLStore):
        raise ConfigError("the depositary needs a SQL store (sqlite:/// or postgresql://)")
    index = ServiceIndex(store)
    claiming = ClaimingStore(store, index)  # its indexer is the depositary's, set below
    sequencer = Sequencer(
        store=claiming, signer=log_signer, clock=clock, period=settings.batch_period
    ).start()
    view = LogView(store)
    sequencer.watch(view.committed)
    publisher = Publisher(view, targets(settings))
    sequencer.watch(publisher.committed)
    appender = Appender(
        sequencer=sequencer, store=claiming, period=settings.batch_period, receipts=view
    )
    pool = None
    if settings.prepare_workers:
        pool = PrepPool(database_url=settings.database_url, seed=key.seed(), policy=Policy(),
                        workers=settings.prepare_workers)  # fmt: skip
    depositary = Depositary(
        appender=appender, view=view, index=index, key=key, clock=clock, policy=Policy(),
        pool=pool,
    )  # fmt: skip
    claiming.indexer = depositary.indexer
    appender.on_commit = depositary.indexer.catch_up_to
    delivery = DeliveryWorker(
        depositary, attempts=settings.delivery_attempts, backoff=settings.delivery_backoff
    )
    return Instance(
        settings=settings, store=store, sequencer=sequencer, appender=appender, view=view,
        depositary=depositary, delivery=delivery, scheduler=Scheduler(depositary),
        publisher=publisher, log_verifier=log_signer.verifier(),
    )  # fmt: skip
