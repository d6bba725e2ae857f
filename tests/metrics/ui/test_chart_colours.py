"""The performance charts' series stay apart for colour-blind readers (and in grey: each its own marker)."""
from __future__ import annotations

import itertools

import pytest

from ui.metrics import charts
from ui.shell import theme

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
SIMULATIONS = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
MIN_DISTANCE = 45  # in sRGB units (0–255): well apart side by side on a chart line


def _linear(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _srgb(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 255 * (12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055)


def seen(hex_colour: str, matrix) -> tuple[float, float, float]:
    rgb = [_linear(int(hex_colour[i:i + 2], 16)) for i in (1, 3, 5)]
    return tuple(_srgb(sum(m * v for m, v in zip(row, rgb))) for row in matrix)


def distance(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5


def test_the_simulation_by_hand():
    # Each matrix row sums to 1, so white and black are seen unchanged by everyone.
    for matrix in SIMULATIONS.values():
        assert seen("#ffffff", matrix) == pytest.approx((255, 255, 255), abs=1)
        assert seen("#000000", matrix) == pytest.approx((0, 0, 0))
    # Pure red for a deuteranope: linear (1, 0, 0) → (0.367322, 0.280085, -0.011820); 1.055 · 0.367322^(1/2.4)
    # − 0.055 = 0.6401 → 163.2, likewise 0.280085 → 0.5658 → 144.3, and the negative blue clips to 0.
    assert seen("#ff0000", SIMULATIONS["deuteranopia"]) == pytest.approx((163.2, 144.3, 0), abs=0.2)
    # The earlier chart colours (registered #1d4ed8, handled #0b5cad: two blues) fail the rule below.
    assert min(distance(seen("#1d4ed8", m), seen("#0b5cad", m)) for m in SIMULATIONS.values()) < MIN_DISTANCE


@pytest.mark.parametrize("name", ["light", "dark"])
@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_every_pair_of_series_stays_apart(name, vision):
    colours = theme.colors(name)
    used = [colours[key] for _series, key in charts._SERIES]
    assert len(set(used)) == len(used) == 4
    for a, b in itertools.combinations(used, 2):
        d = distance(seen(a, SIMULATIONS[vision]), seen(b, SIMULATIONS[vision]))
        assert d >= MIN_DISTANCE, (name, vision, a, b, round(d))


def test_every_series_has_its_own_marker():
    assert len(set(charts.SYMBOLS.values())) == len(charts._SERIES)
