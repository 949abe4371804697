"""Writing the report files: the directory, the HTML page and keeping secrets out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.findings import ExitCode, Finding, RunResult, Severity
from conformance.redaction import Redactor
from conformance.reports import redacted, render_summary, write_reports
from conformance.runner import run_suite
from conformance.settings import RunSettings
from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from tests.sample_runs import (
    CURL,
    FAILURE,
    FLAKY,
    WARNING,
    broken_run,
    finished_run,
    junit_cases,
    suite_counts,
    written,
)
from tests.serving import served


def test_write_reports_creates_the_directory_and_exactly_three_files(
    tmp_path: Path,
) -> None:
    report_dir = tmp_path / "nested" / "reports"

    paths = write_reports(finished_run(), report_dir, lambda text: text)

    assert paths == [
        report_dir / "junit.xml",
        report_dir / "report.json",
        report_dir / "report.html",
    ]
    assert sorted(p.name for p in report_dir.iterdir()) == [
        "junit.xml",
        "report.html",
        "report.json",
    ]


def test_html_report_shows_each_finding_with_its_curl_escaped(
    tmp_path: Path,
) -> None:
    result = finished_run()

    page = written(result, tmp_path)["report.html"]

    for finding in (FAILURE, FLAKY, WARNING):
        assert f"<h3>{finding.title}</h3>" in page
        assert f"<dt>Severity</dt><dd>{finding.severity.value}</dd>" in page
        assert f"<dt>Phase</dt><dd>{finding.phase}</dd>" in page

    assert (
        '<pre class="curl">'
        "curl -i -X POST &#39;http://127.0.0.1:4242/api/admin/service-account&#39; "
        "-H &#34;Authorization: $UNLEASH_TOKEN&#34; "
        "-H &#39;Content-Type: application/json&#39; "
        "--data-raw &#39;{&#34;username&#34;:&#34;&lt;b&gt;&amp;x&#34;,"
        "&#34;name&#34;:&#34;n&#34;,&#34;rootRole&#34;:1}&#39;</pre>"
    ) in page
    assert "<pre>502 (text/html) &lt;h1&gt;Bad gateway&lt;/h1&gt;</pre>" in page
    assert "<h1>Bad gateway</h1>" not in page
    assert "<li>service account 12</li>" in page
    assert "<h1>not conformant</h1>" in page
    assert (
        "<p>Exit code 1: a check failed twice, or teardown left records behind</p>"
    ) in page
    assert "<dt>Seed</dt><dd>7</dd>" in page
    assert "<dt>Workers</dt><dd>4</dd>" in page
    assert "<dt>Duration</dt><dd>5.250 s</dd>" in page
    assert "<dt>Requests per second</dt><dd>8.0</dd>" in page


@pytest.mark.parametrize(
    "result",
    [
        pytest.param(finished_run(), id="finished-run"),
        pytest.param(broken_run(), id="broken-run"),
    ],
)
def test_html_report_loads_nothing_from_anywhere(
    result: RunResult, tmp_path: Path
) -> None:
    page = written(result, tmp_path)["report.html"]

    for loader in ("src=", "<link", "@import", "url(", "<script", "href="):
        assert loader not in page
    assert page.startswith("<!doctype html>\n")
    assert page.endswith("</html>\n")


def test_html_report_shows_the_run_error(tmp_path: Path) -> None:
    result = broken_run()

    page = written(result, tmp_path)["report.html"]

    assert "<h1>could not run</h1>" in page
    assert "<pre>the server stopped answering: connection refused</pre>" in page
    assert "<h2>Failures" not in page


def test_a_planted_secret_reaches_no_report_file(tmp_path: Path) -> None:
    # Characters that JSON, XML and HTML each escape differently, so that
    # redacting the rendered text alone would miss it.
    secret = "s3cr3t<&>\"'value"
    token = "*:*.planted0admin0token"
    redact = Redactor(token, [secret])
    result = finished_run()
    result.base_url = f"http://127.0.0.1:4242/?key={secret}"
    result.error = f"the server echoed {secret}"
    result.leftovers.append(f"token {secret}")
    result.found(
        Finding(
            check=f"check {secret}",
            operation=f"operation {secret}",
            title=f"title {secret}",
            expected=f"expected {secret}",
            actual=f"actual {secret} and {token}",
            curl=f"curl -H 'Authorization: {token}' -d '{secret}'",
            phase=f"phase {secret}",
        )
    )

    paths = write_reports(result, tmp_path, redact)

    texts = {path.name: path.read_text(encoding="utf-8") for path in paths}
    assert sorted(texts) == ["junit.xml", "report.html", "report.json"]

    for text in texts.values():
        assert "s3cr3t" not in text
        assert "planted0admin0token" not in text
        assert "[redacted]" in text
        assert "$UNLEASH_TOKEN" in text


def test_redact_guards_the_rendered_text_as_well_as_the_fields(
    tmp_path: Path,
) -> None:
    # Text only the renderers write stands in for a field that slipped past
    # the redaction of the result.
    words = {"junit.xml": "unleash-conformance", "report.json": "report_version"}
    words["report.html"] = "Operation by check"

    def redact(text: str) -> str:
        for word in words.values():
            text = text.replace(word, "[redacted]")

        return text

    paths = write_reports(finished_run(), tmp_path, redact)

    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert words[path.name] not in text
        assert "[redacted]" in text


def test_redacted_copies_the_result_and_leaves_the_original_alone() -> None:
    result = finished_run()

    copy = redacted(result, lambda text: text.replace("127.0.0.1", "[host]"))

    assert copy.base_url == "http://[host]:4242"
    assert copy.findings[0].curl == CURL.replace("127.0.0.1", "[host]")
    assert copy.findings[0].severity is Severity.FAILURE
    assert copy.tallies == result.tallies
    assert copy.tallies is not result.tallies
    assert copy.exit_code is ExitCode.NOT_CONFORMANT
    assert result.base_url == "http://127.0.0.1:4242"


@pytest.mark.socket
def test_a_real_run_against_the_mock_writes_reports_naming_every_tally(
    tmp_path: Path,
) -> None:
    with served(create_app(MockConfig())) as url:
        result = run_suite(RunSettings(base_url=url, token=DEFAULT_ADMIN_TOKEN, seed=1))

    paths = write_reports(result, tmp_path, Redactor(DEFAULT_ADMIN_TOKEN))

    texts = {path.name: path.read_text(encoding="utf-8") for path in paths}
    cases = {(c[0], c[1]) for c in junit_cases(texts["junit.xml"])}
    document = json.loads(texts["report.json"])
    assert result.exit_code is ExitCode.CONFORMANT
    assert len(result.tallies) > 100
    assert cases == set(result.tallies)
    assert suite_counts(texts["junit.xml"])["tests"] == str(len(result.tallies))
    assert [(t["operation"], t["check"]) for t in document["tallies"]] == sorted(
        result.tallies
    )
    assert document["requests_sent"] == result.requests_sent
    assert document["requests_per_second"] == round(
        result.requests_sent / document["duration_seconds"], 1
    )
    assert document["exit_code_name"] == "CONFORMANT"
    assert "<h1>conformant</h1>" in texts["report.html"]

    for text in [*texts.values(), render_summary(result)]:
        assert DEFAULT_ADMIN_TOKEN not in text
