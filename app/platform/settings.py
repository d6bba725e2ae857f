"""The console's typed settings: one pydantic model whose fields carry their own labels and defaults
(after Electrum's ConfigVar), stored as JSON in the platform's user config dir.

    store = SettingsStore()              # <user config dir>/OneGrid/settings.json
    loaded = store.load()                # never raises; loaded.problem says what was wrong, if anything
    store.save(loaded.settings.model_copy(update={"theme": "dark"}))

A missing file gives the defaults. A corrupt file (not JSON, not an object, or a value that fails
validation) is reported in `loaded.problem` and logged; the console starts with the defaults (or with
the fields that were still valid), and the bad file is kept: the next save first moves it aside to
`settings.json.corrupt-<time>` and says so in the log, so nothing is overwritten silently.

Machine-wide defaults: a `settings.json` of the same shape in the platform's system config folder
(`/etc/xdg/OneGrid/settings.json` on Linux, `%PROGRAMDATA%\\OneGrid\\settings.json` on Windows;
`app.platform.paths.site_config_dir`), written by the centre's IT for every workstation (typically the
server address, the language and the map's tile address). Each user's own file goes over it, field by field;
a save writes only what differs from those defaults, so a user who never changed the server address follows
the next address IT rolls out. A system file that cannot be read or holds bad values is logged and its bad
fields are ignored (the console still starts); it is never written by the console.

Window geometry and dock layout are not settings: the UI keeps them in QSettings.
`ONEGRID_CONFIG_DIR` / `ONEGRID_DATA_DIR` override the per-user folders and `ONEGRID_SYSTEM_CONFIG_DIR` the
machine-wide one (tests, screenshots, kiosks).
"""
from __future__ import annotations

import hashlib
import json
import locale
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.platform import paths
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.platform.map_rendering import MapRendering

log = logging.getLogger(__name__)

APP_NAME = "OneGrid"
SETTINGS_FILE = "settings.json"
CTX = "ConsoleSettings"

Language = Literal["zh_CN", "en"]
Theme = Literal["light", "dark"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]

LANGUAGES: dict[str, str] = {"zh_CN": "中文（简体）", "en": "English"}  # each named in its own language
THEMES: dict[str, str] = {"light": QT_TRANSLATE_NOOP("ConsoleSettings", "Light (day shift)"),
                          "dark": QT_TRANSLATE_NOOP("ConsoleSettings", "Dark (night shift)")}
MAP_RENDERINGS: dict[str, str] = {
    "auto": QT_TRANSLATE_NOOP("ConsoleSettings", "Automatic (graphics card if there is one)"),
    "gpu": QT_TRANSLATE_NOOP("ConsoleSettings", "Graphics card"),
    "software": QT_TRANSLATE_NOOP("ConsoleSettings", "Software (less memory)")}


def system_language() -> Language:
    """Chinese when the system locale is Chinese, English otherwise."""
    names = [os.environ.get(var, "") for var in ("LC_ALL", "LC_MESSAGES", "LANG")]
    try:
        names.append(locale.getlocale()[0] or "")
    except ValueError:
        pass
    return "zh_CN" if any(name.lower().startswith("zh") for name in names if name) else "en"


def _field(default: Any = None, *, label: str, help: str, **kwargs: Any) -> Any:
    return Field(default, title=label, description=help, **kwargs)


