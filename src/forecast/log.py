"""The package logger: the library logs, only the CLI talks to the user."""

import logging

logger = logging.getLogger("forecast")
