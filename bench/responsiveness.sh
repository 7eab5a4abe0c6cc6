#!/usr/bin/env bash
# Interactive requests timed while a ~100,000-row fan-out and a 50,000-line import job run (docs/reliability.md,
# "Responsiveness while the pipeline works"): the real app under the local host on Azurite (in memory unless
# --azurite disk), fake Twilio.
# Usage: ./bench/responsiveness.sh [--short] [--people N] [--import-lines N] [--probe-seconds N] [--limit-minutes N] [--azurite memory|disk] [--azurite-processes 3|1] [--azurite-lookups indexed|shipped] [--out DIR]
# Exit code 0 when every target is met (webhooks < 2 s, reports and previews < 5 s, timers within 10 s).
set -euo pipefail
cd "$(dirname "$0")/.."
source ./scripts/prerequisites.sh
dotnet build bench/AlertPipeline.Benchmarks -c Release -v q -clp:ErrorsOnly --nologo
dotnet run -c Release --no-build --project bench/AlertPipeline.Benchmarks -- responsiveness "$@"
