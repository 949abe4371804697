"""``drift``: another OpenAPI document against our description, ruled on."""

from __future__ import annotations

import copy
import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from click.testing import CliRunner, Result
from flask import Flask, Response, request

from conformance.compatibility import Comparison, schema_uses
from conformance.contract import load_contract
from conformance.drift import DriftReport, compare_documents, drift
from conformance.sources import SourceError, load_source, shown_source
from conformance.structure import Structure, extract_structure
from conformance.verdicts import Verdict
from mock_server import MockConfig, create_app
from tests.serving import free_port, served

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_COPY = ROOT / "tests" / "data" / "reference-structure.json"
OURS = "openapi/service-accounts.yaml"

ACCOUNTS = "/api/admin/service-account"
ACCOUNT = "/api/admin/service-account/{id}"
TOKENS = "/api/admin/service-account/{id}/token"
TOKEN = "/api/admin/service-account/{id}/token/{tokenId}"
CREATE_BODY = "requestBody/content/application~1json/schema"
LIST_ROLES = "responses/200/content/application~1json/schema/properties/rootRoles/items"

Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture
def description() -> dict[str, Any]:
    return load_contract()


@pytest.fixture
def reference_copy(description: dict[str, Any]) -> Comparison:
    """Our description against the project's copy of the reference's structure."""
    text = REFERENCE_COPY.read_text(encoding="utf-8")
    # The copy holds no $ref, so the reference's schema uses are taken to be ours;
    # test_description holds both documents to the same schema names.
    return Comparison(
        extract_structure(description),
        cast(Structure, json.loads(text)),
        schema_uses(description),
    )


@pytest.fixture
def reference_path(description: dict[str, Any], tmp_path: Path) -> Path:
    """Unleash's whole published document, or our own where it is not at hand."""
    shared = os.environ.get("UNLEASH_SHARED_DIR")
    base = Path(shared) if shared else ROOT.parent / "shared"
    path = base / "reference" / "unleash-openapi-upstream.json"
    if path.is_file():
        return path

    # Without the shared directory the project's copy (above) stands in for the
    # reference, and this file only exercises reading a JSON document.
    fallback = tmp_path / "unleash-openapi.json"
    fallback.write_text(json.dumps(description), encoding="utf-8")
    return fallback


def _mutated(document: dict[str, Any], mutate: Mutation) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    mutate(changed)
    return changed


def _schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def _remove_operation(document: dict[str, Any]) -> None:
    del document["paths"][TOKEN]["delete"]


def _remove_status(document: dict[str, Any]) -> None:
    del document["paths"][ACCOUNT]["delete"]["responses"]["404"]


def _add_status(document: dict[str, Any]) -> None:
    document["paths"][ACCOUNTS]["get"]["responses"]["404"] = {"description": "Gone."}


def _add_required_request_property(document: dict[str, Any]) -> None:
    schema = _schema(document, "createServiceAccountSchema")
    schema["properties"]["email"] = {"type": "string"}
    schema["required"].append("email")


def _add_optional_request_property(document: dict[str, Any]) -> None:
    schema = _schema(document, "createServiceAccountSchema")
    schema["properties"]["email"] = {"type": "string"}


def _remove_response_property(document: dict[str, Any]) -> None:
    del _schema(document, "roleSchema")["properties"]["description"]


def _add_closed_response_property(document: dict[str, Any]) -> None:
    _schema(document, "roleSchema")["properties"]["color"] = {"type": "string"}


def _add_open_response_property(document: dict[str, Any]) -> None:
    _schema(document, "patsSchema")["properties"]["total"] = {"type": "integer"}


def _change_type(document: dict[str, Any]) -> None:
    _schema(document, "createPatSchema")["properties"]["expiresAt"]["type"] = "integer"


def _remove_security_scheme(document: dict[str, Any]) -> None:
    del document["components"]["securitySchemes"]["bearerToken"]


def _invoke(*arguments: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(drift, list(arguments), env=env or {})


def _verdicts(report: DriftReport) -> list[tuple[Verdict, str]]:
    return [
        (
            entry.ruling.verdict,
            f"{entry.difference.scope}#{entry.difference.pointer}",
        )
        for entry in report.drifts
    ]


def test_reference_copy_shows_no_drift(reference_copy: Comparison) -> None:
    report = DriftReport.of(reference_copy, OURS, "reference-structure.json")

    assert report.drifts == ()
    assert report.exit_code == 0
    assert report.render() == (
        f"0 differences between {OURS} and reference-structure.json: 0 breaking, "
        "0 non-breaking\n"
    )


def test_published_reference_document_shows_no_drift(reference_path: Path) -> None:
    result = _invoke("--against", str(reference_path))

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        f"0 differences between {OURS} and {reference_path}: 0 breaking, "
        "0 non-breaking\n"
    )


