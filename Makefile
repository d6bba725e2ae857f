# OneGrid: every target creates .venv and installs the project into it first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen
export QTWEBENGINE_CHROMIUM_FLAGS ?= --no-sandbox

.PHONY: demo test bench screenshots translations lint-imports clean package

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	env -u QT_QPA_PLATFORM $(VENV)/bin/onegrid --demo

# Tests on several processes (pytest-xdist); each has its own prepared databases (README.md, "Tests").
TEST_WORKERS ?= 3
test: $(STAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

bench: $(STAMP)
	$(PY) -m bench

screenshots: $(STAMP)
	$(PY) tools/screenshots.py

translations: $(STAMP)
	$(PY) tools/build_translations.py --fill-all

# The console as a one-folder PyInstaller bundle (dist/onegrid), started once by the smoke test, then
# packed with its desktop files into dist/onegrid-<version>-linux-x86_64.tar.gz. See packaging/README.md.
PKG_STAMP := $(VENV)/.installed-package
$(PKG_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[package]"  # adds to the test extra installed by $(STAMP)
	touch $(PKG_STAMP)

package: $(PKG_STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/onegrid.spec
	$(PYTHON) packaging/smoke-test dist/onegrid
	$(PY) packaging/linux/make_tarball.py --bundle dist/onegrid --icons build/pyinstaller/onegrid/icons --out dist

lint-imports: $(STAMP)
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) build dist *.egg-info bench/results
