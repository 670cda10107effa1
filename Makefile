# cluster-profiles: `make` lists the targets. The first target that needs Python creates .venv
# (unless a virtualenv or conda environment is active) and installs the project into it.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.DELETE_ON_ERROR:

PYTHON ?= $(shell command -v python3.11 || command -v python3)

# Values a user passes (CLUSTER='...', DATA=..., also from the environment) never reach a shell as code:
# each is taken as its literal text (make would otherwise expand a $(...) in it), exported, and used in
# recipes only as "$$NAME", a quoted shell variable. A report's path (reports/%.html) is single-quoted.
USER_VARIABLES := CLUSTER CLUSTERS EDITION DATA FILE SOURCE ECONOMY JOBS N WORKS INSTITUTIONS TABLES OUT ENGINE YEARS FORMAT \
  RECORDS SETTINGS RADII MIN_PEOPLE PCT_ROUTE_ONLY REPORTS COUNTRIES BBOX MAILTO PAPER
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
# the versions CI and the goldens use: `make lock` compiles it from pyproject.toml (the extras below)
LOCK := requirements/lock-py311.txt
LOCK_EXTRAS := dev compute spark lab
# Each target installs only what it uses, at the versions in $(LOCK), and records it by a stamp in the
# environment: rendering needs the project's own dependencies; the compute half, Spark, JupyterLab and the
# developer tools (tests, browser tests, lint, types) are extras that come with the targets that need them.
INSTALLED := $(BIN)/../.installed
STAMP := $(INSTALLED)-render
COMPUTE := $(INSTALLED)-compute
SPARK := $(INSTALLED)-spark
LAB := $(INSTALLED)-lab
DEV := $(INSTALLED)-dev
# pip's own lines (Collecting, Downloading with a bar, Installing) are the progress of a first run
PIP := "$(BIN)/python" -m pip install --disable-pip-version-check
# the requirements of the extras named as arguments, one a line, from pyproject.toml (installed with -c $(LOCK))
EXTRA_REQUIREMENTS := "$(BIN)/python" -c 'import sys, tomllib; extras = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]; print("\n".join(r for e in sys.argv[1:] for r in extras[e]))'
PACKAGE_FILES := $(shell find src -name '*.py' -o -name '*.j2' -o -name '*.json' 2>/dev/null)
DATA_FILES := $(wildcard data/*.csv)
NOTEBOOK := notebooks/cluster_profile.ipynb
COMPARE_NOTEBOOK := notebooks/compare_clusters.ipynb
DATA_OPTION := $(if $(DATA),--data-dir "$$DATA",)
# one site per data folder: REPORTS=dir, or by default reports/ for data/ and reports-<folder name>/ for DATA=folder
REPORTS_OPTION := $(if $(REPORTS),--reports-dir "$$REPORTS",)

.PHONY: help install lock report reports bench check check-order test test-lab lint typecheck lab lab-reset golden validate import locations clean distclean
.PHONY: records-openalex records-openalex-api records-patentsview records-geocoded-patents clusters find-clusters bench-records example
.PHONY: bench-single compare list pdf

help: ## list the targets
	@awk -v lock=$(call quote,$(LOCK)) 'BEGIN {FS = ":.*## "} /^[a-zA-Z_%\/.-]+:.*## / {gsub(/\$$\(LOCK\)/, lock, $$2); printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo '  variables: CLUSTER="Nanjing" EDITION=2024 DATA=path/to/tables'

$(STAMP): pyproject.toml $(LOCK)
	@if [ ! -x "$(BIN)/python" ]; then echo "Creating .venv with $(PYTHON)"; "$(PYTHON)" -m venv .venv; fi
	@echo "Installing what rendering needs (pandas, matplotlib, papermill, a Jupyter kernel; about 400 MB, once)"
	$(PIP) --quiet --upgrade pip
	$(PIP) -c $(LOCK) -e .
	@touch "$@"

# an extra of pyproject.toml, against the lock file (maps-build is outside it: the lock still pins what they share)
$(INSTALLED)-%: $(STAMP) pyproject.toml $(LOCK)
	@echo "Installing the '$*' extra of pyproject.toml: $$($(EXTRA_REQUIREMENTS) $* | tr '\n' ' ')"
	$(PIP) -c $(LOCK) -r <($(EXTRA_REQUIREMENTS) $*)
	@touch "$@"

# the tests, the browser tests, lint and types need every locked extra: the compute half, Spark and JupyterLab too
$(DEV): $(STAMP) pyproject.toml $(LOCK)
	@echo "Installing the developer tools and every extra in $(LOCK): $(LOCK_EXTRAS)"
	$(PIP) -c $(LOCK) -r <($(EXTRA_REQUIREMENTS) $(LOCK_EXTRAS))
	@touch $(foreach extra,$(LOCK_EXTRAS),"$(INSTALLED)-$(extra)")

install: $(DEV) ## install everything in $(LOCK) (CI, development); `make report` installs only what rendering needs

lock: $(STAMP) ## recompile $(LOCK) after a dependency change in pyproject.toml (UPGRADE=1: newest versions allowed)
	$(PIP) 'uv>=0.5,<1'
	"$(BIN)/uv" pip compile pyproject.toml $(foreach extra,$(LOCK_EXTRAS),--extra $(extra)) --python-version 3.11 \
	  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade,) --quiet --output-file $(LOCK)

report: $(STAMP) ## render one report: make report CLUSTER="Nanjing" EDITION=2024 [DATA=dir] [REPORTS=dir]
	"$(BIN)/cluster-profiles" render --cluster "$$CLUSTER" --edition "$$EDITION" $(DATA_OPTION) $(REPORTS_OPTION)

reports: $(STAMP) ## render every cluster and edition in parallel, the overviews and reports/index.html [EDITION= ECONOMY= JOBS= DATA= REPORTS=]
	"$(BIN)/cluster-profiles" render-all $(if $(EDITION_CHOSEN),--edition "$$EDITION",) $(if $(ECONOMY),--economy "$$ECONOMY",) $(if $(JOBS),--jobs "$$JOBS",) $(DATA_OPTION) $(REPORTS_OPTION)

pdf: $(STAMP) ## one report and its PDF beside it (headless Chromium, offline): make pdf CLUSTER="Nanjing" EDITION=2024 [DATA=dir] [REPORTS=dir] [PAPER=letter]
	"$(BIN)/cluster-profiles" render --cluster "$$CLUSTER" --edition "$$EDITION" $(DATA_OPTION) $(REPORTS_OPTION) --pdf $(if $(PAPER),--paper "$$PAPER",)

bench: $(DEV) ## benchmark the batch renderer against a papermill + an nbconvert CLI call per report, serially and JOBS at a time [N= JOBS=]
	"$(BIN)/python" bench/bench_batch.py $(if $(N),--reports "$$N",) $(if $(JOBS),--jobs "$$JOBS",)

bench-single: $(STAMP) ## one `cluster-profiles render` against the floor (kernel start + plotting imports), median ratio [N=runs]
	"$(BIN)/python" bench/bench_single.py $(if $(N),--runs "$$N",)

list: $(STAMP) ## list the clusters (edition, size rank, name, economy): make list [EDITION=2024] [DATA=dir]
	"$(BIN)/cluster-profiles" list $(if $(EDITION_CHOSEN),--edition "$$EDITION",) $(DATA_OPTION)

compare: $(STAMP) ## clusters side by side: make compare CLUSTERS="Hefei;Nanjing;Wuhan" EDITION=2024 [DATA=dir] [REPORTS=dir]
	"$(BIN)/cluster-profiles" compare --clusters "$$CLUSTERS" --edition "$$EDITION" $(DATA_OPTION) $(REPORTS_OPTION)

# every target that runs the command: its messages name the make variables (CLUSTER, DATA) instead of the
# options (--cluster, --data-dir), and an unknown cluster's points to `make list`, not the console command
CLI_TARGETS := report reports pdf compare list validate import records-openalex records-openalex-api records-patentsview records-geocoded-patents \
  clusters find-clusters example lab lab-reset
$(CLI_TARGETS): export CLUSTER_PROFILES_VIA_MAKE := 1
reports/%.html: export CLUSTER_PROFILES_VIA_MAKE := 1

# a comparison's path names its clusters by slug, joined by "--" (a slug never holds two dashes in a row)
reports/%.html: $(STAMP) $(NOTEBOOK) $(wildcard $(COMPARE_NOTEBOOK)) $(DATA_FILES) $(PACKAGE_FILES) ## a page by path: make reports/2024/nanjing.html, reports/2024/compare/hefei--nanjing.html
	stem=$(call quote,$*); case "$$stem" in \
	  */compare/*) names="$${stem##*/}"; "$(BIN)/cluster-profiles" compare --edition "$${stem%%/*}" --clusters "$${names//--/;}" ;; \
	  *) "$(BIN)/cluster-profiles" render --edition "$${stem%%/*}" --cluster "$${stem##*/}" ;; \
	esac

