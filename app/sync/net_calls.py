"""Blocking network calls awaited from the sync engine's event loop without holding it (or its exit) up."""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable


async def off_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a blocking network call in a daemon thread and await its result.

    Unlike asyncio.to_thread, a cancelled caller does not have to wait for the thread: a 25 s long poll
    simply finishes (or times out) in the background and its answer is dropped."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def deliver(setter: Callable[[Any], None], value: Any) -> None:
        if not future.done():
            setter(value)

    def run() -> None:
        try:
            result = fn(*args)
        except BaseException as exc:  # handed to the awaiting coroutine, which decides
            outcome = (future.set_exception, exc)
        else:
            outcome = (future.set_result, result)
        try:
            loop.call_soon_threadsafe(deliver, *outcome)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass

    threading.Thread(target=run, name=f"onegrid-net-{getattr(fn, '__name__', 'call')}", daemon=True).start()
    return await future


def drop(future: asyncio.Future) -> None:
    """Abandon a prefetch: cancel it and swallow whatever it ends with."""
    future.cancel()
    future.add_done_callback(lambda f: f.cancelled() or f.exception())