class ConsoleSettings(BaseModel):
    """What an operator (or the centre's IT) may change. Labels are translated with `label_of()`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    server_url: str = _field(
        "http://127.0.0.1:8700",
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Server address"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "Address of the OneGrid server, e.g. http://onegrid.example:8700"),
        min_length=1)
    language: Language = Field(
        default_factory=system_language,
        title=QT_TRANSLATE_NOOP("ConsoleSettings", "Language"),
        description=QT_TRANSLATE_NOOP("ConsoleSettings", "Language of the console; switches at once"))
    theme: Theme = _field(
        "light",
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Theme"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "Light for day shifts, dark for night shifts"))
    tile_url_template: str = _field(
        "",
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Map tile address"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "Template of a local tile server, e.g. "
                                                  "http://tiles.local/{z}/{x}/{y}.png; empty: grids only"))
    base_map_file: str = _field(
        "",
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Base map file"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "An MBTiles file on this computer drawn under the grids "
                                                  "(raster PNG/JPEG/WebP); empty: the server's base map"))
    sound_on_urgent: bool = _field(
        True,
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Sound on urgent cases"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "Play a sound when an urgent case or alarm arrives"))
    cache_dir: str = _field(
        "",
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Local cache folder"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "Where the local cache and outbox are kept; empty: the "
                                                  "default folder. Takes effect at the next login"))
    cache_closed_days: int = _field(
        30,
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Days closed cases stay in the cache"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "Closed and voided cases older than this leave this "
                                                  "workstation's cache (the lookup finds them on the server)"),
        ge=1, le=3650)
    wall_districts: str = _field(
        "",
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Wall view: districts to cycle"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "Subdistrict codes the wall view shows in turn, separated by "
                                                  "commas; 'all' for every subdistrict; empty: the whole city"),
        max_length=2000)
    wall_cycle_s: int = _field(
        30,
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Wall view: seconds per district"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "How long the wall view stays on one district before the next"),
        ge=5, le=3600)
    photo_cache_mb: int = _field(
        2048,
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Photo cache size (MB)"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "Most disk space kept for photos; the oldest full images "
                                                  "already on the server are removed first"),
        ge=50, le=1024 * 1024)
    map_rendering: MapRendering = _field(
        "auto",
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Map drawing"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "Who draws the map: the graphics card, or the processor (about "
                                                  "60 MB less memory, no graphics driver needed); automatic: "
                                                  "the processor only where there is no graphics card. Takes "
                                                  "effect at the next start"))
    log_level: LogLevel = _field(
        "INFO",
        label=QT_TRANSLATE_NOOP("ConsoleSettings", "Log level"),
        help=QT_TRANSLATE_NOOP("ConsoleSettings", "How much the console writes to its log file; takes "
                                                  "effect at the next start"))


def label_of(name: str) -> str:
    """The translated label of a settings field."""
    return translate(CTX, ConsoleSettings.model_fields[name].title or name)


def help_of(name: str) -> str:
    """The translated explanation of a settings field."""
    return translate(CTX, ConsoleSettings.model_fields[name].description or "")


def theme_label(theme: str) -> str:
    return translate(CTX, THEMES.get(theme, theme))


def map_rendering_label(value: str) -> str:
    return translate(CTX, MAP_RENDERINGS.get(value, value))


# ---------------------------------------------------------------------- folders

def config_dir() -> Path:
    override = os.environ.get("ONEGRID_CONFIG_DIR")
    return Path(override) if override else paths.user_config_dir()


def system_config_dir() -> Path:
    override = os.environ.get("ONEGRID_SYSTEM_CONFIG_DIR")
    return Path(override) if override else paths.site_config_dir()


def data_dir() -> Path:
    override = os.environ.get("ONEGRID_DATA_DIR")
    return Path(override) if override else paths.user_data_dir()


def log_dir() -> Path:
    override = os.environ.get("ONEGRID_DATA_DIR")
    return Path(override) / "logs" if override else paths.user_log_dir()


def cache_root(settings: ConsoleSettings) -> Path:
    """The folder holding one local cache per server and user. Not a platform *cache* dir: the outbox in
    it holds commands that must survive until the server has answered them."""
    return Path(settings.cache_dir).expanduser() if settings.cache_dir else data_dir() / "consoles"


def server_key(server_url: str) -> str:
    """A readable, filesystem-safe folder name for one server: `host_port-<hash of the full URL>`."""
    parts = urlsplit(server_url.strip().rstrip("/"))
    host = re.sub(r"[^A-Za-z0-9.-]+", "_", parts.hostname or "server")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    digest = hashlib.sha256(server_url.strip().rstrip("/").lower().encode()).hexdigest()[:8]
    return f"{host}_{port}-{digest}"


def user_cache_dir(root: Path, server_url: str, username: str) -> Path:
    """The local cache of one user on one server (cases, outbox, offline login verifier)."""
    safe_user = re.sub(r"[^A-Za-z0-9._-]+", "_", username.strip()) or "_"
    return Path(root) / server_key(server_url) / safe_user


def known_users(root: Path, server_url: str) -> list[str]:
    """Users with a local cache for this server here: those who may log in offline (if they logged in
    online successfully before; the cache's verifier decides)."""
    folder = Path(root) / server_key(server_url)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and (p / "cache.sqlite").exists())


