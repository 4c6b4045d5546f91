"""The ``corridors`` command group, logging flags and the one error path of the CLI."""

from __future__ import annotations

import logging
import sys

import click

from .._version import __version__
from ..errors import CorridorsError, OutputExistsError, UnsafeOutputError

log = logging.getLogger("corridors")

#: what the command line adds to a library error (the library's messages name no flags)
CLI_HINTS = (
    (OutputExistsError, "on the command line: --overwrite replaces a folder corridors wrote; --out (-o) names another"),
    (UnsafeOutputError, "on the command line: give the folder with --out (-o)"),
)


class _CorridorsGroup(click.Group):
    """A click group whose commands share one error path.

    A :class:`CorridorsError` prints one line, ``error: <message>`` (with the matching flag hint
    of :data:`CLI_HINTS`), and exits 1; with ``-v`` the traceback is printed too. Other exceptions
    are bugs and keep their traceback.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CorridorsError as exc:
            verbose = (ctx.obj or {}).get("verbosity", 0) > 0
            if verbose:
                import traceback

                traceback.print_exc()
            hint = next((h for kind, h in CLI_HINTS if isinstance(exc, kind)), None)
            click.echo(f"error: {exc}" + (f" ({hint})" if hint else ""), err=True)
            ctx.exit(1)


def configure_logging(verbosity: int) -> None:
    """Map -v/-q counts to logging levels (default WARNING; -v INFO; -vv DEBUG; -q ERROR)."""
    level = {-2: logging.CRITICAL, -1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(
        max(-2, min(verbosity, 2)), logging.DEBUG
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("corridors")
    root.handlers[:] = [handler]
    root.setLevel(level)


@click.group(cls=_CorridorsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="corridors")
@click.option("-v", "--verbose", count=True, help="More output (-vv for debug); tracebacks on error.")
@click.option("-q", "--quiet", count=True, help="Less output (errors only).")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: int) -> None:
    """corridors: find, measure and rank wildlife corridors between protected areas."""
    ctx.ensure_object(dict)
    ctx.obj["verbosity"] = verbose - quiet
    configure_logging(verbose - quiet)
    _exit_cleanly_on_sigterm()


def _exit_cleanly_on_sigterm() -> None:
    """A terminated command raises SystemExit instead of dying on the spot, so its temporary
    output folder is removed and its lock released like on any other failure."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
