#!/usr/bin/env bash
# Publishes the deployable Azure Functions app (.NET isolated worker, FUNCTIONS_WORKER_RUNTIME=dotnet-isolated) and zips it:
#   <out>/app/                  the app root as Azure runs it: host.json, functions.metadata (every function and its
#                               bindings, written by the worker SDK), worker.config.json (how the host starts the worker),
#                               .azurefunctions/ (the host-side extension payload), AlertPipeline.Functions.dll and its
#                               dependencies (framework-dependent: the Functions platform provides the .NET 10 runtime)
#   <out>/alertpipeline-app.zip the content of <out>/app, for zip deploy
#   <out>/cli/alertpipeline     the organiser CLI, docs/cli.md (framework-dependent: needs the .NET 10 runtime)
# Usage: scripts/publish.sh [output-folder]     (default: artifacts)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/artifacts}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
app="$out/app"
zipfile="$out/alertpipeline-app.zip"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rm -rf "$app" "$zipfile" "$out/cli"
mkdir -p "$app"

echo "Publishing the function app (dotnet-isolated, linux-x64)…"
dotnet publish "$root/src/AlertPipeline.Functions/AlertPipeline.Functions.csproj" \
  -c Release -r linux-x64 --self-contained false -o "$app" --nologo -v quiet

for required in host.json functions.metadata worker.config.json .azurefunctions AlertPipeline.Functions.dll; do
  if [ ! -e "$app/$required" ]; then
    echo "error: the published app has no $required" >&2
    exit 1
  fi
done

# Zip the app folder's content, dot-folders included (entries relative to the app root, as zip deploy expects).
if command -v python3 >/dev/null 2>&1; then
  (cd "$app" && python3 -c 'import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for folder, _, files in os.walk("."):
        for name in files:
            path = os.path.join(folder, name)
            z.write(path, os.path.relpath(path, "."))' "$zipfile")
elif command -v zip >/dev/null 2>&1; then
  (cd "$app" && zip -qr "$zipfile" .)
else
  echo "error: neither python3 nor zip is available to build $zipfile" >&2
  exit 1
fi

echo "Publishing the CLI…"
dotnet publish "$root/src/AlertPipeline.Cli/AlertPipeline.Cli.csproj" -c Release -o "$out/cli" --nologo -v quiet

echo "App folder: $app"
echo "Package:    $zipfile"
echo "CLI:        $out/cli/alertpipeline"