B, N = Verdict.BREAKING, Verdict.NON_BREAKING


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            _remove_operation, [(B, f"DELETE {TOKEN}#")], id="operation-removed"
        ),
        pytest.param(
            _remove_status,
            [(B, f"DELETE {ACCOUNT}#/responses/404")],
            id="status-removed",
        ),
        pytest.param(
            _add_status, [(N, f"GET {ACCOUNTS}#/responses/404")], id="status-added"
        ),
        pytest.param(
            _add_required_request_property,
            [
                (B, f"POST {ACCOUNTS}#/{CREATE_BODY}/properties/email"),
                (B, f"POST {ACCOUNTS}#/{CREATE_BODY}/required"),
                (B, "schemas#/createServiceAccountSchema/properties/email"),
                (B, "schemas#/createServiceAccountSchema/required"),
            ],
            id="required-request-property-added",
        ),
        pytest.param(
            _add_optional_request_property,
            [
                (N, f"POST {ACCOUNTS}#/{CREATE_BODY}/properties/email"),
                (N, "schemas#/createServiceAccountSchema/properties/email"),
            ],
            id="optional-request-property-added",
        ),
        pytest.param(
            _remove_response_property,
            [
                (B, f"GET {ACCOUNTS}#/{LIST_ROLES}/properties/description"),
                (B, "schemas#/roleSchema/properties/description"),
                (
                    B,
                    "schemas#/serviceAccountsSchema/properties/rootRoles/items"
                    "/properties/description",
                ),
            ],
            id="response-property-removed",
        ),
        pytest.param(
            _add_closed_response_property,
            [
                (B, f"GET {ACCOUNTS}#/{LIST_ROLES}/properties/color"),
                (B, "schemas#/roleSchema/properties/color"),
                (
                    B,
                    "schemas#/serviceAccountsSchema/properties/rootRoles/items"
                    "/properties/color",
                ),
            ],
            id="property-added-to-closed-response-object",
        ),
        pytest.param(
            _add_open_response_property,
            [
                (
                    N,
                    f"GET {TOKENS}#/responses/200/content/application~1json/schema"
                    "/properties/total",
                ),
                (N, "schemas#/patsSchema/properties/total"),
            ],
            id="property-added-to-open-response-object",
        ),
        pytest.param(
            _change_type,
            [
                (B, f"POST {TOKENS}#/{CREATE_BODY}/properties/expiresAt/type"),
                (B, "schemas#/createPatSchema/properties/expiresAt/type"),
            ],
            id="type-changed",
        ),
        pytest.param(
            _remove_security_scheme,
            [(B, "securitySchemes#/bearerToken")],
            id="security-scheme-removed",
        ),
    ],
)
def test_each_rule_classifies_its_mutation_as_decided(
    description: dict[str, Any],
    mutate: Mutation,
    expected: list[tuple[Verdict, str]],
) -> None:
    changed = _mutated(description, mutate)

    report = compare_documents(description, changed)

    assert _verdicts(report) == expected
    assert report.exit_code == (1 if any(v is B for v, _ in expected) else 0)


@pytest.mark.parametrize(
    ("mutate", "rendered"),
    [
        pytest.param(
            _remove_operation,
            "breaking      operation-missing at DELETE "
            "/api/admin/service-account/{id}/token/{tokenId}: expected operation "
            "deleteServiceAccountToken, got nothing — clients calling the operation "
            "get 404 or 405 (if it moved, its new place is listed as added)\n"
            "1 difference between ours and theirs: 1 breaking, 0 non-breaking\n",
            id="operation-removed",
        ),
        pytest.param(
            _add_status,
            "non-breaking  status-added at GET /api/admin/service-account"
            "#/responses/404: expected nothing, got {} — 404 is newly documented: "
            "clients already treat any 4xx or 5xx as an error, and no answer they "
            "rely on changes\n"
            "1 difference between ours and theirs: 0 breaking, 1 non-breaking\n",
            id="status-added",
        ),
        pytest.param(
            _remove_security_scheme,
            "breaking      key-missing at securitySchemes#/bearerToken: expected "
            '{"scheme": "bearer", "type": "http"}, got nothing — security scheme '
            '"bearerToken" is gone: clients that authenticate with it are refused\n'
            "1 difference between ours and theirs: 1 breaking, 0 non-breaking\n",
            id="security-scheme-removed",
        ),
        pytest.param(
            _change_type,
            "breaking      value-changed at POST "
            "/api/admin/service-account/{id}/token#/requestBody/content/"
            'application~1json/schema/properties/expiresAt/type: expected "string", '
            'got "integer" — type changes in a request schema: requests valid today '
            "may be refused\n"
            "breaking      value-changed at schemas#/createPatSchema/properties/"
            'expiresAt/type: expected "string", got "integer" — type changes in a '
            "request schema: requests valid today may be refused\n"
            "2 differences between ours and theirs: 2 breaking, 0 non-breaking\n",
            id="type-changed",
        ),
    ],
)
def test_report_renders_one_line_per_difference_then_a_count(
    description: dict[str, Any], mutate: Mutation, rendered: str
) -> None:
    changed = _mutated(description, mutate)

    report = compare_documents(
        description, changed, expected_source="ours", actual_source="theirs"
    )

    assert report.render() == rendered


