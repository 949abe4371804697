"""The hot path's JSON: orjson's output, and the standard library's where orjson
refuses a value."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from mock_server.fast_json import OwnJson, encoded, parsed_own


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            {"id": 1, "name": "Bot é", "tokens": []},
            '{"id":1,"name":"Bot é","tokens":[]}'.encode(),
            id="compact-utf-8",
        ),
        pytest.param(2**70, b"1180591620717411303424", id="integer-past-64-bits"),
        pytest.param({"name": "\ud800"}, b'{"name":"\\ud800"}', id="lone-surrogate"),
    ],
)
def test_encoded_writes_every_value_json_takes(value: Any, expected: bytes) -> None:
    assert encoded(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Only orjson encodes a date: had it refused the own text, json would
        # have refused the date.
        pytest.param(
            {"body": OwnJson(b'{"id":1,"tokens":[]}'), "on": date(2026, 12, 4)},
            b'{"body":{"id":1,"tokens":[]},"on":"2026-12-04"}',
            id="orjson",
        ),
        pytest.param(
            {"body": OwnJson(b'{"id":1}'), "big": 2**70},
            b'{"body":{"id":1},"big":1180591620717411303424}',
            id="json-after-orjson-refuses",
        ),
    ],
)
def test_own_json_goes_into_a_document_as_it_is(value: Any, expected: bytes) -> None:
    assert encoded(value) == expected


def test_anything_else_json_cannot_encode_is_refused() -> None:
    with pytest.raises(TypeError, match="object is not JSON"):
        encoded({"x": object()})


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"id":1,"name":"Bot é"}', id="utf-8"),
        pytest.param('{"name":"\\ud800"}', id="escaped-lone-surrogate"),
    ],
)
def test_parsed_own_reads_what_json_reads(text: str) -> None:
    assert parsed_own(text) == json.loads(text)


def test_parsed_own_refuses_text_that_is_not_json() -> None:
    with pytest.raises(json.JSONDecodeError, match="Expecting property name"):
        parsed_own("{")