# ---------------------------------------------------------------------- storage

@dataclass(frozen=True)
class LoadedSettings:
    settings: ConsoleSettings
    problem: str | None = None  # a readable account of what was wrong with the file, None when all was well


class SettingsStore:
    def __init__(self, path: Path | None = None, *, system_path: Path | None = None):
        self.path = Path(path) if path else config_dir() / SETTINGS_FILE
        self.system_path = Path(system_path) if system_path else system_config_dir() / SETTINGS_FILE
        self._corrupt = False
        self._system: dict[str, Any] | None = None  # read by load() (or on first need)

    def defaults(self) -> ConsoleSettings:
        """The settings of a user who changed nothing: the built-in defaults under the machine-wide ones."""
        if self._system is None:
            self._system = _system_defaults(self.system_path)
        return ConsoleSettings.model_validate(self._system)

    def load(self) -> LoadedSettings:
        """Never raises: a missing file gives the defaults; a corrupt one gives defaults plus a problem."""
        self._corrupt = False
        self._system = _system_defaults(self.system_path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return LoadedSettings(self.defaults())
        except (OSError, UnicodeDecodeError) as exc:
            return self._bad(f"cannot read {self.path}: {exc}")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return self._bad(f"{self.path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
        if not isinstance(data, dict):
            return self._bad(f"{self.path} must hold a JSON object, not {type(data).__name__}")
        try:
            return LoadedSettings(ConsoleSettings.model_validate({**(self._system or {}), **data}))
        except ValidationError as exc:
            bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
            kept = {key: value for key, value in data.items() if key not in bad}
            details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            try:
                settings = ConsoleSettings.model_validate({**(self._system or {}), **kept})
            except ValidationError:
                settings = self.defaults()
            return self._bad(f"{self.path} has invalid values, defaults used for them ({details})", settings)

    def _bad(self, problem: str, settings: ConsoleSettings | None = None) -> LoadedSettings:
        self._corrupt = True
        log.error("settings: %s; the file is left as it is until settings are saved, when it is moved aside",
                  problem)
        return LoadedSettings(settings or self.defaults(), problem)

    def save(self, settings: ConsoleSettings) -> None:
        """Write atomically what differs from the defaults in force (`defaults()`). A file that failed to
        load is first moved aside, never overwritten."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self._corrupt and self.path.exists():
            backup = self.path.with_name(f"{self.path.name}.corrupt-{datetime.now():%Y%m%d-%H%M%S}")
            os.replace(self.path, backup)
            log.warning("settings: moved the unreadable settings file to %s before saving new settings", backup)
        self._corrupt = False
        defaults = self.defaults().model_dump(mode="json")
        own = {key: value for key, value in settings.model_dump(mode="json").items() if defaults.get(key) != value}
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(own, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)
        log.info("settings saved to %s", self.path)


def _system_defaults(path: Path) -> dict[str, Any]:
    """The valid fields of the machine-wide settings file (none when it is missing); what is wrong with it
    is logged, never fatal: a typo by IT must not keep every workstation's console from starting."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.error("settings: the machine-wide defaults %s cannot be used: %s", path, exc)
        return {}
    if not isinstance(data, dict):
        log.error("settings: the machine-wide defaults %s must hold a JSON object; ignored", path)
        return {}
    known = {key: value for key, value in data.items() if key in ConsoleSettings.model_fields}
    if set(data) - set(known):
        log.warning("settings: %s names no setting %s; ignored", path, ", ".join(sorted(set(data) - set(known))))
    try:
        ConsoleSettings.model_validate(known)
    except ValidationError as exc:
        bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
        log.error("settings: invalid machine-wide defaults in %s, ignored: %s", path,
                  "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
        known = {key: value for key, value in known.items() if key not in bad}
    if known:
        log.info("settings: machine-wide defaults from %s: %s", path, ", ".join(sorted(known)))
    return known
