# omnidesk: `make run` serves the product, `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# Installs come from lock files only (every package pinned, with hashes): `make run`
# the run lock, `make test` the test lock (the run pins plus the test tools), both with
# the installers' lock (uv, pip). uv installs them in seconds (pip took half a minute
# or more) and `make lock` regenerates them.
RUN_LOCK := requirements/run.txt
TEST_LOCK := requirements/test.txt
TOOLS_LOCK := requirements/tools.txt
UV_VERSION := 0.13.9
PIP_VERSION := 26.3
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
UV_DIR := $(VENV)/tools
UV := $(UV_DIR)/bin/uv
UV_INSTALL := $(UV) pip install -q --python $(PY) --require-hashes -r $(TOOLS_LOCK)
# One lock for every platform, from the oldest Python that pyproject.toml allows.
UV_COMPILE := UV_CUSTOM_COMPILE_COMMAND="make lock" $(UV) pip compile -q --universal \
	--python-version 3.11 --generate-hashes $(LOCK_ARGS)

# apt-get waits up to APT_WAIT seconds while another install holds apt's or dpkg's
# lock (dpkg's lock: DPkg::Lock::Timeout; the package lists' lock, which `apt-get
# update` does not wait for: retried) instead of failing with error 100.
APT_WAIT ?= 900
APT_RETRY_SECONDS ?= 5
APT_OPTIONS ?=
define apt_get
	deadline=$$(( $$(date +%s) + $(APT_WAIT) )); \
	until out=$$(DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=$(APT_WAIT) \
			$(APT_OPTIONS) $(1) 2>&1); do \
		if ! grep -q -e 'Could not get lock' -e 'Unable to lock' <<<"$$out" \
				|| (( $$(date +%s) >= deadline )); then \
			echo "$$out" >&2; exit 100; \
		fi; \
		echo "apt is busy (another install holds its lock): waiting" >&2; \
		sleep $(APT_RETRY_SECONDS); \
	done
endef

.PHONY: run test install lock bench bench-scaleout bench-peers lint services browser apt-install clean vendor

# Without pip: creating it (ensurepip) took longer than installing everything with uv,
# which puts the locked pip in.
$(PY):
	$(PYTHON) -m venv --without-pip $(VENV)

# uv from its lock, with this Python's pip (or, if it has none, a throwaway venv's).
$(UV): $(TOOLS_LOCK)
	rm -rf $(UV_DIR)
	if $(PYTHON) -m pip --version >/dev/null 2>&1; then pip="$(PYTHON) -m pip"; \
	else $(PYTHON) -m venv $(UV_DIR)/bootstrap && pip="$(UV_DIR)/bootstrap/bin/python -m pip"; fi; \
	PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
		$$pip install -q --require-hashes --no-deps --target $(UV_DIR) -r $(TOOLS_LOCK)
	touch $@

$(RUN_STAMP): $(RUN_LOCK) $(TOOLS_LOCK) | $(PY) $(UV)
	$(UV_INSTALL) -r $(RUN_LOCK)
	touch $@

# The test lock holds every run pin unchanged (it is compiled against the run lock).
$(TEST_STAMP): $(TEST_LOCK) $(RUN_LOCK) $(TOOLS_LOCK) | $(PY) $(UV)
	$(UV_INSTALL) -r $(TEST_LOCK)
	touch $@ $(RUN_STAMP)

install: $(TEST_STAMP)

# Keeps the current pins of what pyproject.toml still allows; LOCK_ARGS=--upgrade (or
# "--upgrade-package NAME") moves them.
lock: $(UV)
	printf 'uv==$(UV_VERSION)\npip==$(PIP_VERSION)\n' | $(UV_COMPILE) - -o $(TOOLS_LOCK)
	$(UV_COMPILE) pyproject.toml -o $(RUN_LOCK)
	$(UV_COMPILE) pyproject.toml --extra test -c $(RUN_LOCK) -o $(TEST_LOCK)

run: $(RUN_STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py serve --port $(PORT)

services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && exit 0; sleep 1; done; echo "PostgreSQL or Redis did not start" >&2; exit 1

browser:
	@test -x /usr/bin/chromium || $(MAKE) -s apt-install APT_PACKAGES=chromium
	@command -v dovecot >/dev/null || $(MAKE) -s apt-install APT_PACKAGES=dovecot-imapd

apt-install:
	@$(call apt_get,update)
	@$(call apt_get,install -y $(APT_PACKAGES))

# One pytest worker per core, a test file per worker at a time (module fixtures such as a
# live server stay in one process); PYTEST_WORKERS= runs them in this process.
PYTEST_WORKERS ?= -n auto --dist loadfile

test: $(TEST_STAMP) services browser
	$(PY) -m ruff check .
	$(PY) -m mypy .
	$(PY) -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy .

bench: $(RUN_STAMP) services
	$(PY) bench/run.py

# The deployment shape of deploy/ on local ports (nginx, 2 uvicorns, a Celery worker per
# queue, beat) and agent sockets at 1,000; BENCH_ARGS="--max-sockets 10000" adds 10,000.
bench-scaleout: $(RUN_STAMP) services
	@command -v nginx >/dev/null || $(MAKE) -s apt-install APT_PACKAGES=nginx
	$(PY) bench/scaleout.py $(BENCH_ARGS)

# Side by side with django-helpdesk 2.6.1 (its own venv from PyPI, same PostgreSQL).
bench-peers: $(RUN_STAMP) services
	$(PY) bench/peers/run.py

# Re-fetch the pinned front-end libraries from the npm registry (static/vendor/README.md).
vendor:
	$(PYTHON) scripts/vendor.py

clean:
	rm -rf var staticfiles .pytest_cache
