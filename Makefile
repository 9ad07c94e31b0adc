# The two commands of the README. Each installs whatever is missing first.
.PHONY: run test bench

## Build and run the product with SQLite, the demo clinic and its logins.
run:
	@bash scripts/run.sh

## Run every test: Rust on SQLite and PostgreSQL, then Playwright in Chromium.
test:
	@bash scripts/test.sh

## Benchmarks (figures printed, not pass/fail): the friend list and segment counts at 1,000,000 friends, a 100,000-recipient send, webhook ingest, server-rendered pages and tracked-link clicks from outside, and the bytes a first visit downloads per area.
bench:
	@bash scripts/bench.sh
