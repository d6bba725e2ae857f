"""OneGrid's read-only files: icons, styles, sounds, fonts, translations, the map's assets, the demo city.

A package only so that an installed wheel carries them and `app.platform.paths` finds them through
`importlib.resources`; nothing here is imported as code."""
