"""Rows 1 to 3 of bench/bench_console.py: the case queue dock over the 100k cache switching saved views and
searching, sorting by each column, and the GUI-thread time a sync batch of BATCH changed cases costs once
the cache has applied it on a worker thread."""
from __future__ import annotations

import threading
import time
import traceback
from collections import defaultdict

from bench.console.common import (
    MAP_UPDATE,
    MAP_UPDATE_ROUNDS,
    N_CASES,
    N_MAP,
    NAME_BATCH,
    NAME_FILTER,
    NAME_SORT,
    emit,
    log,
    median,
    ms,
)
from bench.console.timers import GcTimer, Heartbeat, SlotTimer, idle, wait_for

BATCH = 1_000
BATCH_ROUNDS = 3


def bench_queue(app, cache, built) -> None:
    from PySide6.QtCore import Qt

    import ui.shell.ops
    from app.cases.saved_views import View
    from app.platform.enums import TERMINAL_STATUSES
    from app.sync.session import Session
    from bench.console.fixtures import OPERATOR
    from ui.cases.queue_dock import CaseQueueDock
    from ui.cases.queue_model import CaseQueueModel, Column
    from ui.cases.queue_patch import QueuePatching
    from ui.shell.context import ConsoleContext, CoreSignals

    slots = SlotTimer()  # before the dock exists: its connections then take the wrapped methods
    slots.wrap(CaseQueueModel, "_on_cases_changed")
    slots.wrap(QueuePatching, "_apply_batch", "CaseQueueModel.apply")
    slots.wrap(CaseQueueDock, "update_counts")
    slots.wrap(ui.shell.ops.Op, "_finish")

    ctx = ConsoleContext(cache=cache, signals=CoreSignals(),
                         session=Session(actor=OPERATOR, display_name="Operator 1", token=None, offline=False))
    ctx.connect_core()
    t = time.perf_counter()
    dock = CaseQueueDock(ctx, sound=False)
    dock.resize(1100, 800)
    dock.show()
    model = dock.model
    if not wait_for(lambda: model.is_loaded, 120):
        raise RuntimeError("the queue never loaded")
    t_loaded = time.perf_counter() - t
    if len(model.cols) != N_CASES:
        raise RuntimeError(f"queue loaded {len(model.cols):,} cases, not {N_CASES:,}")
    if not wait_for(lambda: model.cols.texts_indexed >= N_CASES, 180):
        log(f"text index incomplete: {model.cols.texts_indexed:,}")
    t_indexed = time.perf_counter() - t
    log(f"queue loaded in {t_loaded:.1f} s, text indexed at {t_indexed:.1f} s")
    idle(0.5)

    resets = []
    model.modelReset.connect(lambda: resets.append(time.perf_counter()))

    def timed(step) -> tuple[float, float]:
        """(synchronous call incl. the view's slots, the same plus the repaint and posted events)"""
        started = time.perf_counter()
        step()
        called = time.perf_counter()
        app.processEvents()
        return called - started, time.perf_counter() - started

    # ---------------------------------------------------------------- 1. filter
    try:
        view_times, search_times, sync_only = [], [], []
        views = [v for v in dock.views() if v != View.ALL_ACTIVE]
        counts, per_view = {}, defaultdict(list)
        for _ in range(2):
            for view in views:
                for target in (view, View.ALL_ACTIVE):
                    call, total = timed(lambda target=target: dock.set_view(target))
                    view_times.append(total)
                    sync_only.append(call)
                    per_view[view.value].append(total)  # the switch to the view and the one back from it
                    counts[target] = model.rowCount()
                    idle(0.05)
        slow_view = max(per_view, key=lambda v: median(per_view[v]))
        queries = ["2026-0012", "湖滨路", "broken", "C0101", "water", "2026-01 湖滨", "33010600100101",
                   "王先生 破损", "zzzz-no-such-case"]
        hits = {}
        for q in queries:
            for text in (q, ""):
                call, total = timed(lambda text=text: dock.set_query(text))
                search_times.append(total)
                sync_only.append(call)
                if text:
                    hits[q] = model.rowCount()
                idle(0.05)
        if not hits.get("2026-0012") or hits.get("zzzz-no-such-case"):
            raise RuntimeError(f"search results look wrong: {hits}")
        all_times = view_times + search_times
        emit(NAME_FILTER, median(all_times) * 1000,
             f"CaseQueueDock (real model + QTableView shown 1100x800) over {N_CASES:,} cached cases, text "
             f"index complete; time of dock.set_view()/dock.set_query() incl. the view's slots plus "
             f"processEvents() for the repaint. {len(view_times)} view switches (each of "
             f"{len(views)} saved views and back to All active, twice; {min(counts.values()):,}-"
             f"{max(counts.values()):,} rows): median {ms(median(view_times))}, max {ms(max(view_times))} ms, slowest "
             f"view '{slow_view}' ({counts[View(slow_view)]:,} rows) median {ms(median(per_view[slow_view]))} ms "
             f"there and back; "
             f"{len(search_times)} searches set and cleared ({len(queries)} queries, 0-{max(hits.values()):,} "
             f"hits): median {ms(median(search_times))}, max {ms(max(search_times))} ms; synchronous call alone "
             f"median {ms(median(sync_only))} ms. Value = median of all {len(all_times)}; the 200 ms "
             f"search-as-you-type debounce is not included")
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_FILTER, None, f"not measured: {type(exc).__name__}: {exc}")

    # ---------------------------------------------------------------- 2. sort
    try:
        dock.set_query("")
        dock.set_view(View.ALL)
        idle(0.2)
        if model.rowCount() != N_CASES:
            raise RuntimeError(f"All cases view shows {model.rowCount():,} rows")
        sort_times, cold, per_col = [], [], {}
        seen: set = set()
        for column in Column:
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                if (column, order == Qt.SortOrder.DescendingOrder) == (model.sort_column, model.sort_descending):
                    continue
                call, total = timed(lambda c=column, o=order: dock.table.sortByColumn(c, o))
                sort_times.append(total)
                per_col.setdefault(column.name.lower(), []).append(total)
                if column not in seen:
                    cold.append((column.name.lower(), total))
                seen.add(column)
                idle(0.05)
        worst = max(per_col.items(), key=lambda kv: max(kv[1]))
        emit(NAME_SORT, median(sort_times) * 1000,
             f"same dock, view 'All cases' ({N_CASES:,} rows); dock.table.sortByColumn(column, order) -> "
             f"model.sort (layoutChanged, persistent indexes) plus processEvents() for the repaint; "
             f"{len(sort_times)} sorts (10 columns x asc/desc, in that order); median of all, max "
             f"{ms(max(sort_times))} ms ({worst[0]}); first sort per column (string columns build their numpy "
             f"key array then): {', '.join(f'{n} {ms(t)}' for n, t in cold)} ms")
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_SORT, None, f"not measured: {type(exc).__name__}: {exc}")

    # ---------------------------------------------------------------- 3. a sync batch lands
    try:
        from app.wire.feed import Change

        dock.set_view(View.ALL_ACTIVE)
        dock.table.sortByColumn(Column.TIME_LEFT, Qt.SortOrder.AscendingOrder)
        dock.table.scrollToTop()
        idle(1.0)
        factory = built.factory
        cursor = built.cursor + MAP_UPDATE * MAP_UPDATE_ROUNDS + 10
        heart = Heartbeat()
        gui_ms, apply_ms, beat_blocked, beat_max, summaries_ms, worker_ms = [], [], [], [], [], []
        moved = {"data": 0, "insert": 0, "remove": 0}
        counters = [(model.dataChanged, lambda *_a: moved.__setitem__("data", moved["data"] + 1)),
                    (model.rowsInserted, lambda *_a: moved.__setitem__("insert", moved["insert"] + 1)),
                    (model.rowsRemoved, lambda *_a: moved.__setitem__("remove", moved["remove"] + 1))]
        for sig, slot in counters:  # first round only: these Python slots cost GUI time too
            sig.connect(slot)
        baseline_beat = Heartbeat()
        baseline_beat.start()
        idle(1.5)
        baseline_beat.stop()
        base_blocked, base_max = baseline_beat.blocked()
        gc_timer = GcTimer()
        gc_rounds = []
        stride = (N_CASES - N_MAP) // (BATCH * BATCH_ROUNDS)
        for r in range(BATCH_ROUNDS):
            indices = [N_MAP + r + k * stride for k in range(BATCH)]  # not the cases the map test updated
            data = [factory.updated(i, bump=1) for i in indices]
            changes = [Change(position=cursor + k + 1, kind="case", id=d["id"], data=d) for k, d in enumerate(data)]
            cursor += len(changes)
            resets.clear()
            box = {}

            def work(changes=changes, cursor=cursor):
                started = time.perf_counter()
                box["set"] = cache.apply_changes(changes, cursor)
                box["took"] = time.perf_counter() - started

            slots.reset()
            slots.enabled = True
            gc_mark = gc_timer.mark()
            heart.start()
            t0 = time.perf_counter()
            worker = threading.Thread(target=work)
            worker.start()
            ok = wait_for(lambda: "took" in box and len(slots.spans.get("CaseQueueModel.apply", [])) > 0
                          and not model._fetching and not model._pending_ids, 60)
            t_applied = time.perf_counter()
            wait_for(lambda: len(slots.spans.get("CaseQueueDock.update_counts", [])) > 0, 2)  # 250 ms timer
            idle(0.3)  # repaints
            heart.stop()
            slots.enabled = False
            worker.join()
            if not ok:
                raise RuntimeError(f"round {r + 1}: the model never applied the batch")
            change_set = box["set"]
            if len(change_set.updated) != BATCH or change_set.added or change_set.removed:
                raise RuntimeError(f"round {r + 1}: cache reported {len(change_set.updated)} updated, "
                                   f"{len(change_set.added)} added, {len(change_set.removed)} removed")
            if resets:
                raise RuntimeError(f"round {r + 1}: the model was reset {len(resets)} times")
            # the model shows the new states
            for d in data[:: BATCH // 20]:
                s = model.cols.summaries[model.cols.slot_of[factory.case_id(indices[data.index(d)])]]
                row = model.row_of(s.id)
                if s.server_version != d["version"] or s.status.value != d["status"]:
                    raise RuntimeError(f"round {r + 1}: model holds v{s.server_version} {s.status}, "
                                       f"expected v{d['version']} {d['status']}")
                if (row is None) != (s.status in TERMINAL_STATUSES):
                    raise RuntimeError(f"round {r + 1}: case {s.display_number} ({s.status}) row {row}")
            top = sum(slots.top)
            gui_ms.append(top)
            apply_ms.append(sum(slots.spans.get("CaseQueueModel.apply", [])))
            blocked, longest = heart.blocked()
            beat_blocked.append(blocked)
            beat_max.append(longest)
            worker_ms.append(box["took"])
            gc_rounds.append(gc_timer.since(gc_mark))
            summaries_ms.append(t_applied - t0)
            if r == 0:
                for sig, slot in counters:
                    sig.disconnect(slot)
            log(f"batch {r + 1}: GUI slots {ms(top)} ms (model.apply {ms(apply_ms[-1])} ms), heartbeat blocked "
                f"{ms(blocked)} ms (longest {ms(longest)}), apply_changes {ms(box['took'])} ms on the worker")
            idle(0.5)
        spans = "; ".join(f"{k} x{len(v)} {ms(sum(v))} ms" for k, v in sorted(slots.spans.items()))
        emit(NAME_BATCH, median(gui_ms) * 1000,
             f"dock showing 'All active' sorted by time left over {N_CASES:,} cached cases; {BATCH_ROUNDS} rounds "
             f"of {BATCH:,} cases (spread over the cache) moved one lifecycle step with a new due time, applied by "
             f"LocalCache.apply_changes on a worker thread ({ms(median(worker_ms))} ms there, not counted). Value = "
             f"median over rounds of the wall time spent on the GUI thread inside the model's cases_changed slot, "
             f"the fetch op's completion (model._apply_batch: columns, merged order, a block in, a layout change, "
             f"a block out, the dock's row slots) "
             f"and the dock's update_counts that follows (methods wrapped at class level; the summaries + text "
             f"read runs on a reader thread and is not counted). Rounds: {', '.join(ms(t) for t in gui_ms)} ms, "
             f"of which model.apply {', '.join(ms(t) for t in apply_ms)} ms; last round: {spans}. "
             f"1 ms heartbeat over the whole episode (cache commit to repaint, incl. GIL waits on the worker and "
             f"reader threads), stalls over 5 ms summed: blocked {', '.join(ms(t) for t in beat_blocked)} ms, longest stall "
             f"{ms(max(beat_max))} ms (same measure idle for 1.5 s: {ms(base_blocked)} ms); from the start of "
             f"apply_changes to the model updated: median {ms(median(summaries_ms))} ms; full GC passes (any "
             f"thread, they hold the GIL) per round: "
             f"{', '.join(f'{n} = {ms(t)} ms' for n, t, _l in gc_rounds)}. Signals in round 1: "
             f"{moved['data']} dataChanged, {moved['remove']} rowsRemoved, {moved['insert']} rowsInserted, "
             f"0 modelReset in any round (dataChanged includes the 1 s countdown tick); new status/version of every "
             f"50th case checked in the model, terminal ones gone from the view")
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_BATCH, None, f"not measured: {type(exc).__name__}: {exc}")
    finally:
        slots.enabled = False
        slots.restore()
        ev = cache.events
        for name in ("cases_changed", "outbox_changed", "conflicts_changed", "settings_changed"):
            try:
                getattr(ev, name).disconnect(getattr(ctx.signals, name).emit)
            except Exception:
                pass
        dock.close()
        dock.deleteLater()
        idle(0.3)