check: lint typecheck ## the fast loop (seconds): lint, type-check and every test that starts no kernel
	"$(BIN)/python" -m pytest -q -p no:cacheprovider -p no:nbval -n auto -m "not kernel and not slow" --no-kernels tests

check-order: $(DEV) ## the fast tests in a random order, printed as a seed (SEED=n repeats an order)
	"$(BIN)/python" -m pytest -q -p no:cacheprovider -p no:nbval -p randomly $(if $(SEED),--randomly-seed="$(SEED)",) \
	  -m "not kernel and not slow" --no-kernels tests

# spread over the cores like `make check`; --dist loadfile keeps each file's tests on one worker: a golden
# notebook's cells share one kernel (nbval), and a browser test's module its one server
test: lint typecheck ## run every test: lint, type-check, unit, nbval goldens, end-to-end render, browser (site included)
	"$(BIN)/python" -m pytest -p no:cacheprovider -n auto --dist loadfile --nbval --nbval-sanitize-with tests/golden/sanitize.cfg tests

test-lab: $(DEV) ## only the JupyterLab browser tests (part of make test): run all and save, the picker
	"$(BIN)/python" -m pytest -q tests/test_lab_browser.py

lint: $(DEV) ## ruff
	"$(BIN)/ruff" check src tests bench

