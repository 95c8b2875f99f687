# Chorus on Google Cloud: three Cloud Run services (chorus-api, chorus-ws, chorus-cron) and a migration job
# (chorus-migrate) over one Cloud SQL PostgreSQL reached by private IP, behind an external HTTPS load balancer,
# with Cloud Scheduler triggering the maintenance jobs. deploy/README.md walks through the first deploy.
#
# Split by concern: network.tf, database.tf, secrets.tf, iam.tf, services.tf, scheduler.tf, loadbalancer.tf,
# github.tf, monitoring.tf (alert policies, docs/operations.md), outputs.tf.

locals {
  apis = toset([
    "artifactregistry.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",
    "compute.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "sts.googleapis.com",
  ])

  # The names deploy/cloudrun/*.yaml refer to. Renaming one means editing those files too.
  network_name  = "chorus-vpc"
  subnet_name   = "chorus-run"
  repository_id = "chorus"
  db_instance   = "chorus-db"
  db_name       = "chorus"
  db_user       = "chorus"
  registry      = "${var.region}-docker.pkg.dev/${var.project_id}/${local.repository_id}"
  cron_audience = "https://chorus-cron.${var.project_id}.internal"
  cors_origins  = join(",", concat(["https://${var.domain}"], var.extra_cors_origins))
  placeholder   = var.image_tag == ""
  image_api     = local.placeholder ? var.bootstrap_image : "${local.registry}/api-service:${var.image_tag}"
  image_ws      = local.placeholder ? var.bootstrap_image : "${local.registry}/ws-service:${var.image_tag}"
  image_cron    = local.placeholder ? var.bootstrap_image : "${local.registry}/cron-service:${var.image_tag}"

  # Connections each instance may open (QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE in deploy/cloudrun/*.yaml; the JDBC
  # pool, for Flyway only, stays empty unless migrating).
  pool_size = { api = 20, ws = 20, cron = 5, migrate = 2 }
  # Worst case: every service at max instances, plus a second set of ws-service instances, because sockets on the
  # previous revision live on for up to an hour after a release; plus the migration job and room for psql and
  # Cloud SQL's own connections.
  connection_budget = (
    var.api_max_instances * local.pool_size.api +
    2 * var.ws_max_instances * local.pool_size.ws +
    var.cron_max_instances * local.pool_size.cron +
    local.pool_size.migrate +
    20
  )
}

check "database_connection_budget" {
  assert {
    condition     = local.connection_budget <= var.db_max_connections
    error_message = "Max instances x pool sizes (${local.connection_budget} connections, see locals in main.tf) exceed db_max_connections (${var.db_max_connections}): raise db_max_connections or lower max instances."
  }
}

resource "google_project_service" "enabled" {
  for_each = local.apis

  service            = each.value
  disable_on_destroy = false
}

resource "google_artifact_registry_repository" "chorus" {
  location      = var.region
  repository_id = local.repository_id
  description   = "Chorus images: api-service, ws-service, cron-service, tagged with the git SHA"
  format        = "DOCKER"

  # Rollbacks start old revisions, whose images must still exist: keep the 20 newest of each image whatever their
  # age, and delete the rest once they are 90 days old.
  cleanup_policy_dry_run = false
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 20
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      tag_state  = "ANY"
      older_than = "7776000s"
    }
  }

  depends_on = [google_project_service.enabled]
}
