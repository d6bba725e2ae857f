"""Long-poll answers go a few per event-loop turn (`server.feed.answer_pacer`), in arrival order, and other
work runs between the turns."""
from __future__ import annotations

import asyncio

import pytest

from server.feed.answer_pacer import AnswerPacer


def test_answers_go_per_turn_in_order_with_other_work_in_between():
    log: list[str] = []

    async def main() -> None:
        pacer = AnswerPacer(per_turn=3)

        loop = asyncio.get_running_loop()

        async def answer(i: int) -> None:
            await pacer.turn()
            log.append(f"a{i}")
            if i == 0:
                # Work that becomes ready during a turn (a command's result coming back from its
                # thread) must not wait for all 7 answers.
                loop.call_soon(lambda: log.append("other"))

        tasks = [asyncio.create_task(answer(i)) for i in range(7)]
        await asyncio.gather(*tasks)
        assert pacer.turns == 3

    asyncio.run(main())
    answers = [x for x in log if x != "other"]
    assert answers == [f"a{i}" for i in range(7)]
    assert log.index("a2") < log.index("other") < log.index("a3"), log  # right after the first turn


def test_a_cancelled_answer_does_not_take_a_place():
    async def main() -> list[int]:
        pacer = AnswerPacer(per_turn=1)
        done: list[int] = []

        async def answer(i: int) -> None:
            await pacer.turn()
            done.append(i)

        tasks = [asyncio.create_task(answer(i)) for i in range(4)]
        await asyncio.sleep(0)
        tasks[1].cancel()  # its client went away
        await asyncio.gather(*tasks, return_exceptions=True)
        assert pacer.turns == 3
        # the pacer stops pumping when its queue is empty, and starts again on the next answer
        await answer(9)
        return done

    assert asyncio.run(main()) == [0, 2, 3, 9]


def test_a_new_event_loop_starts_afresh_and_bad_settings_are_refused():
    pacer = AnswerPacer(per_turn=2)

    async def one() -> None:
        await pacer.turn()

    asyncio.run(one())
    asyncio.run(one())  # a second loop (tests, a restarted server): no futures of the first one left
    with pytest.raises(ValueError, match="per_turn must be at least 1"):
        AnswerPacer(per_turn=0)