typecheck: $(DEV) ## mypy on the package (config in pyproject.toml)
	"$(BIN)/mypy"

validate: $(STAMP) ## check a data folder: make validate DATA=dir
	"$(BIN)/cluster-profiles" validate $(DATA_OPTION)

import: $(STAMP) ## merge a GII appendix ranking table: make import FILE=t.xlsx EDITION=2023 SOURCE="url" [DATA=dir]
	"$(BIN)/cluster-profiles" import-ranking "$$FILE" --edition "$$EDITION" --source "$$SOURCE" $(DATA_OPTION)

records-openalex: $(COMPUTE) $(if $(filter spark,$(ENGINE)),$(SPARK)) ## records folder from an OpenAlex snapshot: make records-openalex WORKS=dir INSTITUTIONS=path OUT=dir [ENGINE=spark] [YEARS="2018 2022"] [FORMAT=csv]
	@years=(); if [ -n "$$YEARS" ]; then read -r -a years <<< "$$YEARS"; years=(--years "$${years[@]}"); fi; \
	"$(BIN)/cluster-profiles" records openalex --works "$$WORKS" --institutions "$$INSTITUTIONS" --out "$$OUT" \
		--engine "$${ENGINE:-duckdb}" --format "$${FORMAT:-parquet}" "$${years[@]}"

records-openalex-api: $(COMPUTE) ## records folder from the OpenAlex API (needs the internet; resumable): make records-openalex-api OUT=dir COUNTRIES="CN HK" | INSTITUTIONS="I27837315" | BBOX="W S E N" [YEARS="2018 2022"] [MAILTO=you@example.org] [FORMAT=csv]
	@countries=(); if [ -n "$$COUNTRIES" ]; then read -r -a countries <<< "$$COUNTRIES"; countries=(--countries "$${countries[@]}"); fi; \
	institutions=(); if [ -n "$$INSTITUTIONS" ]; then read -r -a institutions <<< "$$INSTITUTIONS"; institutions=(--institutions "$${institutions[@]}"); fi; \
	bbox=(); if [ -n "$$BBOX" ]; then read -r -a bbox <<< "$$BBOX"; bbox=(--bbox "$${bbox[@]}"); fi; \
	years=(); if [ -n "$$YEARS" ]; then read -r -a years <<< "$$YEARS"; years=(--years "$${years[@]}"); fi; \
	"$(BIN)/cluster-profiles" records openalex-api --out "$$OUT" --format "$${FORMAT:-parquet}" "$${countries[@]}" \
		"$${institutions[@]}" "$${bbox[@]}" "$${years[@]}" $${MAILTO:+--mailto "$$MAILTO"}

