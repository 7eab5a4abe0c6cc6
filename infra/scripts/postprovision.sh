#!/bin/sh
# azd postprovision hook (also runnable by hand after `az deployment sub create`, with AZURE_KEY_VAULT_NAME and
# AZURE_FUNCTION_APP_NAME and AZURE_RESOURCE_GROUP exported): makes sure every Key Vault secret the app references exists.
#   recipient-hash-key   generated once (48 random bytes, base64); never replaced: it keys every stored recipient hash
#   api-admin-key        generated once: the bootstrap admin secret (read it with az keyvault secret show)
#   api-admin-key-hash   its SHA-256 (the app compares against this only)
#   twilio-account-sid, twilio-auth-token, smtp-password
#                        from TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMTP_PASSWORD when set, else asked for on a terminal
# Secrets that exist are left alone (rotation: docs/deploy.md). Values never appear in the output or on a command line.
set -eu

vault="${AZURE_KEY_VAULT_NAME:?AZURE_KEY_VAULT_NAME is not set (run through azd, or export the deployment outputs)}"
umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
changed=0

exists() {
  az keyvault secret show --vault-name "$vault" --name "$1" --query id --output tsv >/dev/null 2>&1
}

# put NAME FILE: stores the file's content as the secret. The deployer's Key Vault Secrets Officer role may take a few
# minutes to reach the vault after the first provision, so a refusal is retried for up to five minutes.
put() {
  tries=0
  until az keyvault secret set --vault-name "$vault" --name "$1" --file "$2" --encoding utf-8 --output none 2>"$work/error"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
      cat "$work/error" >&2
      echo "Could not write the secret $1 to $vault (do you hold Key Vault Secrets Officer on it?)." >&2
      exit 1
    fi
    sleep 10
  done
  changed=1
  echo "Set $1 in $vault."
}

# ask NAME VARIABLE PROMPT: the secret from the environment variable, or typed on the terminal (not echoed).
ask() {
  if exists "$1"; then
    return
  fi
  value="$(printenv "$2" || true)"
  if [ -z "$value" ] && [ -t 0 ]; then
    printf '%s (not shown): ' "$3"
    stty -echo
    IFS= read -r value || true
    stty echo
    echo
  fi
  if [ -z "$value" ]; then
    echo "Missing secret $1: set $2 and rerun this hook (azd hooks run postprovision), or see docs/deploy.md." >&2
    return
  fi
  printf '%s' "$value" >"$work/value"
  put "$1" "$work/value"
}

if ! exists recipient-hash-key; then
  openssl rand -base64 48 | tr -d '\n' >"$work/value"
  put recipient-hash-key "$work/value"
fi

if ! exists api-admin-key-hash; then
  openssl rand -hex 32 | tr -d '\n' >"$work/admin"
  sha256sum "$work/admin" | cut -d' ' -f1 | tr -d '\n' >"$work/hash"
  put api-admin-key "$work/admin"
  put api-admin-key-hash "$work/hash"
fi

ask twilio-account-sid TWILIO_ACCOUNT_SID "Twilio account SID (AC…)"
ask twilio-auth-token TWILIO_AUTH_TOKEN "Twilio auth token"
ask smtp-password SMTP_PASSWORD "SMTP password"

# Key Vault references are resolved when the app starts: restart it so new secrets take effect at once.
if [ "$changed" = 1 ] && [ -n "${AZURE_FUNCTION_APP_NAME:-}" ] && [ -n "${AZURE_RESOURCE_GROUP:-}" ]; then
  az functionapp restart --name "$AZURE_FUNCTION_APP_NAME" --resource-group "$AZURE_RESOURCE_GROUP" --output none
fi
