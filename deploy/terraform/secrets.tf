# Secret Manager secrets the Cloud Run services read as environment variables (version "latest", resolved when an
# instance starts). Their values end up in the Terraform state: keep the state in a private bucket (versions.tf).
#
#   chorus-database-url       DATABASE_URL               api, ws, cron, migrate
#   chorus-jwt-secret         CHORUS_AUTH_JWT_SECRET     api, ws, migrate (api-service checks it even when migrating)
#   chorus-cors-origins       CHORUS_CORS_ORIGINS        api, ws (not secret; kept here so that the Cloud Run YAML
#                                                        needs no variable besides IMAGE, PROJECT_ID and REGION)
#   chorus-anthropic-api-key  ANTHROPIC_API_KEY          api
#
# No CHORUS_CRON_SECRET: on Google Cloud the only trigger is Cloud Scheduler's OIDC token, and cron-service refuses
# the X-Cron-Secret header when the secret is unset.

locals {
  secret_ids = toset([
    "chorus-database-url",
    "chorus-jwt-secret",
    "chorus-cors-origins",
    "chorus-anthropic-api-key",
  ])

  # Which runtime service account reads which secret.
  secret_readers = {
    api     = ["chorus-database-url", "chorus-jwt-secret", "chorus-cors-origins", "chorus-anthropic-api-key"]
    ws      = ["chorus-database-url", "chorus-jwt-secret", "chorus-cors-origins"]
    cron    = ["chorus-database-url"]
    migrate = ["chorus-database-url", "chorus-jwt-secret"]
  }
  secret_bindings = {
    for pair in flatten([
      for reader, ids in local.secret_readers : [for id in ids : { reader = reader, secret = id }]
    ]) : "${pair.reader}/${pair.secret}" => pair
  }
}

resource "google_secret_manager_secret" "chorus" {
  for_each = local.secret_ids

  secret_id = each.value
  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "random_password" "jwt" {
  length  = 48
  special = false
}

resource "google_secret_manager_secret_version" "database_url" {
  secret      = google_secret_manager_secret.chorus["chorus-database-url"].id
  secret_data = "postgres://${local.db_user}:${random_password.db.result}@${google_sql_database_instance.main.private_ip_address}:5432/${local.db_name}?sslmode=require"
}

resource "google_secret_manager_secret_version" "jwt_secret" {
  secret      = google_secret_manager_secret.chorus["chorus-jwt-secret"].id
  secret_data = random_password.jwt.result
}

resource "google_secret_manager_secret_version" "cors_origins" {
  secret      = google_secret_manager_secret.chorus["chorus-cors-origins"].id
  secret_data = local.cors_origins
}

resource "google_secret_manager_secret_version" "anthropic_api_key" {
  secret = google_secret_manager_secret.chorus["chorus-anthropic-api-key"].id
  # A version must exist for chorus-api to start. "unset" lets it start; answers then fail until a real key is added.
  secret_data = var.anthropic_api_key != "" ? var.anthropic_api_key : "unset"
}

resource "google_secret_manager_secret_iam_member" "readers" {
  for_each = local.secret_bindings

  secret_id = google_secret_manager_secret.chorus[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.chorus[each.value.reader].member
}
