# cluster-profiles: `make` lists the targets. The first target that needs Python creates .venv
# (unless a virtualenv or conda environment is active) and installs the project into it.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.DELETE_ON_ERROR:

PYTHON ?= $(shell command -v python3.11 || command -v python3)

# Values a user passes (CLUSTER='...', DATA=..., also from the environment) never reach a shell as code:
# each is taken as its literal text (make would otherwise expand a $(...) in it), exported, and used in
# recipes only as "$$NAME", a quoted shell variable. A report's path (reports/%.html) is single-quoted.
USER_VARIABLES := CLUSTER CLUSTERS EDITION DATA FILE SOURCE ECONOMY JOBS N
EDITION_CHOSEN := $(filter command line,$(origin EDITION))
$(foreach v,$(USER_VARIABLES),$(if $(filter undefined default,$(origin $(v))),,$(eval override $(v) := $$(value $(v)))))
CLUSTER ?= Hefei
EDITION ?= 2024
export $(USER_VARIABLES)
quote = '$(subst ','\'',$(1))'

ifdef VIRTUAL_ENV
  BIN := $(VIRTUAL_ENV)/bin
else ifdef CONDA_PREFIX
  BIN := $(CONDA_PREFIX)/bin
else
  BIN := .venv/bin
endif
STAMP := $(BIN)/../.cluster-profiles-installed
PACKAGE_FILES := $(shell find src -name '*.py' -o -name '*.j2' -o -name '*.json' 2>/dev/null)
DATA_FILES := $(wildcard data/*.csv)
NOTEBOOK := notebooks/cluster_profile.ipynb
DATA_OPTION := $(if $(DATA),--data-dir "$$DATA",)

.PHONY: help install report reports bench test lint lab lab-reset golden validate import locations clean distclean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_%\/.-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo '  variables: CLUSTER="Nanjing" EDITION=2024 DATA=path/to/tables'

$(STAMP): pyproject.toml
	@if [ ! -x "$(BIN)/python" ]; then echo "Creating .venv with $(PYTHON)"; "$(PYTHON)" -m venv .venv; fi
	"$(BIN)/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
	"$(BIN)/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch "$@"

install: $(STAMP) ## create the environment and install the project (done by the other targets)

report: $(STAMP) ## render one report: make report CLUSTER="Nanjing" EDITION=2024 [DATA=dir]
	"$(BIN)/cluster-profiles" render --cluster "$$CLUSTER" --edition "$$EDITION" $(DATA_OPTION)

reports: $(STAMP) ## render every cluster and edition in parallel, the overviews and reports/index.html [EDITION= ECONOMY= JOBS=]
	"$(BIN)/cluster-profiles" render-all $(if $(EDITION_CHOSEN),--edition "$$EDITION",) $(if $(ECONOMY),--economy "$$ECONOMY",) $(if $(JOBS),--jobs "$$JOBS",) $(DATA_OPTION)

bench: $(STAMP) ## benchmark the batch renderer against one papermill + one nbconvert CLI call per report
	"$(BIN)/python" bench/bench_batch.py $(if $(N),--reports "$$N",)

reports/%.html: $(STAMP) $(NOTEBOOK) $(DATA_FILES) $(PACKAGE_FILES) ## a report by path: make reports/2024/nanjing.html
	stem=$(call quote,$*); "$(BIN)/cluster-profiles" render --edition "$${stem%%/*}" --cluster "$${stem##*/}"

test: $(STAMP) ## run every test: lint, unit, nbval goldens, end-to-end render, browser (site included)
	"$(BIN)/ruff" check src tests bench
	"$(BIN)/python" -m pytest --nbval --nbval-sanitize-with tests/golden/sanitize.cfg tests

lint: $(STAMP) ## ruff
	"$(BIN)/ruff" check src tests bench

validate: $(STAMP) ## check a data folder: make validate DATA=dir
	"$(BIN)/cluster-profiles" validate $(DATA_OPTION)

import: $(STAMP) ## merge a GII appendix ranking table: make import FILE=t.xlsx EDITION=2023 SOURCE="url" [DATA=dir]
	"$(BIN)/cluster-profiles" import-ranking "$$FILE" --edition "$$EDITION" --source "$$SOURCE" $(DATA_OPTION)

lab: $(STAMP) ## JupyterLab at the repository root (127.0.0.1, token), opening working copies in lab/ (git-ignored)
	"$(BIN)/cluster-profiles" lab

lab-reset: $(STAMP) ## reset the working copies in lab/ to the templates in notebooks/ (keeps <name>.ipynb.bak)
	"$(BIN)/cluster-profiles" lab-reset

golden: $(STAMP) ## re-execute the nbval golden from a clean kernel (after changing the notebook or wording)
	"$(BIN)/python" tests/golden/make_golden.py

locations: $(STAMP) ## rebuild data/cluster_locations.csv from the offline GeoNames gazetteer (after adding a cluster)
	"$(BIN)/python" -m pip install --quiet --disable-pip-version-check -e '.[maps-build]'
	"$(BIN)/python" scripts/build_cluster_locations.py

clean: ## remove rendered reports and caches
	find reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache build src/*.egg-info
	find . -name __pycache__ -not -path './.venv/*' -exec rm -rf {} +

distclean: clean ## also remove .venv
	rm -rf .venv
