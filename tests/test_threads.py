"""Where requests run: on the loop thread while no delay fault is in force;
otherwise on worker threads, where one sleeping on a delay fault gets a
stand-in so the others are not held up."""

from __future__ import annotations

import gc
import signal
import socket
import threading
import time
import warnings
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from waitress.server import BaseWSGIServer

from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.control.faults import delays_in_force
from mock_server.control.journal import Journal
from mock_server.server import create_mock_server
from mock_server.threads import LoopDispatcher, StandInDispatcher
from tests.matchers import ADMIN_HEADERS
from tests.serving import list_slowly, mock_process, served

ACCOUNTS = "/api/admin/service-account"


class RecordedTask:
    """A task that notes the thread serving it, and may wait to be let go."""

    def __init__(self, release: threading.Event | None = None) -> None:
        self.release = release
        self.served_on: threading.Thread | None = None
        self.finished = threading.Event()
        self.cancelled = False

    def service(self) -> None:
        self.served_on = threading.current_thread()

        if self.release is not None:
            self.release.wait(timeout=5)

        self.finished.set()

    def cancel(self) -> None:
        self.cancelled = True


def create_account(url: str) -> requests.Response:
    return requests.post(
        url + ACCOUNTS,
        json={"username": "bot", "name": "Bot", "rootRole": 2},
        headers=ADMIN_HEADERS,
        timeout=10,
    )


def serving_threads(dispatcher: StandInDispatcher) -> int:
    return len(dispatcher.threads) - dispatcher.stop_count


def test_a_sleeping_request_has_a_stand_in_only_while_it_sleeps() -> None:
    dispatcher = StandInDispatcher(threads=1)
    sleeper = threading.Thread(target=dispatcher.sleep, args=(0.5,))

    try:
        before = serving_threads(dispatcher)
        sleeper.start()
        deadline = time.monotonic() + 5

        while serving_threads(dispatcher) == before and time.monotonic() < deadline:
            time.sleep(0.01)

        during = serving_threads(dispatcher)
        sleeper.join(timeout=5)
        after = serving_threads(dispatcher)
    finally:
        dispatcher.shutdown()

    assert (before, during, after) == (1, 2, 1)


@pytest.mark.socket
def test_a_delayed_answer_holds_up_no_other_request(app: Flask) -> None:
    with served(app) as url:
        listing, delayed = list_slowly(url, latency_ms=3000)
        # Long enough for the listing to reach its delay; far shorter than it.
        time.sleep(0.5)

        created = create_account(url)
        listing_still_waiting = listing.is_alive()
        listing.join(timeout=10)

    assert created.status_code == 201
    assert listing_still_waiting
    assert delayed == [200]


def test_without_delay_faults_requests_are_served_on_the_loop_thread() -> None:
    dispatcher = LoopDispatcher(lambda: False)
    tasks = [RecordedTask(), RecordedTask()]

    try:
        for task in tasks:
            dispatcher.add_task(task)

        dispatcher.run_waiting()
    finally:
        dispatcher.shutdown()

    assert [task.served_on for task in tasks] == [threading.current_thread()] * 2
    assert not dispatcher.has_waiting


