#!/usr/bin/env bash
# The fault harness (docs/reliability.md): the real app under the local host on a disk-backed Azurite, with the fake
# Twilio and the SMTP sink, under SIGKILLs, an Azurite restart and Twilio/SMTP storms; then duplicates and missing.
# Usage: ./bench/faults.sh [--short] [--seed N] [--recipients N] [--kills N] [--no-azurite-restart] [--status-callbacks] [--out DIR]
#                          [--keep-data] [--limit-minutes N] [--probe]
# Exit code 0 when the targets are met (0 duplicates, 0 missing, every row settled with a reason).
set -euo pipefail
cd "$(dirname "$0")/.."
source ./scripts/prerequisites.sh
dotnet build bench/AlertPipeline.Benchmarks -c Release -v q -clp:ErrorsOnly --nologo
dotnet run -c Release --no-build --project bench/AlertPipeline.Benchmarks -- faults "$@"
