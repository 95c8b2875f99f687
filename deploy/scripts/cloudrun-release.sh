#!/usr/bin/env bash
# Deploys one commit to one environment's Cloud Run (the release workflow's deploy-staging and
# deploy-production jobs run it once each, authenticated as that environment's deployer):
#
#   1. pushes the three images, built once by the release workflow's native job and handed over as OCI
#      archives, to this environment's Artifact Registry as
#      ${REGION}-docker.pkg.dev/${PROJECT_ID}/chorus/<service>:<commit>, keeping their digests, so staging and
#      production run byte-for-byte the same image;
#   2. points the Cloud Run job chorus-migrate at the new api-service image and executes it, waiting for it
#      to end (CHORUS_DATABASE_MIGRATE=only), before any service gets a new revision;
#   3. replaces chorus-api, chorus-ws and chorus-cron with deploy/cloudrun/<name>.yaml, where envsubst fills
#      ${IMAGE}, ${PROJECT_ID} and ${REGION}, and sends all traffic to the new revision (a rollback may have
#      pinned it to an older one).
#
#   PROJECT_ID=... REGION=... RELEASE_SHA=<40-hex commit> deploy/scripts/cloudrun-release.sh <archive-dir>
#
# <archive-dir> holds api-service.oci.tar, ws-service.oci.tar and cron-service.oci.tar. Needs gcloud
# (authenticated), skopeo, envsubst and a clone with history. If the environment already runs a newer commit
# (a later release overtook this one), it changes nothing and says so; go back with rollback.yml instead.
set -euo pipefail
cd "$(dirname "$0")/../.."

archives="${1:?usage: $0 <directory with <service>.oci.tar>}"
: "${PROJECT_ID:?set PROJECT_ID}" "${REGION:?set REGION}" "${RELEASE_SHA:?set RELEASE_SHA}"
if ! [[ "$RELEASE_SHA" =~ ^[0-9a-f]{40}$ ]]; then
  echo "RELEASE_SHA must be a full commit SHA, got '$RELEASE_SHA'" >&2
  exit 2
fi
export PROJECT_ID REGION

registry_host="${REGION}-docker.pkg.dev"
registry="${registry_host}/${PROJECT_ID}/chorus"
services=(api-service ws-service cron-service)
declare -A cloud_run_name=([api-service]=chorus-api [ws-service]=chorus-ws [cron-service]=chorus-cron)
gcloud_args=(--project "$PROJECT_ID" --region "$REGION" --quiet)

for file in deploy/cloudrun/chorus-migrate-job.yaml deploy/cloudrun/chorus-{api,ws,cron}.yaml; do
  [ -f "$file" ] || { echo "missing $file" >&2; exit 1; }
done
for service in "${services[@]}"; do
  [ -f "$archives/$service.oci.tar" ] || { echo "missing $archives/$service.oci.tar" >&2; exit 1; }
done

# A release that another, newer one has overtaken must not put the older code back.
deployed_image="$(gcloud run services describe chorus-api "${gcloud_args[@]}" \
  --format='value(spec.template.spec.containers[0].image)' 2>/dev/null || true)"
deployed_sha="${deployed_image##*:}"
if [[ "$deployed_sha" =~ ^[0-9a-f]{40}$ ]] && [ "$deployed_sha" != "$RELEASE_SHA" ] \
  && git cat-file -e "${deployed_sha}^{commit}" 2>/dev/null \
  && git merge-base --is-ancestor "$RELEASE_SHA" "$deployed_sha"; then
  echo "::notice::$PROJECT_ID already runs $deployed_sha, which is newer than $RELEASE_SHA: nothing deployed."
  exit 0
fi

# 1. Images: the archives' manifests as they are, so the digest is the same in every registry.
if ! command -v skopeo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo apt-get install -y -qq skopeo
fi
authfile="$(mktemp)"
trap 'rm -f "$authfile"' EXIT
gcloud auth print-access-token \
  | skopeo login --authfile "$authfile" --username oauth2accesstoken --password-stdin "$registry_host" >/dev/null
declare -A image
for service in "${services[@]}"; do
  image[$service]="${registry}/${service}:${RELEASE_SHA}"
  archive="oci-archive:${archives}/${service}.oci.tar"
  built="$(skopeo inspect --format '{{.Digest}}' "$archive")"
  skopeo copy --quiet --preserve-digests --retry-times 3 --dest-authfile "$authfile" \
    "$archive" "docker://${image[$service]}"
  pushed="$(skopeo inspect --authfile "$authfile" --format '{{.Digest}}' "docker://${image[$service]}")"
  if [ "$built" != "$pushed" ]; then
    echo "${image[$service]} is $pushed in the registry, but the build made $built" >&2
    exit 1
  fi
  echo "${image[$service]} = ${pushed}"
  echo "- \`${image[$service]}@${pushed}\`" >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
done

render() { # render <template> <image>: the YAML with ${IMAGE}, ${PROJECT_ID} and ${REGION} filled in
  local out
  out="$(mktemp --suffix=.yaml)"
  # shellcheck disable=SC2016 # envsubst's list of variables to replace, not an expansion
  IMAGE="$2" envsubst '${IMAGE} ${PROJECT_ID} ${REGION}' <"$1" >"$out"
  echo "$out"
}

# 2. Migration, once, before any new revision.
job_yaml="$(render deploy/cloudrun/chorus-migrate-job.yaml "${image[api-service]}")"
gcloud run jobs replace "$job_yaml" "${gcloud_args[@]}"
echo "Migrating with ${image[api-service]}"
gcloud run jobs execute chorus-migrate "${gcloud_args[@]}" --wait

# 3. Services.
for service in "${services[@]}"; do
  name="${cloud_run_name[$service]}"
  service_yaml="$(render "deploy/cloudrun/${name}.yaml" "${image[$service]}")"
  echo "Deploying $name with ${image[$service]}"
  gcloud run services replace "$service_yaml" "${gcloud_args[@]}"
  gcloud run services update-traffic "$name" --to-latest "${gcloud_args[@]}"
done
