# bastion.hardening: one entry point for developers, CI and the demo.
#   make test   every quality gate, then every molecule scenario (CI runs exactly this)
#   make demo   build the images, harden a soft-target container, show before and after
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
COLLECTIONS := $(VENV)/collections
COLLECTION_DIR := $(COLLECTIONS)/ansible_collections/bastion/hardening
export PATH := $(BIN):/usr/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_HOME := $(VENV)/ansible-home
export ANSIBLE_LOCAL_TEMP := $(VENV)/ansible-home/tmp
export MOLECULE_GLOB := molecule/*/molecule.yml
export PY_COLORS := 0
export ANSIBLE_FORCE_COLOR := 0

# Images the molecule scenarios and the demo use: FLAVOUR:DEBIAN_MAJOR.
IMAGES := softtarget:11 softtarget:12 softtarget:13 xinetd:12 client:12 minimal:12 \
  dns:11 dns:12 dns:13 samba:11 samba:12 samba:13 \
  apache:11 apache:12 apache:13 mail-postfix:11 mail-postfix:13 mail-exim4:12 mail-sendmail:13 \
  firewall:12 scanner:12 rpc:11 rpc:12 rpc:13 printing:11 printing:12 printing:13 \
  ssh:11 ssh:12 ssh:13 fleet:11 fleet:12 fleet:13 \
  permissions:11 permissions:12 permissions:13 tmp:11 tmp:12 tmp:13 accounts:11 accounts:12 accounts:13 \
  updates:11 updates:12 updates:13 logging:11 logging:12 logging:13 ids:11 ids:12 ids:13 \
  integrity:11 integrity:12 integrity:13 backup:11 backup:12 backup:13
# Every scenario under molecule/ except the shared pieces; SCENARIOS=inetd narrows it.
SCENARIOS ?= $(filter-out shared,$(notdir $(patsubst %/,%,$(dir $(wildcard molecule/*/molecule.yml)))))

.PHONY: help venv docker images docs docs-check audit bench ee report-test lint yamllint ansible-lint ruff sanity units build molecule test demo clean

help:
	@echo "make demo   - harden a soft-target container and show its services before and after"
	@echo "make test   - lint, sanity, unit tests, collection build, every molecule scenario"
	@echo "make lint | sanity | units | build | molecule [SCENARIOS=inetd] | images | clean"

$(VENV)/.stamp: requirements.txt tools/offline-collections.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip 2>&1 | sed "/^WARNING: Location/d"
	$(BIN)/pip install --quiet -r requirements.txt 2>&1 | sed "/^WARNING: Location/d"
	tools/offline-collections.sh $(BIN)/python $(COLLECTIONS)
	touch $@

venv: $(VENV)/.stamp

docker:
	tools/ensure-docker.sh

images: docker
	@printf '%s\n' $(IMAGES) | tr ':' ' ' | flock /tmp/bastion-images.lock xargs -P 2 -n 2 images/build.sh

lint: docs-check yamllint ansible-lint ruff

yamllint: venv
	$(BIN)/yamllint --strict .

ansible-lint: venv
	$(BIN)/ansible-lint --offline --profile production

ruff: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

sanity: venv docker
	tools/ansible-test.sh sanity

units: venv
	tools/ansible-test.sh units

build: venv
	rm -rf .build/dist && mkdir -p .build/dist
	$(BIN)/ansible-galaxy collection build --output-path .build/dist .
	rm -rf .build/installed && ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/installed $(BIN)/ansible-galaxy collection install --offline --no-deps --force -p .build/installed .build/dist/bastion-hardening-*.tar.gz
	@! test -e .build/installed/ansible_collections/bastion/hardening/molecule || { echo "build_ignore leaks molecule/"; exit 1; }
	# The installed copy's playbook, roles and modules run: a check-mode pass over this
	# machine itself (read-only; it has no inetd, so the role says so and skips).
	# Its one dependency (community.general) comes from the venv's offline collections, behind it.
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/installed:$(COLLECTIONS) $(BIN)/ansible-playbook -i localhost, -c local --check \
	  -e ansible_python_interpreter=/usr/bin/python3 \
	  bastion.hardening.harden

molecule: venv images
	tools/molecule-all.sh $(SCENARIOS)

test: venv images
	tools/test.sh

docs: venv
	$(BIN)/python tools/gen-role-docs.py

docs-check: venv
	$(BIN)/python tools/gen-role-docs.py --check

demo: venv images
	tools/demo.sh

# Audit this machine (read-only, changes nothing); the report goes to reports/.
audit: venv
	ANSIBLE_CALLBACKS_ENABLED=bastion.hardening.compliance_report BASTION_REPORT_DIR=$(CURDIR)/reports \
	  $(BIN)/ansible-playbook -i localhost, -c local -e ansible_python_interpreter=/usr/bin/python3 \
	  playbooks/audit.yml
	@echo "reports: $$(ls reports/compliance.* 2>/dev/null | tr '\n' ' ')"

# Performance figures, side by side in one run (not a test): bench/results.json.
bench: venv images
	$(BIN)/python tools/bench.py

report-test: venv docker
	$(BIN)/pytest -q tests/report

# Execution environment: generate and check the ansible-builder context (no image: no registry here).
ee: venv
	tools/ee-check.sh

clean:
	rm -rf .build reports
	-docker ps -aq --filter label=org.bastion.test | xargs -r docker rm -f
