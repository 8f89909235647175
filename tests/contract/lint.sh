#!/bin/sh
# make lint: docs/openapi.json through Redocly (recommended rules) and
# Spectral (spectral:oas), both from tests/contract/node_modules (make deps).
# Fails on any error or warning; the places exempted are listed, each with
# the reason, in .redocly.lint-ignore.yaml and .spectral.yaml beside this file.
set -u
cd "$(dirname "$0")" || exit 1
[ -x node_modules/.bin/redocly ] && [ -x node_modules/.bin/spectral ] ||
  { echo "lint: tests/contract/node_modules is missing: run make deps"; exit 1; }
doc=../../docs/openapi.json
out=$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  node_modules/.bin/redocly lint --config redocly.yaml --format=stylish "$doc" 2>&1)
rc=$?
if [ $rc -ne 0 ] || printf '%s\n' "$out" | grep -qE '^ +[0-9]+:[0-9]+ +(error|warning) '; then
  printf '%s\n' "$out" | grep -E '^ +[0-9]+:[0-9]+ |Validation failed'
  echo "lint: Redocly finds problems in docs/openapi.json"
  exit 1
fi
node_modules/.bin/spectral lint --quiet --ruleset .spectral.yaml --fail-severity=warn "$doc" ||
  { echo "lint: Spectral finds problems in docs/openapi.json"; exit 1; }
echo "lint: docs/openapi.json passes Redocly and Spectral"
