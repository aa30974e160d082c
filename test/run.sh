#!/usr/bin/env bash
# The whole test suite: build, lint, then every test file under dist/test with Node's test runner.
# Services the tests need are started by test/services.sh (on loopback, installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then
  echo "node_modules is missing: run 'npm ci' first" >&2
  exit 2
fi
bash test/services.sh
rm -rf dist
npx tsc -p tsconfig.json
npx eslint --max-warnings 0 .
# Two test files at a time by default: the machine has 2 cores and several suites start servers.
# The spec reporter ends with the failing tests, so the tail of a CI log names what failed.
mapfile -t test_files < <(find dist/test -name "*.test.js" | sort)
exec node --test --test-reporter=spec --test-concurrency="${SMSPROC_TEST_CONCURRENCY:-2}" "${test_files[@]}"
