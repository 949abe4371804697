"""Checking requests and responses against the description with openapi-core.

openapi-core does the checking; this module adapts Flask's request and
response to its protocols and turns what it reports into Unleash's terms: a
missing credential, an unsupported media type, or a list of 400 details that
each name the offending field (``/body/username``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema_path import SchemaPath
from openapi_core import V30RequestValidator, V30ResponseValidator
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.exceptions import (
    MediaTypeDeserializeError,
)
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.exceptions import (
    MissingRequiredRequestBody,
    ParameterValidationError,
    SecurityValidationError,
)
from openapi_core.validation.response.exceptions import MissingRequiredHeader
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from werkzeug.datastructures import Headers, MultiDict

from mock_server.errors import ECHO_LIMIT, echoed

JSON = "application/json"

# JSON nested deeper than this is refused; no valid body comes near it.
MAX_JSON_DEPTH = 64

# No double holds an integer of more digits than this: JavaScript, which
# Unleash parses JSON with, reads such a number as Infinity.
MAX_DOUBLE_DIGITS = 309


class UnreadableBody(ValueError):
    """A body that is not JSON the mock can hold, with the reason as a detail."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_json(raw: bytes) -> Any:
    """Parse a request body as strict JSON (RFC 8259), or raise ``UnreadableBody``.

    Stricter than ``json.loads``: the text must be UTF-8, ``NaN`` and
    ``Infinity`` are not JSON, nesting is bounded, and strings must be valid
    Unicode, which an escaped lone surrogate is not.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableBody(
            f"The request body is not valid UTF-8 (byte {error.start})."
        ) from None

    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_integer_as_javascript
        )
    except RecursionError:
        raise UnreadableBody(_too_deep()) from None
    except ValueError as error:
        raise UnreadableBody(f"The request body is not valid JSON: {error}.") from None

    _check_tree(value)
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _integer_as_javascript(digits: str) -> int | float:
    """An integer, or infinity past what a double holds, as JavaScript reads it.

    Python alone would refuse more than 4300 digits with a message about its
    own interpreter limits.
    """
    if len(digits.lstrip("-")) > MAX_DOUBLE_DIGITS:
        return float(digits)

    return int(digits)


def _too_deep() -> str:
    return f"The request body is nested more than {MAX_JSON_DEPTH} levels deep."


def _check_tree(value: Any) -> None:
    pending = [(value, 1)]

    while pending:
        node, depth = pending.pop()

        if depth > MAX_JSON_DEPTH:
            raise UnreadableBody(_too_deep())

        if isinstance(node, dict):
            pending.extend((key, depth) for key in node)
            pending.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            pending.extend((child, depth + 1) for child in node)
        elif isinstance(node, str) and not node.isascii():
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise UnreadableBody(
                    "The request body holds a string that is not valid Unicode "
                    "(an escaped lone surrogate)."
                ) from None


def media_type(content_type: str | None) -> str:
    """The bare media type of a Content-Type header, lowercase.

    Unleash matches media types, not header strings, so
    ``application/json; charset=utf-8`` counts as ``application/json``.
    """
    return (content_type or "").split(";", 1)[0].strip().lower()


@dataclass(slots=True)
class ApiCall:
    """A request as openapi-core reads it (its ``Request`` protocol)."""

    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None
    # The operation's path template, as Flask's routing matched it. Given this,
    # openapi-core looks the operation up by template instead of re-matching
    # the raw path, which could hold `..` segments a URL join would resolve.
    path_pattern: str


@dataclass(slots=True)
class ApiResponse:
    """A response as openapi-core reads it (its ``Response`` protocol)."""

    status_code: int
    headers: Headers
    content_type: str
    data: bytes | None


def api_call(
    *,
    host_url: str,
    path: str,
    method: str,
    headers: Headers,
    path_arguments: Mapping[str, Any],
    query: MultiDict[str, str],
    body: bytes | None,
    path_pattern: str,
) -> ApiCall:
    """Build the request openapi-core sees, with its media type normalised."""
    return ApiCall(
        host_url=host_url,
        path=path,
        method=method.lower(),
        parameters=RequestParameters(
            path=dict(path_arguments), query=query, header=headers, cookie={}
        ),
        content_type=media_type(headers.get("Content-Type")) or JSON,
        body=body,
        path_pattern=path_pattern,
    )


@dataclass(slots=True)
class RequestFindings:
    """What openapi-core found wrong with a request, sorted by Unleash's layers."""

    credentials_missing: bool = False
    media_type_unsupported: bool = False
    bad_data: list[dict[str, str]] = field(default_factory=list)


