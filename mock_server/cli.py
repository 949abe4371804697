"""``unleash-mock``: serve the mock with a production WSGI server."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask

from mock_server.app import create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.config import DEFAULT_HOST, DEFAULT_PORT, MockConfig
from mock_server.control.faults import delays_in_force
from mock_server.control.journal import DEFAULT_JOURNAL_SIZE
from mock_server.database import Database
from mock_server.description import DESCRIPTION_PATH
from mock_server.errors import StartupError
from mock_server.fixtures import InvalidFixture, default_seed, read_fixture_file
from mock_server.processes import (
    can_fork,
    serve_forked,
    temporary_state_file,
)
from mock_server.redaction import redacted
from mock_server.reloading import ReloadingApp
from mock_server.server import MockServer, create_mock_server, listening_sockets
from mock_server.threads import DEFAULT_THREADS

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--host", default=DEFAULT_HOST, show_default=True, help="Address to bind."
)
@click.option(
    "--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535)
)
@click.option(
    "--admin-token",
    default=DEFAULT_ADMIN_TOKEN,
    show_default=True,
    envvar="UNLEASH_MOCK_ADMIN_TOKEN",
    help="The admin API token that may do everything.",
)
@click.option(
    "--seed",
    "seed_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Start from this JSON fixture instead of the default seed.",
)
@click.option("--no-seed", is_flag=True, help="Start with no users or accounts.")
@click.option(
    "--base-path",
    default="",
    help="Serve the API under this path, e.g. /unleash.",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    default=("*",),
    show_default=True,
    help="An origin browsers may call from; repeat for several.",
)
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the state in this SQLite file across restarts.",
)
@click.option(
    "--journal-size",
    default=DEFAULT_JOURNAL_SIZE,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="How many recent calls each session's journal keeps.",
)
@click.option(
    "--reload",
    is_flag=True,
    help="Reload the description and the seed file when they change.",
)
@click.option(
    "--threads",
    default=DEFAULT_THREADS,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Worker threads that serve while a delay fault is in force; otherwise "
    "requests run on the server's loop thread. A request that sleeps for a "
    "delay fault gets one more while it sleeps.",
)
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port and one state; past one, the state "
    "lives in --state-file or in a temporary file. About one per core.",
)
def main(
    host: str,
    port: int,
    admin_token: str,
    seed_file: Path | None,
    no_seed: bool,
    base_path: str,
    cors_origins: tuple[str, ...],
    state_file: Path | None,
    journal_size: int,
    reload: bool,
    threads: int,
    processes: int,
) -> None:
    """Serve a stateful mock of Unleash's service-account Admin API."""
    if seed_file is not None and no_seed:
        raise click.UsageError("--seed and --no-seed contradict each other.")

    if processes > 1 and reload:
        raise click.UsageError("--reload serves from one process; drop --processes.")

    if processes > 1 and not can_fork():
        raise click.UsageError("This system cannot fork; --processes must be 1.")

    if processes > 1 and state_file is None:
        # Removed with its folder when the command ends, however it ends.
        temporary = temporary_state_file()
        state_file = click.get_current_context().with_resource(temporary)
        where = (
            f"state in {state_file}, removed at exit, shared by {processes} processes"
        )
    else:
        where = f"state in {state_file}" if state_file else "state in memory"

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    base_path = "/" + base_path.strip("/") if base_path.strip("/") else ""

    # The seed file is read again by each build, so a reload sees its changes.
    def build() -> Flask:
        seed, source = _seed(seed_file, no_seed)
        config = MockConfig(
            admin_tokens=(admin_token,),
            seed=seed,
            seed_source=source,
            base_path=base_path,
            cors_origins=cors_origins,
            state_file=state_file,
            journal_size=journal_size,
        )
        return create_app(config, database=database)

    try:
        database = Database(state_file)
        app = build()
    except (StartupError, InvalidFixture) as error:
        # A seed file may hold token secrets, and its errors may quote them.
        raise click.ClickException(redacted(str(error))) from None

    served: WSGIApplication = app

    if reload:
        watched = [DESCRIPTION_PATH, *([seed_file] if seed_file else [])]
        served = ReloadingApp(build, watched)

    url = f"http://{host}:{port}{base_path}"
    accounts = app.extensions["unleash_mock"].store(None).accounts()
    tokens = sum(len(account.tokens) for account in accounts)
    click.echo(
        f"Unleash mock on {url}/api/admin/service-account\n"
        f"  docs: {url}/docs\n"
        f"  state: {len(accounts)} service accounts, {tokens} tokens "
        f"({_seed_source(seed_file, no_seed)}; {where})\n"
        f"  admin token: {admin_token}\n"
        f'  try: curl -H "Authorization: {admin_token}" '
        f"{url}/api/admin/service-account"
    )
    sleeps_possible = partial(delays_in_force, database)

    try:
        listeners = listening_sockets(host, port)
    except OSError as error:
        reason = error.strerror or str(error)
        raise click.ClickException(
            f"Cannot listen on {host}:{port}: {reason}."
        ) from None

    if processes == 1:
        server = create_mock_server(
            served, sleeps_possible, threads=threads, sockets=listeners
        )
        server.waitress.print_listen("Serving on http://{}:{}")
        # A reloading server drops its old builds, which must stay collectable.
        server.serve(freeze=not reload)
        return

    # A SQLite connection must not cross a fork: each process opens its own.
    database.close()

    def start() -> MockServer:
        database.reconnect()
        return create_mock_server(
            served, sleeps_possible, threads=threads, sockets=listeners
        )

    for listener in listeners:
        bound_host, bound_port = listener.getsockname()[:2]
        click.echo(
            f"Serving on http://{bound_host}:{bound_port} from {processes} processes"
        )

    raise SystemExit(serve_forked(processes, start))


def _seed(
    seed_file: Path | None, no_seed: bool
) -> tuple[dict[str, object] | None, str]:
    source = _seed_source(seed_file, no_seed)

    if no_seed:
        return None, source

    if seed_file is None:
        return default_seed(), source

    return read_fixture_file(seed_file), source


def _seed_source(seed_file: Path | None, no_seed: bool) -> str:
    if no_seed:
        return "no seed"

    return "the default seed" if seed_file is None else str(seed_file)