def test_report_puts_breaking_differences_first(
    description: dict[str, Any],
) -> None:
    def both(document: dict[str, Any]) -> None:
        _add_status(document)
        _remove_status(document)

    changed = _mutated(description, both)

    report = compare_documents(description, changed)

    lines = report.render().splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["breaking", "non-breaking"]
    assert [entry.difference.scope for entry in report.breaking] == [
        f"DELETE {ACCOUNT}"
    ]
    assert [entry.difference.scope for entry in report.non_breaking] == [
        f"GET {ACCOUNTS}"
    ]


def test_report_redacts_a_token_shaped_value_from_the_other_document(
    description: dict[str, Any],
) -> None:
    secret = "user:" + "ab" * 28
    description_with_enum = _mutated(
        description,
        lambda document: _schema(document, "createPatSchema")["properties"][
            "description"
        ].update(enum=["deploy"]),
    )
    changed = _mutated(
        description_with_enum,
        lambda document: _schema(document, "createPatSchema")["properties"][
            "description"
        ].update(enum=["deploy", secret]),
    )

    rendered = compare_documents(description_with_enum, changed).render()

    assert secret not in rendered
    assert 'enum gains "[redacted]" in a request schema' in rendered


def test_yaml_file_with_a_removed_status_exits_1(
    description: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "newer.yaml"
    source.write_text(yaml.safe_dump(_mutated(description, _remove_status)))

    result = _invoke("--against", str(source))

    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "breaking      status-missing at DELETE /api/admin/service-account/{id}"
        '#/responses/404: expected {"content": {"application/json": {"schema": '
        '{"properties": …, got nothing — 404 is no longer documented: clients '
        "that handle it may get something else, and a server still answering it "
        "breaks the contract",
        f"1 difference between {OURS} and {source}: 1 breaking, 0 non-breaking",
    ]


def test_json_file_with_an_added_status_exits_0(
    description: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "newer.json"
    source.write_text(json.dumps(_mutated(description, _add_status)))

    result = _invoke("--against", str(source))

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1] == (
        f"1 difference between {OURS} and {source}: 0 breaking, 1 non-breaking"
    )


@pytest.mark.socket
def test_description_served_by_the_mock_shows_no_drift() -> None:
    with served(create_app(MockConfig())) as base_url:
        url = f"{base_url}/docs/openapi.json"

        result = _invoke("--against", url)

    assert result.exit_code == 0
    assert result.stdout == (
        f"0 differences between {OURS} and {url}: 0 breaking, 0 non-breaking\n"
    )


def _guarded(document: dict[str, Any], token: str) -> Flask:
    """An app serving ``document`` only to requests carrying ``token``."""
    app = Flask(__name__)

    @app.get("/docs/openapi.json")
    def description() -> Response:
        if request.headers.get("Authorization") != token:
            return Response("{}", status=401, mimetype="application/json")

        return Response(json.dumps(document), mimetype="application/json")

    return app


@pytest.fixture
def guarded_url(description: dict[str, Any]) -> Iterator[str]:
    with served(_guarded(description, "*:*.0123456789abcdef0123")) as base_url:
        yield f"{base_url}/docs/openapi.json"


@pytest.mark.socket
def test_the_run_token_is_sent_to_the_runs_own_server(guarded_url: str) -> None:
    server = guarded_url.removesuffix("/docs/openapi.json") + "/unleash"

    result = _invoke(
        "--against",
        guarded_url,
        env={"UNLEASH_URL": server, "UNLEASH_TOKEN": "*:*.0123456789abcdef0123"},
    )

    assert result.exit_code == 0
    assert result.stdout.endswith(": 0 breaking, 0 non-breaking\n")


@pytest.mark.socket
def test_the_run_token_is_not_sent_to_another_host(guarded_url: str) -> None:
    result = _invoke(
        "--against",
        guarded_url,
        env={
            "UNLEASH_URL": "https://unleash.example.com",
            "UNLEASH_TOKEN": "*:*.0123456789abcdef0123",
        },
    )

    assert result.exit_code == 2
    assert "answered 401 UNAUTHORIZED" in result.stderr


@pytest.mark.socket
def test_wrong_token_is_refused_without_showing_it(guarded_url: str) -> None:
    result = _invoke("--against", guarded_url, "--token", "*:*.fedcba9876543210fedc")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"unleash-conformance drift: {guarded_url!r}: answered 401 UNAUTHORIZED. "
        "Pass a token that may read it with --token.\n"
    )


