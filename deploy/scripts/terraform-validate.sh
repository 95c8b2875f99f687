#!/usr/bin/env bash
# `terraform validate` in every directory of deploy/terraform that holds .tf files (root modules and modules
# alike), after `terraform init -backend=false`: no state, no cloud credentials, only the providers' download.
# The ci workflow's lint-configs job runs it.
set -euo pipefail
cd "$(dirname "$0")/../.."

export TF_IN_AUTOMATION=1
export TF_PLUGIN_CACHE_DIR="${TF_PLUGIN_CACHE_DIR:-$HOME/.terraform.d/plugin-cache}"
mkdir -p "$TF_PLUGIN_CACHE_DIR"

mapfile -t directories < <(find deploy/terraform -name '*.tf' -not -path '*/.terraform/*' -printf '%h\n' | sort -u)
if [ ${#directories[@]} -eq 0 ]; then
  echo "no .tf file under deploy/terraform" >&2
  exit 1
fi

status=0
for directory in "${directories[@]}"; do
  echo "== $directory"
  if ! init_output="$(terraform -chdir="$directory" init -backend=false -input=false -no-color 2>&1)"; then
    echo "$init_output"
    status=1
    continue
  fi
  terraform -chdir="$directory" validate -no-color || status=1
done
exit "$status"
