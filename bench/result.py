"""One benchmark row, and how rows are printed and saved."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Row:
    name: str
    value: float | None     # None when the benchmark could not run (see note)
    unit: str
    target: float
    lower_is_better: bool = True
    note: str = ""

    @property
    def met(self) -> bool:
        if self.value is None or math.isnan(self.value):
            return False
        return self.value < self.target if self.lower_is_better else self.value >= self.target

    def as_json(self) -> dict:
        d = asdict(self)
        return {"name": d["name"], "value": d["value"], "unit": d["unit"], "target": d["target"],
                "met": self.met, "note": d["note"]}


def format_table(rows: list[Row]) -> str:
    head = ("benchmark", "measured", "target", "met", "note")
    lines = [head]
    for r in rows:
        value = "n/a" if r.value is None else f"{r.value:,.3g} {r.unit}" if r.value < 1000 else f"{r.value:,.0f} {r.unit}"
        target = f"{'<' if r.lower_is_better else '≥'} {r.target:g} {r.unit}"
        lines.append((r.name, value, target, "yes" if r.met else "NO", r.note))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = []
    for i, line in enumerate(lines):
        out.append("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def save(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
