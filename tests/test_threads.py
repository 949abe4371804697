"""Worker threads: one serves, and a request sleeping on a delay fault gets a
stand-in so the others are not held up."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from flask import Flask

from mock_server.threads import StandInDispatcher
from tests.matchers import ADMIN_HEADERS
from tests.serving import served

ACCOUNTS = "/api/admin/service-account"


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
        requests.post(
            url + "/__mock/faults",
            json={"operation": "getServiceAccounts", "latencyMs": 3000},
            timeout=5,
        ).raise_for_status()
        delayed: list[int] = []
        listing = threading.Thread(
            target=lambda: delayed.append(
                requests.get(
                    url + ACCOUNTS, headers=ADMIN_HEADERS, timeout=10
                ).status_code
            )
        )
        listing.start()
        # Long enough for the listing to reach its delay; far shorter than it.
        time.sleep(0.5)

        created = requests.post(
            url + ACCOUNTS,
            json={"username": "bot", "name": "Bot", "rootRole": 2},
            headers=ADMIN_HEADERS,
            timeout=10,
        )
        listing_still_waiting = listing.is_alive()
        listing.join(timeout=10)

    assert created.status_code == 201
    assert listing_still_waiting
    assert delayed == [200]