class Contract:
    """The description, and openapi-core's validators built from it once."""

    def __init__(self, document: Mapping[str, Any], base_path: str = "") -> None:
        # openapi-core matches requests against `servers`; the mock answers on
        # whatever host it is served on, under its own base path.
        served = {**document, "servers": [{"url": base_path or "/"}]}
        self.document = served
        spec = SchemaPath.from_dict(served)
        self._requests = V30RequestValidator(
            spec, extra_media_type_deserializers={JSON: _deserialize_json}
        )
        self._responses = V30ResponseValidator(spec)

    def check_request(self, call: ApiCall) -> RequestFindings:
        findings = RequestFindings()

        for error in self._requests.iter_errors(call):
            if isinstance(error, SecurityValidationError):
                findings.credentials_missing = True
            elif isinstance(error.__cause__, MediaTypeNotFound):
                findings.media_type_unsupported = True
            else:
                findings.bad_data.extend(
                    detail
                    for detail in _details(error)
                    if detail not in findings.bad_data
                )

        return findings

    def check_response(self, call: ApiCall, response: ApiResponse) -> list[str]:
        """Every way the response breaks the description, one line each."""
        return [
            _violation(error) for error in self._responses.iter_errors(call, response)
        ]


def _deserialize_json(raw: bytes, **parameters: str) -> Any:
    return read_json(raw)


def _details(error: Exception) -> Iterator[dict[str, str]]:
    """Unleash-style 400 details for one openapi-core request error."""
    cause = error.__cause__

    if isinstance(error, ParameterValidationError):
        yield from _parameter_details(error)
    elif isinstance(error, MissingRequiredRequestBody):
        yield _detail("/body", "The request body is required, but it was empty.")
    elif isinstance(cause, MediaTypeDeserializeError):
        # openapi-core raises its own error inside our deserializer's except
        # block, so the reason travels as the implicit exception context.
        reason = cause.__context__
        yield _detail(
            "/body",
            reason.reason
            if isinstance(reason, UnreadableBody)
            else "The request body is not valid JSON.",
        )
    elif isinstance(cause, InvalidSchemaValue):
        yield from _schema_errors("/body", cause)
    else:
        yield _detail("/body", echoed(str(error), 2 * ECHO_LIMIT))


def _parameter_details(error: ParameterValidationError) -> Iterator[dict[str, str]]:
    pointer = f"/params/{error.name}"
    cause = error.__cause__

    if isinstance(cause, InvalidSchemaValue):
        yield from _schema_errors(pointer, cause)
        return

    why = f": {echoed(str(cause))}" if cause else ""
    yield _detail(
        pointer, f"The `{error.name}` {error.location} parameter is invalid{why}."
    )


def _schema_errors(root: str, invalid: InvalidSchemaValue) -> Iterator[dict[str, str]]:
    for schema_error in invalid.schema_errors:
        if isinstance(schema_error, SchemaError):
            yield from _schema_details(root, schema_error)


def _schema_details(root: str, error: SchemaError) -> Iterator[dict[str, str]]:
    pointer = root + "".join(f"/{part}" for part in error.absolute_path)

    required = error.validator_value

    if error.validator == "required" and isinstance(error.instance, dict):
        for missing in _missing(
            required if isinstance(required, list) else [], error.instance
        ):
            yield _detail(
                f"{pointer}/{missing}",
                f"The `{pointer}/{missing}` property is required. "
                "It was not present on the data you sent.",
            )
    elif error.validator in ("type", "format"):
        expected = (
            f"be {error.validator_value}"
            if error.validator == "type"
            else f'match format "{error.validator_value}"'
        )
        yield _detail(
            pointer,
            f"The `{pointer}` property must {expected}. "
            f"You sent {_echo(error.instance)}.",
        )
    else:
        problem = echoed(error.message, 2 * ECHO_LIMIT)
        yield _detail(pointer, f"The `{pointer}` property is invalid: {problem}")


def _missing(required: Iterable[str], instance: Mapping[str, Any]) -> list[str]:
    return [name for name in required if name not in instance]


def _echo(value: Any) -> str:
    return echoed(json.dumps(value, ensure_ascii=False, default=str))


def _detail(path: str, message: str) -> dict[str, str]:
    return {"path": path, "message": message}


def _violation(error: Exception) -> str:
    cause = error.__cause__

    if isinstance(error, ResponseNotFound):
        return f"the status {error.http_status} is not documented for this operation"

    if isinstance(error, MissingRequiredHeader):
        return f"the required response header {error.name!r} is missing"

    if isinstance(cause, InvalidSchemaValue):
        return "; ".join(
            "response body at /"
            + "/".join(str(part) for part in schema_error.absolute_path)
            + f": {schema_error.message}"
            for schema_error in cause.schema_errors
            if isinstance(schema_error, SchemaError)
        )

    reason = f": {cause}" if cause else f": {error}" if str(error) else ""
    return f"{type(error).__name__}{reason}"
