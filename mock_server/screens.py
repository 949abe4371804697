"""Checks compiled once from the description, that say yes to a conforming message.

openapi-core walks the description on every call: it finds the path again,
resolves every ``$ref`` and builds a fresh JSON Schema validator, which costs
milliseconds a request. A screen does that work once per operation: its
schemas are compiled with jsonschema-rs, using openapi-core's own format
checks, when the app starts.

A screen answers one question: does this request or response certainly
conform? A yes is final. Anything else, including a message the screen cannot
judge, goes on to openapi-core, which decides and words each error. So a
screen must never pass what openapi-core would refuse; where the description
uses a keyword whose meaning it does not mirror exactly, it judges nothing and
openapi-core sees every message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jsonschema_rs
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

from mock_server.contract import JSON, UnreadableBody, media_type, read_json

SchemaCheck = Callable[[Any], bool]


class HeaderLookup(Protocol):
    """Headers read by name, as werkzeug's are: case-insensitively."""

    def get(self, key: str) -> str | None: ...

    def __contains__(self, key: str, /) -> bool: ...


# Keywords that say nothing about validity.
ANNOTATIONS = frozenset(
    {"description", "example", "deprecated", "title", "externalDocs", "xml"}
)

# Keywords that mean the same in OpenAPI 3.0 and in JSON Schema draft 4.
SHARED_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
        "enum",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
    }
)
# Left out though draft 4 has them: jsonschema-rs compares numbers exactly
# where openapi-core compares them as Python does, so the two disagree on
# multipleOf for fractions or huge floats, and on uniqueItems for 2**64 next
# to 2.0**64, which Python counts as equal.

# The types of OpenAPI 3.0, where `type` names exactly one.
OPENAPI_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object"})

# Bounds past this magnitude are compared inexactly by jsonschema-rs against a
# float of the same value (2**64 against 2.0**64); below it every integer
# bound is also a double, and both sides compare alike.
EXACT_BOUND = 2**53

# openapi-core's checks of these formats judge numbers (int32 is a range);
# jsonschema-rs asks a format only about strings.
NUMBER_FORMATS = frozenset({"int32", "int64", "float", "double"})

# The date-times openapi-core's format check certainly accepts, as one regular
# expression that jsonschema-rs runs without calling back into Python. It
# allows a day 29 to 31 only in months that always have it, so a 29 February
# fails here and openapi-core, which knows leap years, judges it.
_YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_DAY = (
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    "|(?:0[13-9]|1[0-2])-(?:29|30)"
    "|(?:0[13578]|1[02])-31)"
)
_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]{1,9})?"
_OFFSET = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
DATE_TIME_PATTERN = f"^{_YEAR}-{_DAY}T{_TIME}{_OFFSET}$"

# Keywords whose value is one schema, or a map or list of schemas.
SUBSCHEMA = frozenset({"items", "not", "additionalProperties"})
SUBSCHEMA_MAPS = frozenset({"properties"})
SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})


class Untranslatable(Exception):
    """A schema uses something a screen cannot judge as openapi-core does."""


