"""Schemathesis's phases and checks, aimed only at what the run created.

Schemathesis generates requests from our description in every phase
(examples, coverage, fuzzing, stateful) and applies its response checks. Two
things make that safe on a shared server: a ``before_call`` hook rewrites every
path id that is not the run's own to one that is, and names what creates
accounts and tokens with the run's prefix. An ``after_call`` hook shows each
response to the ledger and to the suite's own response checks.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import requests
import schemathesis
from requests.structures import CaseInsensitiveDict
from schemathesis.core.failures import AcceptedNegativeData, Failure
from schemathesis.engine import Status, events, from_schema
from schemathesis.engine.errors import (
    ServerUnavailable,
    UnhealthyAPIError,
    UnresponsiveOperationError,
)

from conformance.client import ApiClient, Exchange, ServerUnreachable, curl_command
from conformance.contract import Contract, opened
from conformance.findings import Finding, RunResult, Severity
from conformance.judge import CheckHook, Judge, describe_response
from conformance.ledger import Ledger
from conformance.operations import as_id, identify
from conformance.redaction import Redactor
from conformance.response_checks import check_response
from conformance.settings import PHASES, RunSettings

# Statuses an admin's schema-valid request may get, by operation, for reasons
# a schema cannot see: a business rule (400 for an unknown root role or an
# expiry in the past, our description's marked corrections), the token limit
# (403), a record deleted or never there (404) and a duplicate (409). Any
# other status refuses valid data, and positive_data_acceptance reports it.
BUSINESS_STATUSES = {
    "getServiceAccounts": ["2xx"],
    "createServiceAccount": ["2xx", "400", "409"],
    "updateServiceAccount": ["2xx", "400", "404"],
    "deleteServiceAccount": ["2xx", "404"],
    "getServiceAccountTokens": ["2xx", "404"],
    "createServiceAccountToken": ["2xx", "400", "403", "404", "409"],
    "deleteServiceAccountToken": ["2xx", "404"],
}

# What Schemathesis reports when the server, not the suite, let a request down.
_SERVER_TROUBLE = (
    requests.RequestException,
    ServerUnavailable,
    UnhealthyAPIError,
    UnresponsiveOperationError,
)

# The runs in progress, by the id of their Schemathesis schema: before_call
# hooks are global in Schemathesis, so one hook serves every run.
_GUARDS: dict[int, Guard] = {}


class Guard:
    """Keeps one run's generated requests on the run's own records."""

    def __init__(self, ledger: Ledger, prefix: str) -> None:
        self.ledger = ledger
        self.prefix = prefix
        # An id no server hands out: it names nobody's record.
        self.nobody = f"{prefix}missing"
        # Cases whose path ids were replaced: a negative value the generator
        # meant to be refused may have become a valid id of ours.
        self.reaimed: set[str] = set()

    def aim(self, case: schemathesis.Case[Any]) -> None:
        path = case.path_parameters

        if path and "id" in path:
            before = dict(path)
            account = as_id(path["id"])

            if account is None or not self.ledger.owns_account(account):
                target = self.ledger.any_account()
                path["id"] = self.nobody if target is None else str(target)

            if "tokenId" in path:
                self._aim_token(path)

            if path != before:
                self.reaimed.add(case.id)

        if isinstance(case.body, dict):
            self._prefix(case.body, "username")
            self._prefix(case.body, "description")

    def _aim_token(self, path: dict[str, Any]) -> None:
        account, token = as_id(path["id"]), as_id(path["tokenId"])

        if (
            account is None
            or token is None
            or not self.ledger.owns_token(account, token)
        ):
            ours = None if account is None else self.ledger.any_token_of(account)
            path["tokenId"] = self.nobody if ours is None else str(ours)

    def _prefix(self, body: dict[str, Any], key: str) -> None:
        value = body.get(key)

        if isinstance(value, str) and not value.startswith(self.prefix):
            body[key] = self.prefix + value


@schemathesis.hook
def before_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], **_: Any
) -> None:
    guard = _GUARDS.get(id(case.operation.schema))

    if guard is not None:
        guard.aim(case)


@schemathesis.hook
def filter_failure(
    context: schemathesis.HookContext,
    failure: Failure,
    case: schemathesis.Case[Any],
    response: schemathesis.Response,
) -> bool:
    guard = _GUARDS.get(id(case.operation.schema))
    # A rejected-negative-data failure on a re-aimed case judges our id, not
    # the generator's invalid one, so it says nothing about the server.
    return not (
        guard is not None
        and isinstance(failure, AcceptedNegativeData)
        and case.id in guard.reaimed
    )


class Fuzzer:
    """One run of Schemathesis against the server, reporting into the result."""

    def __init__(
        self,
        settings: RunSettings,
        contract: Contract,
        client: ApiClient,
        ledger: Ledger,
        result: RunResult,
        redact: Redactor,
    ) -> None:
        self.settings = settings
        self.contract = contract
        self.client = client
        self.ledger = ledger
        self.result = result
        self.redact = redact
        self.judge = Judge(result, client, redact, "fuzzing")
        self._api_path = urlsplit(settings.api_root).path

    def run(self, deadline: float, on_check: CheckHook | None = None) -> None:
        self.judge.on_check = on_check
        schema = self._schema()
        _GUARDS[id(schema)] = Guard(self.ledger, self.settings.prefix)
        # Schemathesis marks a hook function with attributes, so it takes a
        # plain function rather than a bound method.
        schema.hooks.hook("after_call")(
            lambda context, case, response: self._after_call(response)
        )

        interrupted = out_of_time = False

        try:
            stream = from_schema(schema).execute()

            for event in stream:
                self._handle(event, on_check)
                interrupted = interrupted or isinstance(event, events.Interrupted)

                # Schemathesis's own max-time makes it loop until the time is
                # up; the run's budget is a ceiling instead.
                if time.monotonic() > deadline and not out_of_time:
                    out_of_time = True
                    stream.stop()
        finally:
            del _GUARDS[id(schema)]

        # Schemathesis turns Ctrl-C into an event and ends its phases early;
        # the run must still stop, not pass on what it did not finish.
        if interrupted and not out_of_time:
            raise KeyboardInterrupt

    def _schema(self) -> schemathesis.BaseSchema:
        phases = PHASES if not self.settings.read_only else PHASES[:3]
        config = schemathesis.Config.from_dict(
            {
                "base-url": self.settings.api_root,
                "headers": {"Authorization": self.settings.token},
                "seed": self.settings.seed,
                "request-timeout": self.settings.request_timeout,
                "workers": self.settings.workers,
                "generation": {
                    "max-examples": self.settings.examples,
                    "database": "none",
                },
                "phases": {
                    name: {"enabled": name in phases}
                    for name in ("examples", "coverage", "fuzzing", "stateful")
                }
                | {
                    "stateful": {
                        "enabled": "stateful" in phases,
                        "max-steps": self.settings.profile.stateful_steps,
                    }
                },
                "operations": [
                    {
                        "include-operation-id": [operation],
                        "checks": {
                            "positive_data_acceptance": {"expected-statuses": statuses}
                        },
                    }
                    for operation, statuses in BUSINESS_STATUSES.items()
                ]
                + self._read_only_filter(),
            }
        )
        return schemathesis.openapi.from_dict(
            opened(self.contract.document), config=config
        )

    def _read_only_filter(self) -> list[dict[str, Any]]:
        """Config that leaves out every operation that changes state, if asked.

        Done in the config because Schemathesis ignores ``schema.include()``
        once the config names operations of its own.
        """
        if not self.settings.read_only:
            return []

        return [{"include-method": ["POST", "PUT", "DELETE"], "enabled": False}]

    def _after_call(self, response: schemathesis.Response) -> None:
        exchange = self._exchange(response)

        for recorder in self.client.recorders:
            recorder(exchange)

        check_response(self.judge, self.contract, exchange, strict=self.settings.strict)

    def _exchange(self, response: schemathesis.Response) -> Exchange:
        request = response.request
        url = str(request.url)
        path = urlsplit(url).path.removeprefix(self._api_path) or "/"
        body = request.body.encode() if isinstance(request.body, str) else request.body
        body = body if isinstance(body, bytes) else None
        operation_id, path_ids = identify(str(request.method), path)
        return Exchange(
            method=str(request.method),
            url=url,
            path=path,
            request_headers={k: str(v) for k, v in request.headers.items()},
            request_body=body,
            status=response.status_code,
            response_headers=_headers(response.headers),
            text=response.content.decode("utf-8", "replace"),
            operation_id=operation_id,
            path_ids=path_ids,
        )

    def _handle(self, event: events.EngineEvent, on_check: CheckHook | None) -> None:
        if isinstance(event, events.ScenarioFinished):
            self._scenario(event, on_check)
        elif isinstance(event, events.NonFatalError) and not isinstance(
            event.value, _SERVER_TROUBLE
        ):
            # A check or hook of the suite failed: that says nothing about the
            # server, and the run cannot vouch for what it did not check.
            self.result.error = self.result.error or self.redact(
                f"the suite failed on {event.label}: "
                f"{type(event.value).__name__}: {event.value}"
            )
        elif isinstance(event, events.NonFatalError):
            self.result.found(
                Finding(
                    check="request_completed",
                    operation=event.label,
                    title="Request failed without a usable response",
                    expected="an HTTP response within the request timeout",
                    actual=self.redact(event.info.message),
                    phase=event.phase.value if event.phase else "",
                )
            )
        elif isinstance(event, events.FatalError):
            self.result.error = self.redact(
                f"Schemathesis stopped: {type(event.exception).__name__}: "
                f"{event.exception}"
            )

    def _scenario(
        self, event: events.ScenarioFinished, on_check: CheckHook | None
    ) -> None:
        recorder = event.recorder

        for case_id, nodes in recorder.checks.items():
            case = recorder.cases[case_id].value
            operation = case.operation.definition.raw.get(
                "operationId", case.operation.label
            )
            interaction = recorder.interactions.get(case_id)

            for node in nodes:
                ok = node.status == Status.SUCCESS

                if on_check:
                    on_check(operation, node.name, ok)

                if ok:
                    self.result.passed(operation, node.name)
                elif node.failure_info is not None and interaction is not None:
                    self._failure(event, operation, node, interaction)

    def _failure(
        self,
        event: events.ScenarioFinished,
        operation: str,
        node: Any,
        interaction: Any,
    ) -> None:
        failure = node.failure_info.failure
        original = self._recorded(interaction)
        severity = Severity.FAILURE if self._reproduces(original) else Severity.FLAKY
        self.result.found(
            Finding(
                check=node.name,
                operation=operation,
                title=failure.title,
                expected=self.redact(failure.message.strip()),
                actual=self.redact(describe_response(original)),
                curl=curl_command(original, self.redact),
                severity=severity,
                phase=event.phase.value,
            )
        )

    def _recorded(self, interaction: Any) -> Exchange:
        request, response = interaction.request, interaction.response
        path = urlsplit(request.uri).path.removeprefix(self._api_path) or "/"
        headers = {name: values[0] for name, values in request.headers.items()}
        operation_id, path_ids = identify(request.method, path)
        return Exchange(
            method=request.method,
            url=request.uri,
            path=path
            + (
                f"?{urlsplit(request.uri).query}" if urlsplit(request.uri).query else ""
            ),
            request_headers=headers,
            request_body=request.body,
            status=response.status_code if response is not None else 0,
            response_headers=_headers(response.headers if response else {}),
            text=response.content.decode("utf-8", "replace") if response else "",
            operation_id=operation_id,
            path_ids=path_ids,
        )

    def _reproduces(self, original: Exchange) -> bool:
        """Whether the final request, sent again, gets the same kind of answer.

        Where sending it again cannot tell (a delete that succeeded, a record
        gone since), the first answer stands.
        """
        if original.method == "DELETE" and 200 <= original.status < 300:
            # Deleting once more would find nothing; the first answer stands.
            return True

        try:
            again = self.client.resend(original)
        except ServerUnreachable:
            return original.status == 0

        if again.status == 404 and original.status != 404:
            # Schemathesis confirms after its whole scenario, whose later steps
            # (its own checks' requests among them, which no hook shows) may
            # have deleted the record: the request cannot meet the state it
            # met, so the first answer stands.
            return True

        return (again.status, again.media_type) == (
            original.status,
            original.media_type,
        )


def _headers(headers: Any) -> CaseInsensitiveDict[str]:
    """Schemathesis's header lists as one value per name, any case."""
    return CaseInsensitiveDict(
        {
            name: values[0] if isinstance(values, list) else values
            for name, values in headers.items()
        }
    )
