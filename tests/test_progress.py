"""The progress printer: what a terminal and a CI log see while a run goes on."""

from __future__ import annotations

import io
import threading

from conformance.reports import ProgressPrinter

# How long a write waits for a second writer to turn up: far longer than two
# threads released together need to reach it, short enough for a test.
MEETING_SECONDS = 0.5


class StoppedClock:
    """A clock that only moves when a test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TerminalStream(io.StringIO):
    def isatty(self) -> bool:
        return True


class MeetingStream(io.StringIO):
    """A log whose every write waits a moment for a second one, and notes it."""

    def __init__(self) -> None:
        super().__init__()
        self.meeting = threading.Barrier(2, timeout=MEETING_SECONDS)
        self.overlapped = False

    def write(self, text: str) -> int:
        try:
            self.meeting.wait()
            self.overlapped = True
        except threading.BrokenBarrierError:
            # Nobody came: this write had the stream to itself.
            pass

        return super().write(text)


def test_a_log_gets_whole_lines_a_count_now_and_then_and_each_failing_pair_once() -> (
    None
):
    stream = io.StringIO()
    clock = StoppedClock()
    printer = ProgressPrinter(stream, clock=clock)

    printer.phase_started("scenarios")
    clock.now = 2.5
    printer.phase_finished("scenarios")
    printer.phase_started("schemathesis")

    for second in range(3, 15):
        clock.now = second
        printer.check_done("getServiceAccounts", "status_code_conformance", True)

    printer.check_done("createServiceAccount", "not_a_server_error", False)
    clock.now = 30.0
    printer.check_done("createServiceAccount", "not_a_server_error", False)
    clock.now = 31.25
    printer.phase_finished("schemathesis")

    assert stream.getvalue().splitlines() == [
        "scenarios: started",
        "scenarios: finished in 2.5 s",
        "schemathesis: started",
        "schemathesis: 11 checks, 11 passed, 0 failed",
        "  failed: not_a_server_error on createServiceAccount",
        "schemathesis: 14 checks, 12 passed, 2 failed",
        "schemathesis: finished in 28.8 s, 14 checks, 12 passed, 2 failed",
    ]


def test_a_log_stream_is_detected_and_never_redrawn() -> None:
    stream = io.StringIO()
    clock = StoppedClock()
    printer = ProgressPrinter(stream, clock=clock)

    printer.phase_started("schemathesis")

    for second in range(1, 100):
        clock.now = second
        printer.check_done("getServiceAccounts", "use_after_free", second % 2 == 0)

    assert printer.live is False
    assert "\r" not in stream.getvalue()
    assert "\x1b" not in stream.getvalue()
    # "started", the one failing pair, then a count every ten seconds.
    assert len(stream.getvalue().splitlines()) == 1 + 1 + 9


def test_a_terminal_redraws_one_count_line_and_clears_it_for_whole_lines() -> None:
    stream = TerminalStream()
    clock = StoppedClock()
    printer = ProgressPrinter(stream, clock=clock)

    printer.phase_started("schemathesis")
    clock.now = 0.25
    printer.check_done("getServiceAccounts", "status_code_conformance", True)
    clock.now = 0.3
    printer.check_done("getServiceAccounts", "status_code_conformance", True)
    clock.now = 0.5
    printer.check_done("getServiceAccounts", "status_code_conformance", True)
    printer.check_done("deleteServiceAccount", "use_after_free", False)
    clock.now = 0.75
    printer.check_done("deleteServiceAccount", "use_after_free", True)
    clock.now = 1.0
    printer.phase_finished("schemathesis")

    first = "schemathesis: 1 checks, 1 passed, 0 failed"
    second = "schemathesis: 3 checks, 3 passed, 0 failed"
    third = "schemathesis: 5 checks, 4 passed, 1 failed"
    assert printer.live is True
    assert stream.getvalue() == (
        "schemathesis: started\n"
        f"\r{first}"
        f"\r{second}"
        f"\r{' ' * len(second)}\r"
        "  failed: use_after_free on deleteServiceAccount\n"
        f"\r{third}"
        f"\r{' ' * len(third)}\r"
        "schemathesis: finished in 1.0 s, 5 checks, 4 passed, 1 failed\n"
    )


def test_checks_ending_on_two_threads_at_once_write_one_after_the_other() -> None:
    stream = MeetingStream()
    printer = ProgressPrinter(stream, live=False, clock=StoppedClock())
    start = threading.Barrier(2)

    def fail(operation: str) -> None:
        start.wait()
        printer.check_done(operation, "not_a_server_error", ok=False)

    threads = [
        threading.Thread(target=fail, args=(operation,))
        for operation in ("createServiceAccount", "deleteServiceAccount")
    ]

    for thread in threads:
        thread.start()

    for thread in threads:
        thread.join()

    assert stream.overlapped is False
    assert sorted(stream.getvalue().splitlines()) == [
        "  failed: not_a_server_error on createServiceAccount",
        "  failed: not_a_server_error on deleteServiceAccount",
    ]
    assert (printer.passed, printer.failed) == (0, 2)
