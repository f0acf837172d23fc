"""Alembic, driven from code: the schema is created and upgraded when a store is opened."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

_HERE = Path(__file__).parent


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the missing migrations in one transaction. On SQLite it is a write transaction
    (`BEGIN IMMEDIATE`), so a second process opening a new store waits, then finds it done."""
    _in_one_transaction(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Return the schema to `revision`, in one transaction (an operator's way back after an upgrade)."""
    _in_one_transaction(engine, command.downgrade, revision)


def _in_one_transaction(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    """Run an Alembic command (upgrade or downgrade) in one write transaction."""
    cfg = _config()
    with engine.connect() as conn:
        conn = conn.execution_options(reetrace_write=True)
        with conn.begin():
            cfg.attributes["connection"] = conn
            step(cfg, revision)
