# One service account per workload, each with only what it needs.

locals {
  service_accounts = {
    api       = "Chorus api-service (Cloud Run chorus-api)"
    ws        = "Chorus ws-service (Cloud Run chorus-ws)"
    cron      = "Chorus cron-service (Cloud Run chorus-cron)"
    migrate   = "Chorus migrations (Cloud Run job chorus-migrate)"
    scheduler = "Cloud Scheduler's identity when it calls chorus-cron"
    deployer  = "Release workflow: pushes images, runs the migration, deploys revisions"
  }
  runtime_accounts = toset(["api", "ws", "cron", "migrate"])
}

resource "google_service_account" "chorus" {
  for_each = local.service_accounts

  account_id   = "chorus-${each.key}"
  display_name = each.value

  depends_on = [google_project_service.enabled]
}

# The Cloud SQL connection declared on every service and the job (run.googleapis.com/cloudsql-instances, the
# "cloudsql" volume) needs it; the TCP connection to the private IP itself does not.
resource "google_project_iam_member" "runtime_cloudsql_client" {
  for_each = local.runtime_accounts

  project = var.project_id
  role    = "roles/cloudsql.client"
  member  = google_service_account.chorus[each.value].member
}

# Invokers. api and ws are public (through the load balancer; ingress keeps the run.app URLs closed to the
# internet) and authenticate their callers themselves. If an organization policy forbids allUsers (domain
# restricted sharing), set invoker_iam_disabled = true on those two services instead.
resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = {
    api = google_cloud_run_v2_service.api.name
    ws  = google_cloud_run_v2_service.ws.name
  }

  project  = var.project_id
  location = var.region
  name     = each.value
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# chorus-cron: only Cloud Scheduler's service account may invoke it.
resource "google_cloud_run_v2_service_iam_member" "cron_scheduler" {
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.cron.name
  role     = "roles/run.invoker"
  member   = google_service_account.chorus["scheduler"].member
}

# The deployer (deploy/scripts/cloudrun-release.sh and cloudrun-rollback.sh): push images, replace the job and
# the services, execute the job, move traffic. It does not manage IAM, secrets or the database.
resource "google_project_iam_member" "deployer_run" {
  project = var.project_id
  role    = "roles/run.developer"
  member  = google_service_account.chorus["deployer"].member
}

resource "google_artifact_registry_repository_iam_member" "deployer_push" {
  project    = var.project_id
  location   = google_artifact_registry_repository.chorus.location
  repository = google_artifact_registry_repository.chorus.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.chorus["deployer"].member
}

# Deploying a revision that runs as a service account requires acting as it.
resource "google_service_account_iam_member" "deployer_acts_as_runtime" {
  for_each = local.runtime_accounts

  service_account_id = google_service_account.chorus[each.value].name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.chorus["deployer"].member
}
