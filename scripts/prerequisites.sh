# Sourced by test.sh and demo.sh: checks the toolchain and installs what the project needs on a fresh machine.
need() { command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is required but not on PATH ($2)" >&2; exit 1; }; }
need dotnet "install the .NET 10 SDK"
need node "install Node.js 20 or later"
need npm "install npm"

# Azurite, pinned in package.json / package-lock.json: installed when missing or not the pinned version (compared by
# version, not by file times: a fresh checkout's package-lock.json is always newer than an existing install). A
# node_modules that is a symlink is a shared install: npm ci would empty the folder it points to, so it is left alone.
azurite_pinned=$(node -p 'require("./package.json").devDependencies.azurite')
azurite_installed=$(node -p 'try { require("./node_modules/azurite/package.json").version } catch { "" }')
if [ ! -x node_modules/.bin/azurite ] || [ "$azurite_installed" != "$azurite_pinned" ]; then
  if [ -L node_modules ]; then
    echo "warning: node_modules is a symlink to a shared install without Azurite $azurite_pinned; not running npm ci into it" >&2
  else
    echo "Installing Azurite $azurite_pinned (npm ci)…"
    npm ci --no-audit --no-fund --loglevel=error
  fi
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

# The browser the dashboard's browser tests drive (Debian's chromium, through Microsoft.Playwright: Playwright's own
# browser downloads are not used). Without it those tests fail, naming this package; they never skip.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium (browser tests of the dashboard)…"
    (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null; })
  else
    echo "warning: /usr/bin/chromium is missing; install Debian's chromium for the dashboard's browser tests" >&2
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
