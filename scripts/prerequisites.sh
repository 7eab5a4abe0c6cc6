# Sourced by test.sh and demo.sh: checks the toolchain and installs what the project needs on a fresh machine.
need() { command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is required but not on PATH ($2)" >&2; exit 1; }; }
need dotnet "install the .NET 10 SDK"
need node "install Node.js 20 or later"
need npm "install npm"

# Azurite, pinned in package.json / package-lock.json.
if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing Azurite (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The SMTP sink the email tests send to (Debian's python3-aiosmtpd).
if [ ! -x /usr/bin/aiosmtpd ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing python3-aiosmtpd (SMTP sink for tests)…"
    (apt-get install -y -qq python3-aiosmtpd >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq python3-aiosmtpd >/dev/null; })
  else
    echo "warning: /usr/bin/aiosmtpd is missing; install Debian's python3-aiosmtpd for the SMTP tests" >&2
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
