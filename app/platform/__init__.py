"""What every feature of the Qt-free core stands on: vocabularies, events, i18n, paths, settings, logging."""
