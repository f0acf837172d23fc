"""The `reetrace` command. Each feature's commands live in a module of this package and
register themselves on `app`; errors are turned into one-line messages and exit codes here."""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path
from typing import ParamSpec, TypeVar, overload

import typer
from rich.console import Console
from rich.markup import escape

from reetrace.config import Settings
from reetrace.errors import ReetraceError, UsageError

app = typer.Typer(
    name="reetrace",
    help="Full-process traceability and export review for the rare earth chain.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


@app.callback()
def main(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", envvar="REETRACE_DB", help="Store URL (default: sqlite:///reetrace.db)."
    ),
    thresholds: Path | None = typer.Option(
        None, "--thresholds", envvar="REETRACE_THRESHOLDS", help="JSON file overriding audit thresholds."
    ),
) -> None:
    ctx.obj = _Lazy(lambda: Settings.build(db, thresholds))


class _Lazy:
    def __init__(self, build: Callable[[], Settings]):
        self._build = build
        self._value: Settings | None = None

    def __call__(self) -> Settings:
        if self._value is None:
            self._value = self._build()
        return self._value


def settings(ctx: typer.Context) -> Settings:
    return ctx.find_root().obj()


def today(ctx: typer.Context) -> date:
    """Today in the audit's zone: the day a command is as of when it is not told another."""
    from reetrace.services.findings import today as audit_today

    return audit_today(settings(ctx))


@overload
def day_option(value: str, option: str, default: date | None = None) -> date: ...
@overload
def day_option(value: str | None, option: str, default: date) -> date: ...
@overload
def day_option(value: str | None, option: str, default: None = None) -> date | None: ...
def day_option(value: str | None, option: str, default: date | None = None) -> date | None:
    """A date given on the command line as YYYY-MM-DD; `default` when it was not given."""
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} must be a date YYYY-MM-DD, not {value!r}") from None


def recreate_dir(path: Path, option: str, made: Collection[str], maker: str) -> None:
    """Empty a command's output directory (`option` names it), refusing to delete anything that
    `maker` (what the command writes, e.g. "the demo") did not put there: `made` names its files."""
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"{option} {path} is a file")
        foreign = sorted(p.name for p in path.iterdir() if p.name not in made)
        if foreign:
            raise UsageError(
                f"{option} {path} holds files {maker} did not make ({', '.join(foreign[:3])}); "
                "choose an empty or new directory"
            )
        shutil.rmtree(path)
    path.mkdir(parents=True)


def _error(exc: Exception) -> None:
    err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)


def reports_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn the system's errors into a one-line message: exit 2 for bad usage, 1 otherwise."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except UsageError as exc:
            _error(exc)
            sys.exit(2)
        except ReetraceError as exc:
            _error(exc)
            sys.exit(1)

    return wrapper


def _register() -> None:
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_register()
