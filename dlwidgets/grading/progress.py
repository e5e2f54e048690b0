"""A progress bar on stderr (a line per few percent when stderr is not a terminal)."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    def __init__(self, total: int, label: str = "grading", stream=None, width: int = 30):
        self.total, self.label, self.width = total, label, width
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_percent = -100

    def advance(self, note: str = "") -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate else 0.0
        filled = int(self.width * self.done / max(self.total, 1))
        line = (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
                f"{elapsed:4.0f}s elapsed, ~{left:.0f}s left  {note[:30]}")
        percent = 100 * self.done // max(self.total, 1)
        if self.tty:
            self.stream.write("\r" + line.ljust(110))
            if self.done == self.total:
                self.stream.write("\n")
        elif percent - self._last_percent >= 5 or self.done == self.total:
            self.stream.write(line + "\n")
            self._last_percent = percent
        self.stream.flush()