records-patentsview: $(COMPUTE) ## records folder from PatentsView bulk tables: make records-patentsview TABLES=dir OUT=dir [YEARS="2019 2023"] [FORMAT=csv] [PCT_ROUTE_ONLY=1]
	@years=(); if [ -n "$$YEARS" ]; then read -r -a years <<< "$$YEARS"; years=(--years "$${years[@]}"); fi; \
	"$(BIN)/cluster-profiles" records patentsview --tables "$$TABLES" --out "$$OUT" --format "$${FORMAT:-parquet}" "$${years[@]}" \
		$${PCT_ROUTE_ONLY:+--pct-route-only}

records-geocoded-patents: $(COMPUTE) ## records folder from the geocoded worldwide patent data (geoc_inv.txt, CC BY 4.0): make records-geocoded-patents TABLES=file-or-dir OUT=dir [YEARS="2011 2015"] [FORMAT=csv]
	@years=(); if [ -n "$$YEARS" ]; then read -r -a years <<< "$$YEARS"; years=(--years "$${years[@]}"); fi; \
	"$(BIN)/cluster-profiles" records geocoded-patents --tables "$$TABLES" --out "$$OUT" --format "$${FORMAT:-parquet}" "$${years[@]}"

clusters: $(COMPUTE) ## find the clusters in a records folder, write a data folder: make clusters RECORDS=dir OUT=dir [SETTINGS=file.toml]
	@if [ -z "$$RECORDS" ] || [ -z "$$OUT" ]; then echo "make clusters: give RECORDS=dir and OUT=dir [SETTINGS=file.toml]" >&2; exit 2; fi
	"$(BIN)/cluster-profiles" clusters --records "$$RECORDS" --out "$$OUT" $${SETTINGS:+--settings "$$SETTINGS"}

example: $(COMPUTE) ## try the compute half in one command: SYNTHETIC records from a seeded generator and their clusters in example/, their site in reports-example/
	"$(BIN)/cluster-profiles" example --out example
	"$(BIN)/cluster-profiles" render-all --data-dir example/synthetic-data --reports-dir reports-example

bench-records: $(DEV) ## benchmark the compute half on synthetic records (10^5-10^7 rows) against the naive way
	"$(BIN)/python" bench/bench_records.py

find-clusters: $(COMPUTE) ## the narrative of a clustering run: make find-clusters RECORDS=dir [SETTINGS=f.toml] [RADII="10 20"] [MIN_PEOPLE="3000 6000"]
	@radii=(); if [ -n "$$RADII" ]; then read -r -a radii <<< "$$RADII"; radii=(--radius-km "$${radii[@]}"); fi; \
	people=(); if [ -n "$$MIN_PEOPLE" ]; then read -r -a people <<< "$$MIN_PEOPLE"; people=(--min-people "$${people[@]}"); fi; \
	settings=(); if [ -n "$$SETTINGS" ]; then settings=(--settings "$$SETTINGS"); fi; \
	"$(BIN)/cluster-profiles" find-clusters --records "$$RECORDS" "$${settings[@]}" "$${radii[@]}" "$${people[@]}" $(REPORTS_OPTION)

lab: $(LAB) ## JupyterLab at the repository root (127.0.0.1, token), opening working copies in lab/ (git-ignored)
	"$(BIN)/cluster-profiles" lab

lab-reset: $(STAMP) ## reset the working copies in lab/ to the templates in notebooks/ (keeps <name>.ipynb.bak)
	"$(BIN)/cluster-profiles" lab-reset

golden: $(DEV) ## re-execute the nbval golden from a clean kernel (after changing the notebook or wording)
	"$(BIN)/python" tests/golden/make_golden.py

locations: $(INSTALLED)-maps-build ## rebuild data/cluster_locations.csv from the offline GeoNames gazetteer (after adding a cluster)
	"$(BIN)/python" scripts/build_cluster_locations.py

clean: ## remove rendered reports (reports/ and every other data folder's reports-*/) and caches
	find reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	find . -maxdepth 1 -type d -name 'reports-*' -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache build src/*.egg-info
	find . -name __pycache__ -not -path './.venv/*' -exec rm -rf {} +

distclean: clean ## also remove .venv
	rm -rf .venv
