"""``unleash-conformance``: check a live Unleash instance against the contract.

Exit codes are the CLI's promise to CI: 0 conformant, 1 not conformant, 2 could
not run (bad arguments, server unreachable, token rejected up front). A run
that cannot start says why in one line on stderr.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from conformance.cleanup import sweep as sweep_prefix
from conformance.client import ApiClient
from conformance.drift import drift
from conformance.findings import ExitCode
from conformance.redaction import Redactor
from conformance.reports import ProgressPrinter, render_summary, write_reports
from conformance.runner import plan, run_suite
from conformance.settings import RUN_ID_PATTERN, RUN_PREFIX, Profile, RunSettings

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 88}


def _base_url(_: click.Context, __: click.Parameter, value: str) -> str:
    """The server's root, base path included; a URL with no host is refused."""
    parts = urlsplit(value)

    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(
            f"{value!r} is not an http(s) URL; give the server's root, such as "
            "https://unleash.example.com or https://host/unleash"
        )

    if parts.query or parts.fragment:
        raise click.BadParameter(f"{value!r} carries a query or fragment; drop it")

    return value.rstrip("/")


def _token(_: click.Context, __: click.Parameter, value: str) -> str:
    if not value.strip():
        raise click.BadParameter("the token is empty; pass an admin token")

    return value.strip()


target_options = [
    click.option(
        "--base-url",
        envvar="UNLEASH_URL",
        required=True,
        callback=_base_url,
        help="The server's root, with its base path if any (env UNLEASH_URL).",
    ),
    click.option(
        "--token",
        envvar="UNLEASH_TOKEN",
        required=True,
        callback=_token,
        help="An admin API token or an Admin account's token (env UNLEASH_TOKEN).",
    ),
    click.option(
        "--request-timeout",
        default=10.0,
        show_default=True,
        type=click.FloatRange(0.1, 300),
        help="Seconds to wait for each answer.",
    ),
]


def with_target(command: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(target_options):
        command = option(command)

    return command


@click.group(context_settings=CONTEXT)
def main() -> None:
    """Check an Unleash server's service-account API against the contract."""


@main.command()
@with_target
@click.option(
    "--profile",
    type=click.Choice([p.value for p in Profile]),
    default=Profile.QUICK.value,
    show_default=True,
    help="quick for every commit, full (more examples) for a nightly gate.",
)
@click.option("--seed", type=int, help="Replay an earlier run's generated requests.")
@click.option(
    "--max-examples",
    type=click.IntRange(1, 10_000),
    help="Examples per phase and operation, instead of the profile's.",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write junit.xml, report.json and report.html here.",
)
@click.option(
    "--strict/--lenient",
    default=True,
    show_default=True,
    help="Undeclared keys in closed objects fail (strict) or warn (lenient).",
)
@click.option("--dry-run", is_flag=True, help="Print the plan and send nothing.")
@click.option(
    "--read-only", is_flag=True, help="Send only requests that change nothing."
)
@click.option(
    "--time-budget",
    default=900.0,
    show_default=True,
    type=click.FloatRange(10, 86_400),
    help="Seconds the whole run may take, teardown included.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Threads sending Schemathesis's examples, coverage and fuzzing requests, "
    "one operation each; the scenarios, the stateful phase and teardown run on one.",
)
def run(
    base_url: str,
    token: str,
    request_timeout: float,
    profile: str,
    seed: int | None,
    max_examples: int | None,
    report_dir: Path | None,
    strict: bool,
    dry_run: bool,
    read_only: bool,
    time_budget: float,
    workers: int,
) -> None:
    """Run every check against the server and report what breaks the contract."""
    settings = RunSettings(
        base_url=base_url,
        token=token,
        profile=Profile(profile),
        # A seed is always chosen and printed, so that any run can be replayed.
        seed=seed if seed is not None else random.randrange(2**32),
        max_examples=max_examples,
        report_dir=report_dir,
        strict=strict,
        dry_run=dry_run,
        read_only=read_only,
        request_timeout=request_timeout,
        time_budget=time_budget,
        workers=workers,
    )

    if dry_run:
        click.echo("\n".join(plan(settings)))
        click.echo("dry run: nothing was sent")
        return

    redact = Redactor(token)
    click.echo(
        redact(
            f"unleash-conformance: {settings.api_root}, profile {profile}, "
            f"seed {settings.seed}, workers {workers}, run {settings.run_id}"
        ),
        err=True,
    )
    result = run_suite(settings, ProgressPrinter(sys.stderr))
    click.echo(redact(render_summary(result)))

    if report_dir is not None:
        for path in write_reports(result, report_dir, redact):
            click.echo(f"report: {path}", err=True)

    if result.error is not None:
        click.echo(
            redact(f"unleash-conformance: could not run: {result.error}"), err=True
        )

    sys.exit(int(result.exit_code))


@main.command()
@with_target
@click.option(
    "--run",
    "run_id",
    help="Only this run's records (its id is printed when it starts).",
)
@click.option("--dry-run", is_flag=True, help="List what would be deleted.")
def sweep(
    base_url: str, token: str, request_timeout: float, run_id: str | None, dry_run: bool
) -> None:
    """Delete what earlier runs left behind: accounts a run named conformance-<id>-."""
    if run_id is not None and not re.fullmatch(RUN_ID_PATTERN, run_id):
        raise click.BadParameter(
            f"{run_id!r} is not a run id; a run id is eight hex digits, such as "
            "1a2b3c4d",
            param_hint="--run",
        )

    prefix = RUN_PREFIX if run_id is None else f"{RUN_PREFIX}{run_id}-"
    client = ApiClient(base_url, token, request_timeout)

    try:
        outcome = sweep_prefix(client, prefix, dry_run=dry_run)
    finally:
        client.close()

    verb = "would delete" if dry_run else "deleted"

    for deleted in outcome.deleted:
        click.echo(f"{verb} {deleted}")

    for left in outcome.left:
        click.echo(f"could not delete {left}", err=True)

    if dry_run:
        click.echo(f"{len(outcome.deleted)} to delete; dry run, nothing was deleted")
    else:
        click.echo(f"{len(outcome.deleted)} deleted, {len(outcome.left)} left")

    sys.exit(int(ExitCode.COULD_NOT_RUN if outcome.left else ExitCode.CONFORMANT))


main.add_command(drift)


def entry() -> None:
    """The console script: a usage error is one line on stderr, and exit 2."""
    try:
        main.main(standalone_mode=False)
    except click.ClickException as error:
        message = error.format_message()
        # The one message of several lines is the help a bare command shows.
        one_line = "\n" not in message.strip()
        click.echo(f"unleash-conformance: {message}" if one_line else message, err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("unleash-conformance: aborted", err=True)
        sys.exit(int(ExitCode.COULD_NOT_RUN))
