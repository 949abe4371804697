"""The ceiling: a bare Flask app answering constant JSON, with no validation.

It answers the six operations the workloads call with the bodies our mock
gave for the same state, read from a file at start, so both send the same
bytes; what it skips is everything that makes a mock: state, validation, the
journal.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, Response

from benchmarks.servers import ACCOUNTS, THREADS
from mock_server.processes import serve_forked
from mock_server.server import MockServer, create_mock_server, listening_sockets


def create_ceiling(bodies: dict[str, str]) -> Flask:
    """A Flask app that answers every operation with a fixed body."""
    app = Flask("ceiling")

    def answer(name: str, status: int, location: bool = False) -> Response:
        response = Response(bodies[name], status=status, mimetype="application/json")

        if location:
            response.headers["location"] = "http://127.0.0.1" + ACCOUNTS

        return response

    @app.get(ACCOUNTS)
    def list_accounts() -> Response:
        return answer("list", 200)

    @app.post(ACCOUNTS)
    def create_account() -> Response:
        return answer("account", 201, location=True)

    @app.put(ACCOUNTS + "/<account_id>")
    def update_account(account_id: str) -> Response:
        return answer("account", 200)

    @app.delete(ACCOUNTS + "/<account_id>")
    def delete_account(account_id: str) -> Response:
        return Response(status=200)

    @app.post(ACCOUNTS + "/<account_id>/token")
    def create_token(account_id: str) -> Response:
        return answer("token", 201, location=True)

    @app.delete(ACCOUNTS + "/<account_id>/token/<token_id>")
    def delete_token(account_id: str, token_id: str) -> Response:
        return Response(status=200)

    return app


@click.command()
@click.option("--port", type=int, required=True)
@click.option("--threads", default=THREADS, show_default=True)
@click.option("--processes", default=1, show_default=True)
@click.option("--bodies", type=click.Path(exists=True, path_type=Path), required=True)
def main(port: int, threads: int, processes: int, bodies: Path) -> None:
    """Serve the ceiling on 127.0.0.1 with our mock's waitress, as ours runs."""
    app = create_ceiling(json.loads(bodies.read_text()))

    listeners = listening_sockets("127.0.0.1", port)

    # It has no delay faults, so like our mock without them it serves every
    # request on the loop thread; served exactly as our mock is, by the same
    # loop, process settings and, past one process, the same forking.
    def start() -> MockServer:
        return create_mock_server(
            app, lambda: False, threads=threads, sockets=listeners
        )

    if processes == 1:
        start().serve()
        return

    raise SystemExit(serve_forked(processes, start))


if __name__ == "__main__":
    main()
