"""The garbage collector of a long-running process (`app.platform.gc_tuning`), checked in a child process: freezing
and thresholds are process-wide, and this test process must keep Python's defaults."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT

CHILD = """
import gc, json, logging, sys
from app.platform import gc_tuning
records = []
handler = logging.Handler()
handler.emit = records.append
logging.getLogger("app.platform.gc_tuning").addHandler(handler)
before = gc.get_threshold()
gc_tuning.tune_collector(int(sys.argv[1]))
kept = [[i] for i in range(10000)]  # built at start-up, kept for good
gc_tuning.SLOW_COLLECTION_S = 0  # every collection is "slow" from here on
gc_tuning.freeze_after_startup(None)
after_freeze = [r.getMessage() for r in records if "took" in r.getMessage()]
gc.collect()  # a collection while serving
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count(),
                  "warned_at_freeze": after_freeze, "warned": [r.getMessage() for r in records]}))
"""


def _run(gen0_threshold: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(gen0_threshold)], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_start_up_objects_are_frozen_and_the_first_threshold_raised():
    seen = _run(50000)
    assert seen["after"] == [50000, seen["before"][1], seen["before"][2]]
    assert seen["frozen"] > 10000  # the kept lists and everything imported
    # the start-up collection is expected to be long; one while serving is reported
    assert seen["warned_at_freeze"] == []
    assert any(m.startswith("garbage collection of generation 2 took") for m in seen["warned"]), seen["warned"]


def test_zero_keeps_pythons_thresholds():
    seen = _run(0)
    assert seen["after"] == seen["before"]
