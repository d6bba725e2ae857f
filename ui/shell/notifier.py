"""New urgent case: a banner the operator cannot miss and a short chime.

The chime is a WAV generated once with the `wave` module into resources/sounds/ and played with
QSoundEffect; without Qt Multimedia (or without an audio device) the console falls back to
QApplication.beep(). Several urgent cases in one sync batch give one banner and one chime.
"""
from __future__ import annotations

import logging
import math
import struct
import time
import wave
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.platform import labels
from app.platform.paths import resource

log = logging.getLogger(__name__)

SOUND_FILE = resource("sounds", "urgent_case.wav")
RATE = 22050
MIN_SOUND_INTERVAL_S = 3.0


def ensure_alert_wav(path: Path = SOUND_FILE) -> Path:
    """Write the alert chime (two falling tones, soft edges, 16-bit mono) unless it exists already."""
    if path.exists() and path.stat().st_size > 44:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = bytearray()
    for freq, seconds in ((988.0, 0.18), (0.0, 0.05), (784.0, 0.18), (0.0, 0.05), (988.0, 0.18), (0.0, 0.05),
                          (784.0, 0.30)):
        n = int(RATE * seconds)
        fade = int(RATE * 0.01)
        for i in range(n):
            envelope = min(1.0, i / fade, (n - i) / fade) if freq else 0.0
            sample = 0.45 * envelope * math.sin(2 * math.pi * freq * i / RATE)
            frames += struct.pack("<h", int(sample * 32767))
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    tmp.replace(path)
    return path


class _Chime:
    """QSoundEffect when Qt Multimedia and an audio output exist; else the platform beep."""

    def __init__(self, parent: QObject):
        self._effect = None
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError as exc:  # e.g. no PulseAudio library on this machine
            log.info("no Qt Multimedia (%s): urgent cases will beep", exc)
            return
        if not QMediaDevices.audioOutputs():
            log.info("no audio output: urgent cases will beep")
            return
        try:
            effect = QSoundEffect(parent)
            effect.setSource(QUrl.fromLocalFile(str(ensure_alert_wav())))
            effect.setVolume(0.9)
            self._effect = effect
        except OSError as exc:
            log.warning("cannot write the alert sound (%s): urgent cases will beep", exc)

    @property
    def uses_sound_file(self) -> bool:
        return self._effect is not None

    def play(self) -> None:
        if self._effect is not None:
            self._effect.play()
        else:
            QApplication.beep()


Chime = _Chime  # the one alert sound, shared with the conflict banner (ui.cases.conflict_banner)


class NotificationBanner(QFrame):
    """A red strip at the top of the queue: 'New urgent case …' with Open and dismiss buttons."""

    open_requested = Signal(object)  # case id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("urgentBanner")
        self._case_id: UUID | None = None
        self._render = None  # how the shown text is made, for a language switch
        self._flashes = 0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self._open)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.close_button)
        self._flash_timer = QTimer(self)
        self._flash_timer.setInterval(400)
        self._flash_timer.timeout.connect(self._flash)
        self._style(True)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.open_button.setText(self.tr("Open"))
        self.close_button.setToolTip(self.tr("Dismiss"))
        if self._render is not None:
            self.label.setText(self._render())  # a language switch reaches a banner already on screen

    def show_message(self, text: str, case_id: UUID | None, render=None) -> None:
        """Show `text` (or `render()`, called again when the language changes) about `case_id`."""
        self._case_id = case_id
        self._render = render
        self.label.setText(render() if render is not None else text)
        self.open_button.setVisible(case_id is not None)
        self.show()
        self._flashes = 6
        self._flash_timer.start()

    @property
    def case_id(self) -> UUID | None:
        return self._case_id

    def _open(self) -> None:
        if self._case_id is not None:
            self.open_requested.emit(self._case_id)
        self.hide()

    def _flash(self) -> None:
        self._flashes -= 1
        self._style(self._flashes % 2 == 0)
        if self._flashes <= 0:
            self._flash_timer.stop()
            self._style(True)

    def _style(self, strong: bool) -> None:
        # The flash alternates two reds that both keep white text readable (≥ 4.5:1 contrast).
        bg = "#c62828" if strong else "#7f0000"
        self.setStyleSheet(f"#urgentBanner {{ background: {bg}; border-radius: 3px; }}"
                           f"#urgentBanner QLabel {{ color: white; font-weight: bold; }}")


class UrgentCaseNotifier(QObject):
    """Collects the urgent cases of one sync batch, then shows one banner and plays one chime."""

    notified = Signal(list)  # the CaseSummary objects announced

    def __init__(self, banner: NotificationBanner, parent: QObject | None = None, *, sound: bool = True,
                 category_name=None):
        super().__init__(parent)
        self.banner = banner
        self.sound_enabled = sound
        self._category_name = category_name or (lambda code: "")
        self._chime: _Chime | None = None
        self._batch: list = []
        self._last_sound = 0.0
        self.sounds_played = 0
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(150)
        self._flush_timer.timeout.connect(self._flush)

    def notify(self, summary) -> None:
        if getattr(summary, "server_version", 0) is None:
            return  # created on this console and not yet on the server: the operator's own new case
        self._batch.append(summary)
        self._flush_timer.start()

    def flush(self) -> None:
        self._flush_timer.stop()
        self._flush()

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        first = batch[-1]

        def render() -> str:
            what = f"{first.display_number} · {first.category_code} {self._category_name(first.category_code)}"
            if len(batch) == 1:
                text = self.tr("New urgent case {case}").format(case=what)
            else:
                text = self.tr("{n} new urgent cases; latest: {case}").format(n=len(batch), case=what)
            return f"⚠ {text} · {labels.priority_label(first.priority)}"

        self.banner.show_message("", first.id, render)
        self._play()
        self.notified.emit(batch)

    def _play(self) -> None:
        if not self.sound_enabled or time.monotonic() - self._last_sound < MIN_SOUND_INTERVAL_S:
            return
        if self._chime is None:
            self._chime = _Chime(self)
        self._chime.play()
        self._last_sound = time.monotonic()
        self.sounds_played += 1