class Translation:
    """OpenAPI 3.0 schemas of one description as JSON Schema draft 4."""

    def __init__(self, document: Mapping[str, Any], formats: frozenset[str]) -> None:
        self._document = document
        self._formats = formats

    def schema(self, schema: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
        if "$ref" in schema:
            # openapi-core applies a nested reference's sibling keywords too.
            if any(
                keyword not in ANNOTATIONS for keyword in schema if keyword != "$ref"
            ):
                raise Untranslatable(f"$ref beside {sorted(schema)}")

            return self._referenced(schema["$ref"], seen)

        translated: dict[str, Any] = {}

        for keyword, value in schema.items():
            if keyword in ANNOTATIONS or keyword.startswith("x-"):
                continue

            if keyword == "format":
                translated.update(self._format(value))
                continue

            if keyword == "nullable":
                continue

            if keyword not in SHARED_KEYWORDS:
                raise Untranslatable(keyword)

            _check_value(keyword, value)
            translated[keyword] = self._subschemas(keyword, value, seen)

        if schema.get("nullable") is True:
            translated = _nullable(translated)

        return translated

    def _format(self, name: str) -> dict[str, str]:
        # openapi-core checks only the formats it knows, and only strings.
        if name in NUMBER_FORMATS:
            raise Untranslatable(f"format {name}")

        if name not in self._formats:
            return {}

        if name == "date-time":
            return {"pattern": DATE_TIME_PATTERN}

        return {"format": f"openapi-core:{name}"}

    def _subschemas(self, keyword: str, value: Any, seen: tuple[str, ...]) -> Any:
        if keyword in SUBSCHEMA and isinstance(value, Mapping):
            return self.schema(value, seen)

        if keyword in SUBSCHEMA_MAPS:
            return {name: self.schema(child, seen) for name, child in value.items()}

        if keyword in SUBSCHEMA_LISTS:
            return [self.schema(child, seen) for child in value]

        return value

    def _referenced(self, reference: str, seen: tuple[str, ...]) -> Any:
        if not reference.startswith("#/") or reference in seen:
            raise Untranslatable(reference)

        return self.schema(_pointed(self._document, reference), (*seen, reference))


def _check_value(keyword: str, value: Any) -> None:
    """Refuse a keyword value whose meaning the two validators do not share."""
    if keyword == "type" and (not isinstance(value, str) or value not in OPENAPI_TYPES):
        raise Untranslatable(f"type {value!r}")

    if keyword in ("minimum", "maximum") and not _exact_bound(value):
        raise Untranslatable(f"{keyword} {value!r}")

    if keyword in ("items", "not") and not isinstance(value, Mapping):
        raise Untranslatable(f"{keyword} that is not one schema")

    if keyword == "additionalProperties" and not isinstance(value, Mapping | bool):
        raise Untranslatable(f"{keyword} {value!r}")


def _exact_bound(value: Any) -> bool:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return numeric and abs(value) <= EXACT_BOUND


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "enum" in schema:
        # openapi-core's reading of nullable beside enum is its own.
        raise Untranslatable("nullable with enum")

    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}

    return schema


def compiled(schema: Any, translation: Translation, for_requests: bool) -> SchemaCheck:
    """A draft 4 validator of a translated schema, with openapi-core's formats."""
    checker = OAS30WriteValidator if for_requests else OAS30ReadValidator
    format_checker = checker.FORMAT_CHECKER

    try:
        validator = jsonschema_rs.Draft4Validator(
            translation.schema(schema),
            formats={
                f"openapi-core:{name}": _format_check(format_checker, name)
                for name in format_checker.checkers
            },
            validate_formats=True,
        )
    except ValueError as error:
        # A schema jsonschema-rs refuses (`required: []` is not draft 4) can
        # still be one openapi-core judges.
        raise Untranslatable(str(error)) from None

    return validator.is_valid


def _format_check(format_checker: Any, name: str) -> Callable[[str], bool]:
    def conforms(value: str) -> bool:
        try:
            return bool(format_checker.conforms(value, name))
        except Exception:
            # A check that fails in a way it did not plan for says no yes;
            # openapi-core then judges the value and words what is wrong.
            return False

    return conforms


@dataclass(frozen=True)
class RequestScreen:
    """One operation's request checks, compiled."""

    credential_header: str
    path_parameters: Mapping[str, SchemaCheck]
    media_types: frozenset[str]
    body: SchemaCheck | None

    def passes(
        self,
        headers: HeaderLookup,
        path_arguments: Mapping[str, str],
        content_type: str | None,
        raw_body: bytes | None,
    ) -> tuple[bool, Any]:
        """Whether the request conforms, and its body read as JSON if it has one."""
        if self.credential_header not in headers:
            return False, None

        for name, check in self.path_parameters.items():
            if not _holds(check, path_arguments.get(name)):
                return False, None

        if self.body is None:
            return True, None

        if media_type(content_type) not in self.media_types or not raw_body:
            return False, None

        try:
            body = read_json(raw_body)
        except UnreadableBody:
            return False, None

        return _holds(self.body, body), body


@dataclass(frozen=True)
class DocumentedResponse:
    """What one documented status asks of a response."""

    media_types: frozenset[str]
    body: SchemaCheck | None
    headers: Mapping[str, tuple[bool, SchemaCheck]]


