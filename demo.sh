#!/usr/bin/env bash
# Runs the demo on a private Azurite: seeds the demo campaign, enqueues two alert events, runs the function app under the
# local host until every delivery is settled, and prints a per-alert delivery report. With no Twilio or SMTP settings,
# messages go to the local outbox (.outbox/sms.jsonl, .outbox/email.jsonl). Extra arguments go to the demo command
# (see: dotnet src/AlertPipeline.LocalHost/bin/Release/net10.0/AlertPipeline.LocalHost.dll demo --help).
set -euo pipefail
cd "$(dirname "$0")"
source ./scripts/prerequisites.sh

echo "Building the function app and the local host…"
dotnet build src/AlertPipeline.Functions -c Release --nologo -v q -clp:ErrorsOnly
dotnet build src/AlertPipeline.LocalHost -c Release --nologo -v q -clp:ErrorsOnly

# Azurite, in memory, on free loopback ports; exactly this process is stopped when the script exits.
read -r blob_port queue_port table_port < <(node -e '
  const net = require("net"); const ports = [];
  const next = () => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { ports.push(s.address().port);
    s.close(() => ports.length < 3 ? next() : console.log(ports.join(" "))); }); };
  next();')
mkdir -p artifacts/demo
node_modules/.bin/azurite --silent --inMemoryPersistence --disableTelemetry \
  --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
  --tableHost 127.0.0.1 --tablePort "$table_port" >artifacts/demo/azurite.log 2>&1 &
azurite_pid=$!
trap 'kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  if (: <"/dev/tcp/127.0.0.1/$queue_port") 2>/dev/null && (: <"/dev/tcp/127.0.0.1/$table_port") 2>/dev/null; then break; fi
  kill -0 "$azurite_pid" 2>/dev/null || { echo "error: Azurite exited while starting" >&2; exit 1; }
  sleep 0.2
done
(: <"/dev/tcp/127.0.0.1/$table_port") 2>/dev/null || { echo "error: Azurite did not listen within 30 s" >&2; exit 1; }
echo "Azurite (process $azurite_pid) on 127.0.0.1: queues $queue_port, tables $table_port, blobs $blob_port"

account=devstoreaccount1
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob_port/$account;QueueEndpoint=http://127.0.0.1:$queue_port/$account;TableEndpoint=http://127.0.0.1:$table_port/$account;"
export ServiceBusConnection="$AzureWebJobsStorage"
# The seed's UK numbers are Ofcom's drama range, reserved for fiction and so unassigned: accept it for the demo only.
export PhoneNumbers__FictionalRanges__0='+447700900000-+447700900999'
export ScheduleTick__Schedule="${ScheduleTick__Schedule:-0 */1 * * * *}"   # ScheduleTick's timer (local.settings.json.template)

# The built app folder (worker.config.json, functions.metadata, host.json, the worker) runs unmodified under the local host.
dotnet src/AlertPipeline.LocalHost/bin/Release/net10.0/AlertPipeline.LocalHost.dll demo --script-root . \
  --app src/AlertPipeline.Functions/bin/Release/net10.0 "$@"
