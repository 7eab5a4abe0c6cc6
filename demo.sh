#!/usr/bin/env bash
# Runs the demo on Azurite. With no Twilio or SMTP settings, messages go to the local outbox (.outbox/).
set -euo pipefail
cd "$(dirname "$0")"
source ./scripts/prerequisites.sh
dotnet run --project src/AlertPipeline.LocalHost -c Release -- demo "$@"
