#!/usr/bin/env bash
# Sends all of a Cloud Run service's traffic back to an earlier revision (rollback.yml runs it).
#
#   PROJECT_ID=... REGION=... deploy/scripts/cloudrun-rollback.sh chorus-api|chorus-ws|chorus-cron|all [revision]
#
# Without a revision it picks, for each service, the newest Ready revision older than the one serving now
# (the revision list sorted by metadata.creationTimestamp, newest first: normally the second entry, as
# `gcloud run revisions list --service <svc> --sort-by=~metadata.creationTimestamp --limit=2` shows; after an
# earlier rollback, the one before that). A revision name belongs to one service, so naming one needs a
# single service.
#
# Only code goes back: migrations are forward-only and the database keeps the newer schema, which the
# previous release still runs on because every schema change stays backward compatible for one release
# (expand, migrate, contract: see the README's Migrations). The next release sends traffic to its new
# revision again.
set -euo pipefail

: "${PROJECT_ID:?set PROJECT_ID}" "${REGION:?set REGION}"
target_service="${1:-}"
revision="${2:-}"
case "$target_service" in
  chorus-api | chorus-ws | chorus-cron) services=("$target_service") ;;
  all) services=(chorus-api chorus-ws chorus-cron) ;;
  *)
    echo "usage: $0 chorus-api|chorus-ws|chorus-cron|all [revision]" >&2
    exit 2
    ;;
esac
if [ -n "$revision" ] && [ "$target_service" = all ]; then
  echo "a revision belongs to one service: choose chorus-api, chorus-ws or chorus-cron to name one" >&2
  exit 2
fi
gcloud_args=(--project "$PROJECT_ID" --region "$REGION" --quiet)

serving_revision() { # the revision that takes the largest share of the service's traffic now
  gcloud run services describe "$1" "${gcloud_args[@]}" --format=json \
    | jq -r '[.status.traffic[]? | select((.percent // 0) > 0)] | max_by(.percent) | .revisionName // empty'
}

previous_revision() { # previous_revision <service> <serving revision>
  gcloud run revisions list --service "$1" "${gcloud_args[@]}" --format=json \
    | jq -r --arg serving "$2" -f <(cat <<'JQ'
      map({name: .metadata.name,
           created: .metadata.creationTimestamp,
           ready: any(.status.conditions[]?; .type == "Ready" and .status == "True")})
      | sort_by(.created) | reverse
      | (map(.name) | index($serving)) as $at
      | .[(if $at == null then 1 else $at + 1 end):]
      | map(select(.ready)) | .[0].name // empty
JQ
    )
}

for service in "${services[@]}"; do
  serving="$(serving_revision "$service")"
  if [ -n "$revision" ]; then
    target="$revision"
    owner="$(gcloud run revisions describe "$target" "${gcloud_args[@]}" --format=json \
      | jq -r '.metadata.labels["serving.knative.dev/service"] // empty')"
    if [ "$owner" != "$service" ]; then
      echo "revision $target belongs to '${owner:-no service}', not $service" >&2
      exit 1
    fi
  else
    target="$(previous_revision "$service" "$serving")"
    if [ -z "$target" ]; then
      echo "$service has no Ready revision older than $serving to go back to" >&2
      exit 1
    fi
  fi
  image="$(gcloud run revisions describe "$target" "${gcloud_args[@]}" \
    --format='value(spec.containers[0].image)')"
  echo "$service: ${serving:-?} -> $target ($image)"
  gcloud run services update-traffic "$service" --to-revisions="${target}=100" "${gcloud_args[@]}"
  echo "- $service: \`${serving:-?}\` → \`$target\` (\`$image\`)" >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
done
