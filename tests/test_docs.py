"""The API docs: the description as JSON, the Swagger UI page and its files."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.description import DESCRIPTION_PATH
from mock_server.docs import ASSETS
from tests.conftest import FakeClock
from tests.matchers import error_body

PAGE_FILES = [
    "favicon-32x32.png",
    "favicon-16x16.png",
    "swagger-ui.css",
    "swagger-ui-bundle.js",
    "docs.js",
]


def our_description(server_url: str) -> dict[str, Any]:
    """The description as the YAML file has it, naming the mock as its server."""
    document: dict[str, Any] = yaml.safe_load(DESCRIPTION_PATH.read_text())
    document["servers"] = [{"url": server_url, "description": "This mock server."}]
    return document


def client_of(clock: FakeClock, **settings: Any) -> FlaskClient:
    return create_app(MockConfig(seed=None, clock=clock, **settings)).test_client()


def page_links(html: str) -> list[str]:
    """The URLs a page loads: every ``href``, ``src`` and description URL."""
    return re.findall(r'(?:href|src|data-description-url)="([^"]*)"', html)


@pytest.mark.parametrize(
    ("base_url", "server_url"),
    [
        pytest.param("http://localhost", "http://localhost", id="default-host"),
        pytest.param(
            "http://mock.example:8080", "http://mock.example:8080", id="other-host"
        ),
    ],
)
def test_the_description_is_served_naming_the_mock_as_its_server(
    client: FlaskClient, base_url: str, server_url: str
) -> None:
    response = client.get("/docs/openapi.json", base_url=base_url)

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.get_json() == our_description(server_url)


def test_with_a_base_path_the_description_is_served_under_it_too(
    clock: FakeClock,
) -> None:
    client = client_of(clock, base_path="/unleash")

    under_base = client.get("/unleash/docs/openapi.json")
    at_root = client.get("/docs/openapi.json")

    assert under_base.status_code == 200
    assert under_base.get_json() == our_description("http://localhost/unleash")
    assert at_root.status_code == 200
    assert at_root.get_json() == our_description("http://localhost/unleash")


def test_the_docs_need_no_credentials_and_ignore_bad_ones(client: FlaskClient) -> None:
    response = client.get(
        "/docs/openapi.json", headers={"Authorization": "not-a-token"}
    )

    assert response.status_code == 200
    assert response.get_json() == our_description("http://localhost")


@pytest.mark.parametrize("path", ["/docs", "/docs/"], ids=["bare", "trailing-slash"])
def test_the_page_loads_swagger_ui_and_the_description_from_the_mock(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert page_links(response.text) == [
        *(f"/docs/{name}" for name in PAGE_FILES[:3]),
        "/docs/openapi.json",
        *(f"/docs/{name}" for name in PAGE_FILES[3:]),
    ]


def test_with_a_base_path_the_page_under_it_loads_from_under_it(
    clock: FakeClock,
) -> None:
    client = client_of(clock, base_path="/unleash")

    response = client.get("/unleash/docs")

    assert response.status_code == 200
    assert page_links(response.text) == [
        *(f"/unleash/docs/{name}" for name in PAGE_FILES[:3]),
        "/unleash/docs/openapi.json",
        *(f"/unleash/docs/{name}" for name in PAGE_FILES[3:]),
    ]


def test_the_page_names_the_default_admin_token(client: FlaskClient) -> None:
    response = client.get("/docs")

    assert f"the admin token <code>{DEFAULT_ADMIN_TOKEN}</code>" in response.text


def test_the_page_shows_no_token_when_the_admin_token_was_changed(
    clock: FakeClock,
) -> None:
    client = client_of(clock, admin_tokens=("*:*.a-private-admin-token",))

    response = client.get("/docs")

    assert response.status_code == 200
    assert "a-private-admin-token" not in response.text
    assert DEFAULT_ADMIN_TOKEN not in response.text
    assert "the mock was started with (<code>--admin-token</code>)" in response.text


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("docs.js", "text/javascript; charset=utf-8"),
        ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        ("swagger-ui.css", "text/css; charset=utf-8"),
        ("favicon-16x16.png", "image/png"),
        ("favicon-32x32.png", "image/png"),
    ],
)
def test_each_file_of_the_page_is_served_from_its_package(
    client: FlaskClient, name: str, content_type: str
) -> None:
    response = client.get(f"/docs/{name}", buffered=True)

    assert response.status_code == 200
    assert response.content_type == content_type
    assert response.data == ASSETS[name].read_bytes()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        pytest.param("/docs/index.html", "index.html", id="bundle-index-page"),
        pytest.param(
            "/docs/swagger-initializer.js",
            "swagger-initializer.js",
            id="bundle-initializer",
        ),
        pytest.param("/docs/openapi.yaml", "openapi.yaml", id="yaml-description"),
        pytest.param("/docs/docs.js/more", "docs.js/more", id="below-a-file"),
    ],
)
def test_an_unknown_docs_path_answers_404_in_unleash_error_shape(
    client: FlaskClient, path: str, name: str
) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.get_json() == error_body(
        "NotFoundError",
        f"The docs have no file {name!r}. The docs page is /docs and the "
        "description /docs/openapi.json.",
    )


def test_an_unknown_path_under_the_base_path_docs_names_those_docs(
    clock: FakeClock,
) -> None:
    client = client_of(clock, base_path="/unleash")

    response = client.get("/unleash/docs/nothing.js")

    assert response.status_code == 404
    assert response.get_json() == error_body(
        "NotFoundError",
        "The docs have no file 'nothing.js'. The docs page is /unleash/docs and the "
        "description /unleash/docs/openapi.json.",
    )


def test_the_docs_take_only_reads(client: FlaskClient) -> None:
    response = client.post("/docs/openapi.json", json={})

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert response.get_json() == error_body(
        "MethodNotAllowedError",
        "POST is not allowed on /docs/openapi.json. Use GET, HEAD, OPTIONS.",
    )


def test_docs_requests_are_logged_and_open_to_other_origins(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="mock_server.requests"):
        response = client.get(
            "/docs/openapi.json",
            headers={"Origin": "http://localhost:3000"},
            buffered=True,
        )

    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert [record.getMessage().rsplit(" ", 1)[0] for record in caplog.records] == [
        "GET /docs/openapi.json 200"
    ]
