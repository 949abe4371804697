"""``python -m mock_server``: the same as ``unleash-mock``."""

from mock_server.cli import main

main()
