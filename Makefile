# Bawaba — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
# The interpreter the virtualenv is made from: the distribution's own /usr/bin/python3 when it
# is 3.11 or newer and can make virtualenvs (Debian's and Ubuntu's are built with profile-guided
# and link-time optimisation, the interpreter linked statically: 10-25 % less CPU per request
# than a plain source build such as pyenv's default; docs/operations.md, "Python interpreter"),
# else python3 from PATH. `make install PYTHON=...` chooses another.
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo /usr/bin/python3 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export BAWABA_DATA_DIR ?= $(CURDIR)/var
PORT ?= 8000
export PORT

.PHONY: run test test-sqlite test-postgres lint install lock messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Installs exactly what requirements.lock pins (hash-checked), then the project itself.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/uv
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip sync --quiet --require-hashes requirements.lock
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# Re-resolve the dependencies after editing pyproject.toml.
lock: | $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
	  --python-version 3.11 -o requirements.lock

run: install
	$(BIN)/bawaba setup --demo
	$(BIN)/bawaba serve --port $(PORT)

test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check bawaba bench tests
	$(BIN)/ruff format --check bawaba bench tests
	$(BIN)/mypy $$(ls bawaba/*/services.py bawaba/*/services/*.py bawaba/*/selectors.py 2>/dev/null)
	$(BIN)/lint-imports

# Extract and compile each app's Arabic catalogue (bawaba/<app>/locale/ar/LC_MESSAGES/).
messages: install
	for app in bawaba/*/; do \
	  if [ -f "$$app/apps.py" ]; then \
	    mkdir -p "$$app/locale" && (cd "$$app" && $(CURDIR)/$(BIN)/bawaba makemessages -l ar --no-obsolete --ignore 'tests/*' --ignore 'migrations/*' >/dev/null); \
	  fi; \
	done
	for app in bawaba/*/; do \
	  if [ -d "$$app/locale" ]; then (cd "$$app" && $(CURDIR)/$(BIN)/bawaba compilemessages >/dev/null); fi; \
	done

bench: install  
	bash bench/run_all.sh

clean:
	rm -rf $(VENV) var

bench-login: install
	$(BIN)/python bench/login_rate.py
