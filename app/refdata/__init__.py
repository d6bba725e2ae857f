"""Reference data: member units, categories, unit grids, the responsibility matrix, users, sensors and
the time-limit calendar, loaded from a folder of files and validated as a whole.

The folder layout (see ``resources/demo_city/README.md``)::

    units.json           member units (成员单位), a tree rooted at the city management office
    categories.csv       component (部件) and event (事件) categories with time limits per priority
    grids.geojson        unit grids (单元网格) as GeoJSON polygons
    responsibility.csv   category × area → unit, rank 1 = primary
    users.json           accounts (optional file; demo passwords only)
    sensors.json         IoT sensors and their alarm rules (optional file)
    calendar.json        working calendar and stage limits (TimeLimitPolicy format)

Every problem raises :class:`~app.refdata.errors.RefDataError` whose message starts with the file and the
place in it (``"categories.csv, line 7: ..."``, ``"grids.geojson, feature 3: ..."``,
``"units.json, item 2: ..."``) and then says what is wrong. Lookups of unknown keys raise
``RefDataError("unknown unit 'x'")``.

``RefData.to_dict()`` / ``RefData.from_dict()`` carry the whole bundle as JSON to consoles; the bundle
is validated again on arrival, and ``RefData.version`` (first 16 hex digits of the SHA-256 of the
canonical JSON, passwords excluded) identifies its content.

Limit strings in categories.csv: a positive number and a unit — ``m`` minutes, ``h`` hours, ``d`` days
(calendar time), ``wm`` / ``wh`` / ``wd`` working minutes / hours / days (a working day is the
calendar's working minutes per day, 7 h for 08:30-12:00 + 14:00-17:30): ``30m``, ``2h``, ``4wh``,
``1wd``, ``3wd``.

The modules:

- ``errors``: ``RefDataError`` and ``Src`` (where each record of a file or bundle came from);
- ``files``: reading UTF-8 text, JSON and CSV files, typed access to one JSON record's fields;
- ``entities``: the records (``Unit``, ``Category``, ``Grid``, ``User``, ``SensorRules``, ``Sensor``,
  ``ResponsibilityRule``);
- one parser per file, each with its checks: ``units``, ``categories`` (with ``parse_limit`` /
  ``format_limit``), ``grids``, ``responsibility``, ``users``, ``sensors``, ``calendar``;
- ``model``: ``RefData``, the whole validated together, its lookups and its JSON bundle;
- ``loading``: ``load_refdata(folder)``, ``demo_dir()``, ``load_demo_refdata()``;
- ``timelimits``: the working calendar, limits and deadlines.
"""
