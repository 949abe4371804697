"""The API docs: the description as JSON and a Swagger UI page to try it on.

Unleash serves its own description at ``/docs/openapi.json`` and a Swagger UI
beside it, under the base path when one is set; the mock does the same, so
that a tool pointed at either finds the description where it looks. Swagger UI
comes from the ``swagger-ui-bundle`` package and is served from disk: the page
loads nothing from the network.

These routes sit outside the API's pipeline: they need no credentials and are
not validated against the description they serve.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    render_template,
    request,
    send_file,
    url_for,
)
from swagger_ui_bundle import swagger_ui_path

from mock_server.auth import DEFAULT_ADMIN_TOKEN
from mock_server.config import MockConfig
from mock_server.errors import ApiError, ErrorKind

PAGES = Path(__file__).resolve().parent / "pages"
SWAGGER_UI = Path(str(swagger_ui_path))

# The files our page loads. The bundle's own index page and initializer point
# at an online demo description, so only these are served.
ASSETS = {
    "docs.js": PAGES / "docs.js",
    "swagger-ui.css": SWAGGER_UI / "swagger-ui.css",
    "swagger-ui-bundle.js": SWAGGER_UI / "swagger-ui-bundle.js",
    "favicon-16x16.png": SWAGGER_UI / "favicon-16x16.png",
    "favicon-32x32.png": SWAGGER_UI / "favicon-32x32.png",
}


def register_docs(app: Flask, document: dict[str, Any], config: MockConfig) -> None:
    """Serve the docs at ``/docs`` and, with a base path, under it as well."""
    docs = docs_blueprint(document, config)
    app.register_blueprint(docs, url_prefix="/docs")

    if config.base_path:
        app.register_blueprint(
            docs, url_prefix=f"{config.base_path}/docs", name="base_path_docs"
        )


def docs_blueprint(document: dict[str, Any], config: MockConfig) -> Blueprint:
    """A blueprint serving ``document`` and a Swagger UI page that reads it."""
    docs = Blueprint("docs", __name__, template_folder="pages")
    served = copy.deepcopy(document)
    # The views keep these two settings, not the config: it holds the seed,
    # which can be large and is not needed once the state is loaded.
    default_token = DEFAULT_ADMIN_TOKEN in config.admin_tokens
    base_path = config.base_path

    @docs.get("")
    def page() -> str:
        return render_template(
            "docs.html",
            title=served["info"]["title"],
            default_token=default_token,
            admin_token=DEFAULT_ADMIN_TOKEN,
        )

    @docs.get("/openapi.json")
    def description() -> Response:
        # "Try it out" sends requests to the first server, so it names the
        # mock as this request reached it, base path included.
        api_root = request.url_root.rstrip("/") + base_path
        servers = [{"url": api_root, "description": "This mock server."}]
        return Response(
            json.dumps({**served, "servers": servers}, separators=(",", ":")),
            mimetype="application/json",
        )

    @docs.get("/<path:filename>")
    def asset(filename: str) -> Response:
        if filename not in ASSETS:
            return ApiError(
                ErrorKind.NOT_FOUND,
                f"The docs have no file {filename!r}. The docs page is "
                f"{url_for('.page')} and the description {url_for('.description')}.",
            ).to_response()

        return send_file(ASSETS[filename])

    return docs
