"""What a long command tells its user while it runs: a progress display in a terminal, plain lines in a log,
nothing with --quiet.

In a terminal (stderr is a TTY), each stage shows a rich progress line — a bar with a count for the territory
pages, a spinner for the others — that disappears when the stage ends. Elsewhere (CI logs, pipes) each stage
prints one line when it starts, so a log shows where a build stopped. With --quiet nothing is printed but the
errors; with --verbose each stage's duration is printed when it ends.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator

QUIET, NORMAL, VERBOSE = "quiet", "normal", "verbose"


class Progress:
    def __init__(self, mode: str = NORMAL, stream=None):
        self.mode = mode
        self.stream = stream or sys.stderr
        self.timings: dict[str, float] = {}
        self.display = None
        if mode != QUIET and self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self.display = RichProgress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                        MofNCompleteColumn(), TimeElapsedColumn(),
                                        console=Console(file=self.stream), transient=True)

    @contextlib.contextmanager
    def step(self, label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        """A stage of the command; yields `advance(n)` to count the items done when `total` is given."""
        start = time.perf_counter()
        task = self.show(label, total)
        try:
            yield (lambda done=1: self.display.advance(task, done)) if task is not None else (lambda done=1: None)
        finally:
            seconds = time.perf_counter() - start
            self.timings[label] = self.timings.get(label, 0.0) + seconds
            self.hide(task)
            if self.mode == VERBOSE:
                print(f"{label} : {seconds:.1f} s", file=self.stream)

    def show(self, label: str, total: int | None):
        if self.display is None:
            if self.mode != QUIET:
                print(f"{label}…", file=self.stream, flush=True)
            return None
        if not self.display.tasks:
            self.display.start()
        return self.display.add_task(label, total=total)

    def hide(self, task) -> None:
        if task is None:
            return
        self.display.remove_task(task)
        if not self.display.tasks:
            self.display.stop()

    def say(self, message: str) -> None:
        """A result line (e.g. where the site was built); silent with --quiet."""
        if self.mode != QUIET:
            print(message)


SILENT = Progress(QUIET)
