"""The base map: packages imported by `onegrid-ctl basemap import`, served to consoles."""
