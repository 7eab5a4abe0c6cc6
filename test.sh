#!/usr/bin/env bash
# Runs every test: unit, integration (real Azurite, SMTP sink, loopback Twilio) and end-to-end (local host + the app, and
# the dashboard in headless Chromium).
# Installs what it needs first. Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Tables]
set -euo pipefail
cd "$(dirname "$0")"
source ./scripts/prerequisites.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test AlertPipeline.sln -c Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line for CI: totals over every test assembly.
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
