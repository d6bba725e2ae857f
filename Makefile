# OneGrid: every target creates .venv and installs the project into it first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen
export QTWEBENGINE_CHROMIUM_FLAGS ?= --no-sandbox

.PHONY: demo test bench screenshots translations lint-imports clean package lock wheel

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
# Built in a virtual environment of its own holding exactly the lock file's packages (hashes checked), so
# two builds of one commit bundle the same libraries; the spec takes our own code from the checkout.
PKG_VENV  := .venv-package
PKG_STAMP := $(PKG_VENV)/.installed
$(PKG_STAMP): requirements/console-bundle.txt
	rm -rf $(PKG_VENV)
	$(PYTHON) -m venv $(PKG_VENV)
	$(PKG_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements/console-bundle.txt
	touch $(PKG_STAMP)

package: $(PKG_STAMP)
	$(PKG_VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/onegrid.spec
	$(PYTHON) packaging/smoke-test dist/onegrid
	$(PKG_VENV)/bin/python packaging/linux/make_tarball.py --bundle dist/onegrid --icons build/pyinstaller/onegrid/icons --out dist

# The wheel a server is installed from (with requirements/server.txt; packaging/README.md, "Server").
wheel: $(STAMP)
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

# The lock files, with every file's hash, for Python 3.11 on every platform (uv's universal resolution):
# requirements/server.txt for `onegrid[server]`, requirements/console-bundle.txt for the bundle
# (`onegrid[package]`: the console and PyInstaller). Refresh after changing a dependency in pyproject.toml.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet
lock: $(STAMP)
	$(PY) -m pip install --quiet "uv>=0.5"
	$(LOCK) --extra server -o requirements/server.txt
	$(LOCK) --extra package -o requirements/console-bundle.txt

lint-imports: $(STAMP)
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) $(PKG_VENV) build dist *.egg-info bench/results