@pytest.mark.socket
def test_url_that_answers_404_exits_2() -> None:
    with served(create_app(MockConfig())) as base_url:
        url = f"{base_url}/openapi.json"

        result = _invoke("--against", url)

    assert result.exit_code == 2
    assert result.stderr == (
        f"unleash-conformance drift: {url!r}: answered 404 NOT FOUND. Check the "
        "URL; Unleash serves its description at <base URL>/docs/openapi.json.\n"
    )


@pytest.mark.socket
def test_url_that_never_answers_exits_2_after_the_timeout() -> None:
    # The kernel completes the handshake for a listening socket nobody accepts
    # on, so the request is sent and its answer never comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/docs/openapi.json"

        result = _invoke("--against", url, "--timeout", "0.2")

    assert result.exit_code == 2
    assert result.stderr == (
        f"unleash-conformance drift: {url!r}: did not answer within 0.2 s. Check "
        "the URL, or allow longer with --timeout.\n"
    )


def test_unreachable_url_exits_2_with_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}/docs/openapi.json"

    result = _invoke("--against", url)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"unleash-conformance drift: {url!r}: could not be fetched (Connection "
        "refused). Check the URL and that the server is running.\n"
    )


def test_missing_file_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"

    result = _invoke("--against", str(missing))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"unleash-conformance drift: {str(missing)!r}: cannot be read (No such "
        "file or directory). Check the path.\n"
    )


@pytest.mark.parametrize(
    ("text", "problem", "remedy"),
    [
        pytest.param(
            "name: not an api\n",
            "has no 'openapi' field, so it is not an OpenAPI 3.x document",
            "Pass an OpenAPI 3.x document, such as a server's /docs/openapi.json.",
            id="mapping-without-openapi",
        ),
        pytest.param(
            '{"swagger": "2.0", "paths": {}}',
            "is Swagger 2.0, not OpenAPI 3.x",
            "Pass an OpenAPI 3.x document, such as a server's /docs/openapi.json.",
            id="swagger-2",
        ),
        pytest.param(
            "openapi: 2.1.0\n",
            "is OpenAPI 2.1.0, not 3.x",
            "Pass an OpenAPI 3.x document, such as a server's /docs/openapi.json.",
            id="openapi-2",
        ),
        pytest.param(
            "- openapi: 3.0.3\n",
            "holds a list, not an OpenAPI document",
            "Pass an OpenAPI 3.x document as JSON or YAML.",
            id="list",
        ),
        pytest.param(
            "openapi: [3.0.3\n",
            "is neither JSON nor YAML (expected ',' or ']', but got '<stream end>' "
            "at line 2, column 1)",
            "Pass an OpenAPI document as JSON or YAML.",
            id="broken-syntax",
        ),
    ],
)
def test_file_that_is_not_openapi_3_exits_2_with_one_line(
    tmp_path: Path, text: str, problem: str, remedy: str
) -> None:
    source = tmp_path / "other.yaml"
    source.write_text(text)

    result = _invoke("--against", str(source))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"unleash-conformance drift: {str(source)!r}: {problem}. {remedy}\n"
    )


def test_url_of_another_scheme_is_refused() -> None:
    with pytest.raises(SourceError) as raised:
        load_source("ftp://unleash.example.com/docs/openapi.json")

    assert str(raised.value) == (
        "'ftp://unleash.example.com/docs/openapi.json': uses the ftp scheme, which "
        "drift cannot fetch. Give a file path or an http(s) URL."
    )


def test_broken_reference_in_the_other_document_exits_2(
    description: dict[str, Any], tmp_path: Path
) -> None:
    def break_reference(document: dict[str, Any]) -> None:
        del document["components"]["schemas"]["patsSchema"]

    source = tmp_path / "broken.json"
    source.write_text(json.dumps(_mutated(description, break_reference)))

    result = _invoke("--against", str(source))

    assert result.exit_code == 2
    assert result.stderr == (
        f"unleash-conformance drift: {str(source)!r}: cannot be resolved "
        "('#/components/schemas/patsSchema': nothing in the document has this "
        "address). Fix the $ref.\n"
    )


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        pytest.param(
            "https://admin:hunter2@unleash.example.com/docs/openapi.json",
            "https://unleash.example.com/docs/openapi.json",
            id="credentials-dropped",
        ),
        pytest.param(
            "https://unleash.example.com/docs/openapi.json?token=abc",
            "https://unleash.example.com/docs/openapi.json?…",
            id="query-hidden",
        ),
        pytest.param("specs/unleash.yaml", "specs/unleash.yaml", id="file-unchanged"),
    ],
)
def test_sources_are_shown_without_credentials(source: str, shown: str) -> None:
    assert shown_source(source) == shown
