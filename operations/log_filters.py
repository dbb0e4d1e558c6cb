"""Logging filters for the settings' LOGGING."""

import logging
import time


class AtMostEvery(logging.Filter):
    """Lets a logger's records through at most once every ``seconds``, saying how many were left out
    since the last one: a cache server that stopped is reported once a minute, not twice a request."""

    def __init__(self, seconds=60):
        super().__init__()
        self.seconds = seconds
        self.last = float("-inf")
        self.left_out = 0

    def filter(self, record):
        now = time.monotonic()
        if now - self.last < self.seconds:
            self.left_out += 1
            return False
        if self.left_out:
            record.msg = f"{record.msg} ({self.left_out} more since the last report)"
        self.last, self.left_out = now, 0
        return True
