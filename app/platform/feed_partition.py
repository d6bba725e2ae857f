"""The feed's partitions and a console's cursor over them (docs/ARCHITECTURE.md, "The changes feed and the
cursor gap").

A feed row lies in one *partition*: the city (`app.refdata.jurisdictions`, the first 4 digits) of the
entity's jurisdiction, or the global partition `GLOBAL` ('') for an entity with none (settings, shifts,
sensors, alarms) and for every row of a server that does not partition. Each partition takes its positions
from its own counter row (`counter_name`), so writes in different cities never queue behind one row; a
position orders its partition only, and a reader keeps one cursor per partition (`Cursor`).

On the wire a cursor is `<partition>.<position>` items joined by `_` (`g` names the global partition;
`any` the position of every partition not named): `g.120_3301.5012`. Only unreserved URL characters, so it
travels unescaped.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

GLOBAL = ""
GLOBAL_NAME = "g"   # the global partition on the wire
ANY = "any"         # on the wire: the position of every partition the cursor does not name
FEED_COUNTER = "feed"  # the global partition's counter (every position before partitions is its)
COUNTER_PREFIX = FEED_COUNTER + ":"  # + a city's code: its partition's counter
MAX_PARTITIONS = 64  # in one cursor: a province's cities, with room to spare
_MAX_POSITION = 2**63 - 1


def partition_of(jurisdiction: str | None) -> str:
    """The partition of a row whose entity lies in `jurisdiction` (a street code; None: global)."""
    return jurisdiction[:4] if jurisdiction else GLOBAL


def counter_name(partition: str) -> str:
    return FEED_COUNTER if partition == GLOBAL else COUNTER_PREFIX + partition


def counter_partition(name: str) -> str | None:
    """The partition whose counter is named `name` (None: not a feed counter)."""
    if name == FEED_COUNTER:
        return GLOBAL
    if name.startswith(COUNTER_PREFIX) and name[len(COUNTER_PREFIX):].isdigit():
        return name[len(COUNTER_PREFIX):]
    return None


def wire_name(partition: str) -> str:
    return GLOBAL_NAME if partition == GLOBAL else partition


def from_wire_name(name: str) -> str | None:
    """The partition a wire name names (None: not a partition's name)."""
    if name == GLOBAL_NAME:
        return GLOBAL
    return name if name.isdigit() and 1 <= len(name) <= 8 else None


class Cursor:
    """A reader's position in every partition: `positions` by partition, `default` for any partition not
    named (0: read it from the start; an old single-number cursor becomes the default of every partition,
    which is exact because every partition's positions start above the single counter's last one)."""

    __slots__ = ("positions", "default")

    def __init__(self, positions: Mapping[str, int] | None = None, default: int = 0):
        self.positions = dict(positions or {})
        self.default = default

    def after(self, partition: str) -> int:
        return self.positions.get(partition, self.default)

    def moved(self, partition: str, position: int) -> Cursor:
        return Cursor({**self.positions, partition: position}, self.default)

    def order(self, partitions: Iterable[str]) -> list[str]:
        """`partitions` in the order this cursor names them (the console's rotation), the others after."""
        known = [p for p in self.positions if p in set(partitions)]
        return known + sorted(set(partitions) - set(known))

    def to_wire(self) -> str:
        items = [f"{wire_name(p)}.{n}" for p, n in self.positions.items()]
        if self.default or not items:
            items.append(f"{ANY}.{self.default}")
        return "_".join(items)

    @classmethod
    def from_wire(cls, text: str) -> Cursor | None:
        """The cursor `text` spells, or None when it is not one (the caller answers 422 naming it)."""
        if not text or len(text) > 32 * MAX_PARTITIONS:
            return None
        positions: dict[str, int] = {}
        default = None
        items = text.split("_")
        if len(items) > MAX_PARTITIONS + 1:
            return None
        for item in items:
            name, dot, number = item.partition(".")
            if not dot or not number.isdigit() or len(number) > 19 or int(number) > _MAX_POSITION:
                return None
            if name == ANY:
                if default is not None:
                    return None
                default = int(number)
                continue
            partition = from_wire_name(name)
            if partition is None or partition in positions:
                return None
            positions[partition] = int(number)
        return cls(positions, default or 0)

    def to_json(self) -> dict:
        """As the console stores it."""
        return {"positions": self.positions, "default": self.default}

    @classmethod
    def from_stored(cls, value) -> Cursor:
        """The console's stored cursor: a number (a cache written before partitions) or `to_json`."""
        if isinstance(value, Mapping):
            return cls({str(k): int(v) for k, v in (value.get("positions") or {}).items()},
                       int(value.get("default") or 0))
        return cls(default=int(value or 0))

    def __bool__(self) -> bool:
        """False for the cursor of a reader that has read nothing (a full snapshot comes next)."""
        return bool(self.default or any(self.positions.values()))

    def __eq__(self, other) -> bool:
        return isinstance(other, Cursor) and (self.positions, self.default) == (other.positions, other.default)

    def __repr__(self) -> str:
        return f"Cursor({self.to_wire()})"
