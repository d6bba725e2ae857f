"""The detections' writer: one thread per server process that writes what arrives together.

`POST /api/detections` checks a detection on its own (`ingest.check`: frame, time, place given), then
hands it to this writer and waits for its answer. The thread collects what arrives within
`detection_batch_ms` (at most `MAX_BATCH`) and decides and stores it all in **one transaction**
(`ingest.receive_all`): the cameras locked once, each detection's quiet-period read and merge check, its
row and frame, the review queue's counts, the feed changes in one step; then the cases of those that open
one, created together through the command path. At 200 detections a second that is one commit (and one
turn of the feed counter's lock) for several detections instead of one each.

**Durability.** A detection is answered only after the transaction that holds it has committed. A crash
before that loses nothing anyone was told about: the gateway has no answer and sends it again (with the
same `id` it is stored once). A crash between the commit and its case's creation leaves it stored as
`opened` with its case id fixed: the gateway's retry is answered from the stored detection and creates the
case then (the command id is fixed too, so once). Each detection gets its own answer: one refused (4xx)
writes nothing and stops no other; should the batch's transaction fail all the same (the database refused
something), each detection of it is written again alone, so only the one at fault fails.
"""
from __future__ import annotations

import logging
import queue
import time
from concurrent.futures import Future

from server.detections.ingest import Incoming, receive_all
from server.platform.errors import ApiError
from server.platform.queue_thread import QueueThread

log = logging.getLogger(__name__)

MAX_BATCH = 200


class DetectionWriter(QueueThread):
    thread_name = "detections-writer"

    def __init__(self, ctx, window_s: float):
        self.ctx = ctx
        self.window_s = window_s
        self.batches = 0
        self._queue: queue.Queue[tuple[Incoming, Future] | None] = queue.Queue()

    def submit(self, incoming: Incoming) -> Future:
        """The detection's answer to come (`{detection, duplicate}`, or its ApiError raised)."""
        future: Future = Future()
        self._queue.put((incoming, future))
        return future

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            jobs = [first]
            deadline = time.monotonic() + self.window_s
            while len(jobs) < MAX_BATCH:
                remaining = deadline - time.monotonic()
                try:
                    job = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                jobs.append(job)
            self.write(jobs)
        self._drain()  # what is still queued at stop is answered too

    def write(self, jobs: list[tuple[Incoming, Future]]) -> None:
        self.batches += 1
        try:
            answers = receive_all(self.ctx, [incoming for incoming, _f in jobs])
        except Exception as exc:
            if len(jobs) > 1:
                log.warning("a batch of %d detections failed in the database (%s); each is written again alone",
                            len(jobs), type(exc).__name__)
                for job in jobs:
                    self.write([job])
                return
            log.exception("writing detection %s failed", jobs[0][0].det_id)
            jobs[0][1].set_exception(exc)
            return
        for (_incoming, future), answer in zip(jobs, answers):
            if isinstance(answer, ApiError):
                future.set_exception(answer)
            else:
                future.set_result(answer)


def start_detections(ctx) -> DetectionWriter | None:
    """The process's writer, unless `detection_batch_ms` is 0 (each detection then in its own transaction,
    in the request's thread)."""
    window_ms = ctx.settings.detection_batch_ms
    if window_ms <= 0:
        return None
    writer = DetectionWriter(ctx, window_ms / 1000)
    writer.start()
    return writer


def stop_detections(writer: DetectionWriter | None) -> None:
    if writer is not None:
        writer.stop()