@dataclass(frozen=True)
class ResponseScreen:
    """One operation's response checks, compiled."""

    responses: Mapping[int, DocumentedResponse]

    def passes(
        self,
        status: int,
        headers: HeaderLookup,
        content_type: str | None,
        body: Callable[[], Any],
        *,
        body_conforms: bool = False,
    ) -> bool:
        """Whether the response conforms; ``body`` reads its JSON when needed.

        ``body_conforms`` says the body was found conforming before, unchanged.
        """
        documented = self.responses.get(status)

        if documented is None:
            return False

        for name, (required, check) in documented.headers.items():
            value = headers.get(name)

            if value is None and required:
                return False

            if value is not None and not _holds(check, value):
                return False

        if documented.body is None:
            return True

        if media_type(content_type) not in documented.media_types:
            return False

        if body_conforms:
            return True

        try:
            value = body()
        except ValueError:
            # An empty or broken JSON body: openapi-core names what is wrong.
            return False

        return _holds(documented.body, value)


def _holds(check: SchemaCheck, value: Any) -> bool:
    try:
        return check(value)
    except (ValueError, TypeError, OverflowError):
        # jsonschema-rs cannot take every Python value (NaN, huge integers);
        # what it cannot read, openapi-core judges.
        return False


def request_screen(
    document: Mapping[str, Any], path: str, method: str
) -> RequestScreen | None:
    """The compiled request checks of one operation, or None if it has none."""
    translation = _translation(document)
    path_item = document["paths"][path]
    operation = path_item[method.lower()]
    credential_header = _credential_header(document, operation)

    try:
        parameters = {
            parameter["name"]: compiled(parameter["schema"], translation, True)
            for parameter in _parameters(document, path_item, operation)
        }
        body = operation.get("requestBody")
        content = (body or {}).get("content", {})
        body_check = (
            compiled(content[JSON]["schema"], translation, True)
            if body is not None
            else None
        )
    except (Untranslatable, KeyError):
        return None

    if credential_header is None or (body is not None and not body.get("required")):
        return None

    return RequestScreen(
        credential_header=credential_header,
        path_parameters=parameters,
        media_types=frozenset(content) & {JSON},
        body=body_check,
    )


def response_screen(
    document: Mapping[str, Any], path: str, method: str
) -> ResponseScreen | None:
    """The compiled response checks of one operation, or None if it has none."""
    translation = _translation(document)
    operation = document["paths"][path][method.lower()]
    responses = {}

    try:
        for status, response in operation["responses"].items():
            if not str(status).isdecimal():
                return None

            response = _resolved(document, response)
            content = response.get("content")
            responses[int(status)] = DocumentedResponse(
                media_types=frozenset(content or ()) & {JSON},
                # An empty content map still asks for a body openapi-core
                # can never find, so it leaves nothing to screen.
                body=(
                    compiled(content[JSON]["schema"], translation, False)
                    if content is not None
                    else None
                ),
                headers={
                    name: (
                        bool(header.get("required")),
                        compiled(header["schema"], translation, False),
                    )
                    for name, header in (response.get("headers") or {}).items()
                },
            )
    except (Untranslatable, KeyError):
        return None

    return ResponseScreen(responses)


def _translation(document: Mapping[str, Any]) -> Translation:
    formats = frozenset(OAS30ReadValidator.FORMAT_CHECKER.checkers)
    return Translation(document, formats)


def _parameters(
    document: Mapping[str, Any],
    path_item: Mapping[str, Any],
    operation: Mapping[str, Any],
) -> list[Mapping[str, Any]]:
    """The operation's parameters, if all are string path parameters."""
    parameters = [
        _resolved(document, parameter)
        for parameter in (
            *path_item.get("parameters", ()),
            *operation.get("parameters", ()),
        )
    ]

    for parameter in parameters:
        # openapi-core casts other types and reads other locations its own way.
        if parameter.get("in") != "path" or parameter["schema"].get("type") != "string":
            raise Untranslatable(f"parameter {parameter.get('name')}")

    return parameters


def _credential_header(
    document: Mapping[str, Any], operation: Mapping[str, Any]
) -> str | None:
    """A header whose mere presence meets the operation's security, if one does."""
    requirements = operation.get("security", document.get("security", []))
    schemes = document.get("components", {}).get("securitySchemes", {})

    for requirement in requirements:
        if len(requirement) != 1:
            continue

        scheme = schemes.get(next(iter(requirement)), {})

        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            return str(scheme["name"])

    return None


def _resolved(document: Mapping[str, Any], item: Mapping[str, Any]) -> Any:
    return _pointed(document, item["$ref"]) if "$ref" in item else item


def _pointed(document: Mapping[str, Any], reference: str) -> Any:
    """What a local reference (``#/components/...``) points at in the document."""
    target: Any = document

    for part in reference.removeprefix("#/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]

    return target