def test_a_request_that_fails_in_the_server_leaves_the_loop_serving(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dispatcher = LoopDispatcher(lambda: False)
    after = RecordedTask()

    class Failing(RecordedTask):
        def service(self) -> None:
            raise OSError("secret-looking detail")

    try:
        dispatcher.add_task(Failing())
        dispatcher.add_task(after)
        dispatcher.run_waiting()
    finally:
        dispatcher.shutdown()

    assert after.finished.is_set()
    assert [record.getMessage() for record in caplog.records] == [
        "Serving a request failed: OSError"
    ]


class Asking(RecordedTask):
    """A task that notes it was served and asks for work at its round's end."""

    def __init__(
        self, dispatcher: LoopDispatcher, events: list[str], work: Callable[[], None]
    ) -> None:
        super().__init__()
        self.dispatcher = dispatcher
        self.events = events
        self.work = work

    def service(self) -> None:
        self.events.append("served")
        self.dispatcher.at_round_end(self.work)


def test_work_put_off_to_the_round_end_is_done_once_after_its_requests() -> None:
    dispatcher = LoopDispatcher(lambda: False)
    events: list[str] = []

    def end_round() -> None:
        events.append("round ended")

    try:
        for _ in range(2):
            dispatcher.add_task(Asking(dispatcher, events, end_round))

        dispatcher.run_waiting()
        dispatcher.add_task(Asking(dispatcher, events, end_round))
        dispatcher.run_waiting()
    finally:
        dispatcher.shutdown()

    assert events == ["served", "served", "round ended", "served", "round ended"]


@pytest.fixture
def slow_journal_writes(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When each write of the journal's held entries ended, each slowed down.

    Slow enough that a response sent before the write would be seen to
    arrive before it.
    """
    written_at: list[float] = []
    write_held = Journal.write_held

    def slow_write_held(journal: Journal) -> None:
        time.sleep(0.3)
        write_held(journal)
        written_at.append(time.monotonic())

    monkeypatch.setattr(Journal, "write_held", slow_write_held)
    return written_at


@pytest.mark.socket
def test_a_response_leaves_only_once_its_journal_entry_is_written(
    app: Flask, slow_journal_writes: list[float]
) -> None:
    with served(app) as url:
        created = create_account(url)
        received_at = time.monotonic()

    assert created.status_code == 201
    assert len(slow_journal_writes) == 1
    assert received_at >= slow_journal_writes[0]


@pytest.mark.socket
def test_a_continue_for_the_next_request_sends_nothing_before_the_journal(
    app: Flask, slow_journal_writes: list[float]
) -> None:
    # waitress answers a pipelined request that expects 100 Continue right
    # after serving the one before it, and its own way of doing so sent that
    # one's response too, before the round ended.
    head = (
        f"POST {ACCOUNTS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {DEFAULT_ADMIN_TOKEN}\r\nContent-Type: application/json\r\n"
    ).encode()
    body = b'{"username": "bot", "name": "Bot", "rootRole": 2}'
    first = head + b"Content-Length: %d\r\n\r\n" % len(body) + body
    waiting = head + b"Expect: 100-continue\r\nContent-Length: 60\r\n\r\n"

    with served(app) as url:
        address = urlsplit(url)
        assert address.hostname is not None
        assert address.port is not None

        with socket.create_connection((address.hostname, address.port)) as sent:
            sent.settimeout(5)
            sent.sendall(first + waiting)
            answer = sent.recv(12)
            received_at = time.monotonic()

    assert answer == b"HTTP/1.1 201"
    assert received_at >= slow_journal_writes[0]


@pytest.mark.socket
def test_closing_the_server_lets_go_of_a_spilled_output_buffer(app: Flask) -> None:
    # A response past 1 MB spills its output buffer to a temporary file,
    # which the connection keeps while it stays open.
    session = requests.Session()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)

        with served(app) as url:
            bundle = session.get(url + "/docs/swagger-ui-bundle.js", timeout=10)

        gc.collect()

    session.close()
    assert len(bundle.content) > 2**20
    assert [str(warning.message) for warning in caught] == []


def test_a_failure_at_the_round_end_is_logged_by_name_and_the_rest_is_done(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dispatcher = LoopDispatcher(lambda: False)
    done: list[str] = []

    def failing() -> None:
        raise OSError("secret-looking detail")

    try:
        dispatcher.add_task(Asking(dispatcher, [], failing))
        dispatcher.add_task(Asking(dispatcher, [], lambda: done.append("after")))
        dispatcher.run_waiting()
    finally:
        dispatcher.shutdown()

    assert done == ["after"]
    assert [record.getMessage() for record in caplog.records] == [
        "Ending a round failed: OSError"
    ]


def test_a_stop_asked_for_at_the_round_end_lets_its_work_finish() -> None:
    dispatcher = LoopDispatcher(lambda: False)
    done: list[str] = []

    def stopped_midway() -> None:
        dispatcher.stop()
        done.append("written")

    dispatcher.add_task(Asking(dispatcher, [], stopped_midway))

    try:
        dispatcher.run_waiting()
    finally:
        dispatcher.shutdown()

    assert done == ["written"]
    assert dispatcher.stop_requested


def test_while_a_delay_fault_is_in_force_requests_go_to_the_worker_threads() -> None:
    dispatcher = LoopDispatcher(lambda: True)
    task = RecordedTask()

    try:
        dispatcher.add_task(task)
        dispatcher.run_waiting()
        finished = task.finished.wait(timeout=5)
    finally:
        dispatcher.shutdown()

    assert finished
    assert task.served_on is not None
    assert task.served_on is not threading.current_thread()


def test_requests_follow_busy_worker_threads_until_they_are_done() -> None:
    sleeps_possible = [True]
    dispatcher = LoopDispatcher(lambda: sleeps_possible[0])
    release = threading.Event()
    slow, queued, later = RecordedTask(release), RecordedTask(), RecordedTask()

    try:
        dispatcher.add_task(slow)
        dispatcher.run_waiting()
        # The fault is gone, but the slow request is still on a worker thread:
        # the next one must not change the state beside it on the loop thread.
        sleeps_possible[0] = False
        dispatcher.add_task(queued)
        dispatcher.run_waiting()
        release.set()
        queued_finished = queued.finished.wait(timeout=5)
        deadline = time.monotonic() + 5

        # The worker thread counts a request done just after serving it.
        while dispatcher._pooled and time.monotonic() < deadline:
            time.sleep(0.01)

        dispatcher.add_task(later)
        dispatcher.run_waiting()
    finally:
        dispatcher.shutdown()

    assert queued_finished
    assert queued.served_on is not threading.current_thread()
    assert later.served_on is threading.current_thread()


def test_a_stop_asked_for_mid_request_waits_for_its_answer() -> None:
    dispatcher = LoopDispatcher(lambda: False)
    after_stop = RecordedTask()

    class StoppedMidway(RecordedTask):
        def service(self) -> None:
            dispatcher.stop()
            super().service()

    stopped = StoppedMidway()
    dispatcher.add_task(stopped)
    dispatcher.add_task(after_stop)

    dispatcher.run_waiting()

    assert stopped.finished.is_set()
    assert not after_stop.finished.is_set()
    assert dispatcher.stop_requested

    dispatcher.shutdown()

    assert after_stop.cancelled


def test_a_server_asked_to_stop_between_requests_stops_listening(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test process keeps its own signal handlers.
    monkeypatch.setattr(signal, "signal", lambda *_: None)
    server = create_mock_server(app, lambda: False, host="127.0.0.1", port=0)
    assert isinstance(server.waitress, BaseWSGIServer)
    assert server.waitress.socket is not None
    address = server.waitress.socket.getsockname()

    server.stop_soon()
    server.serve(freeze=False)

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(address, timeout=5)


def test_only_a_fault_with_a_delay_counts_as_one_that_may_sleep(app: Flask) -> None:
    database = app.extensions["unleash_mock"].database
    client = app.test_client()
    faults = "/__mock/faults"
    before = delays_in_force(database)

    statuses = [
        client.post(faults, json={"operation": "getServiceAccounts", "status": 403})
    ]
    with_an_error_only = delays_in_force(database)
    statuses.append(
        client.post(faults, json={"operation": "*", "latencyRangeMs": [1, 5]})
    )
    with_a_range = delays_in_force(database)
    statuses.append(client.delete(faults))
    cleared = delays_in_force(database)
    statuses.append(
        client.post(faults, json={"operation": "*", "latencyMs": 10, "times": 1})
    )
    with_a_latency = delays_in_force(database)

    assert [response.status_code for response in statuses] == [201, 201, 204, 201]
    assert (before, with_an_error_only, with_a_range, cleared, with_a_latency) == (
        False,
        False,
        True,
        False,
        True,
    )


@pytest.mark.socket
def test_sigterm_lets_the_request_in_flight_finish_and_stops_the_mock() -> None:
    with mock_process("--no-seed") as running:
        assert running.process is not None
        listing, answers = list_slowly(running.base_url, latency_ms=1000)
        time.sleep(0.3)
        running.process.terminate()
        listing.join(timeout=10)
        exit_code = running.process.wait(timeout=10)

    assert (answers, exit_code) == ([200], 0)
    # Had the woken request's thread been started again, the stop would have
    # waited out its timeout for it, and said so.
    assert "still running" not in running.stdout + running.stderr


def test_a_request_waking_after_shutdown_starts_no_thread_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dispatcher = StandInDispatcher(threads=1)
    sleeper = threading.Thread(target=dispatcher.sleep, args=(0.3,))
    sleeper.start()
    time.sleep(0.1)

    dispatcher.shutdown(timeout=5)
    sleeper.join(timeout=5)

    assert serving_threads(dispatcher) == 0
    assert [record.getMessage() for record in caplog.records] == []
