#!/usr/bin/env bash
# Lays out the deployable Azure Functions custom-handler app and zips it:
#   <out>/app/host.json, <out>/app/<Function>/function.json, <out>/app/handler/AlertPipeline.Functions (self-contained linux-x64)
#   <out>/alertpipeline-app.zip (the content of <out>/app, for zip deploy)
#   <out>/cli/alertpipeline (the organiser CLI, docs/cli.md; framework-dependent: needs the .NET 10 runtime)
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

echo "Publishing the handler (self-contained, single file, linux-x64)…"
dotnet publish "$root/src/AlertPipeline.Functions/AlertPipeline.Functions.csproj" \
  -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true \
  -o "$app/handler" --nologo -v quiet

cp "$root/host.json" "$app/host.json"
entries=(host.json handler)
for dir in "$root"/functions/*/; do
  name="$(basename "$dir")"
  if [ ! -f "$dir/function.json" ]; then
    echo "error: functions/$name has no function.json" >&2
    exit 1
  fi
  mkdir -p "$app/$name"
  cp -R "$dir". "$app/$name/"
  entries+=("$name")
done

# Zip the app folder's content (entries relative to the app root; Unix modes kept, so the handler stays executable).
if command -v python3 >/dev/null 2>&1; then
  (cd "$app" && python3 -m zipfile -c "$zipfile" "${entries[@]}")
elif command -v zip >/dev/null 2>&1; then
  (cd "$app" && zip -qr "$zipfile" "${entries[@]}")
else
  echo "error: neither python3 nor zip is available to build $zipfile" >&2
  exit 1
fi

echo "Publishing the CLI…"
dotnet publish "$root/src/AlertPipeline.Cli/AlertPipeline.Cli.csproj" -c Release -o "$out/cli" --nologo -v quiet

echo "App folder: $app"
echo "Package:    $zipfile"
echo "CLI:        $out/cli/alertpipeline"
