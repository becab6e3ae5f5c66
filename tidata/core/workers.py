"""Work on the other core: forked worker processes that inherit the parent's objects (the model, the pages'
contexts) instead of receiving them pickled.

The stages are mostly pure Python (CSV and JSON writing, templates, SVG paths): threads would take turns under the
GIL, processes run side by side. With fork, a worker starts with a copy of everything the parent has computed so
far, which is why the callers fill the model's caches before forking. Linux only, as the rest of the build.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool

INHERITED: dict = {}  # in a forked worker only: what forked_pool handed down (empty in the parent)


def forked_pool(workers: int, **inherited) -> multiprocessing.pool.Pool:
    """A pool of `workers` forked processes, each finding `inherited` in INHERITED (copied by fork, not pickled)."""
    return multiprocessing.get_context("fork").Pool(workers, initializer=INHERITED.update, initargs=(inherited,))
