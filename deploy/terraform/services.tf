# The three Cloud Run services and the migration job, mirroring deploy/cloudrun/*.yaml setting for setting (and
# env entry for env entry, in the same order). Terraform creates them; every release replaces them from the YAML
# with the new image. Both sides must therefore say the same thing, or each apply and each release undo the other.
#
# lifecycle.ignore_changes:
#   - the container image: the release workflow owns it (a new revision per commit); Terraform only sets the
#     first one (var.image_tag, or the placeholder image before anything is pushed);
#   - client, client_version: gcloud stamps them on every `services replace`; they mean nothing to Terraform;
#   - traffic: releases send 100 % to the newest revision and rollbacks pin an older one
#     (deploy/scripts/cloudrun-rollback.sh); an apply during a rollback must not move traffic back.

locals {
  # The Cloud SQL connection declared on every workload. Not how they connect (TCP to the private IP, see
  # database.tf): DATABASE_URL must name a host, and dev.chorus.config.DatabaseUrl accepts no socket path.
  cloudsql_volume = "cloudsql"
}

resource "google_cloud_run_v2_service" "api" {
  name                = "chorus-api"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  deletion_protection = false # stateless; the database is the protected resource

  template {
    service_account                  = google_service_account.chorus["api"].email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    max_instance_request_concurrency = 80
    timeout                          = "300s"

    scaling {
      min_instance_count = var.api_min_instances
      max_instance_count = var.api_max_instances
    }

    vpc_access {
      network_interfaces {
        network    = google_compute_network.main.name
        subnetwork = google_compute_subnetwork.run.name
      }
      egress = "PRIVATE_RANGES_ONLY"
    }

    volumes {
      name = local.cloudsql_volume
      cloud_sql_instance {
        instances = [google_sql_database_instance.main.connection_name]
      }
    }

    containers {
      name  = "api-service"
      image = local.image_api

      ports {
        name           = "http1"
        container_port = 8080
      }

      env {
        name  = "CHORUS_DATABASE_MIGRATE"
        value = "off"
      }
      # JSON log lines inside a span link to the trace in Cloud Trace (docs/operations.md, Logs).
      env {
        name  = "CHORUS_OBSERVABILITY_GCP_PROJECT"
        value = var.project_id
      }
      env {
        name = "DATABASE_URL"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.chorus["chorus-database-url"].secret_id
            version = "latest"
          }
        }
      }
      env {
        name = "CHORUS_AUTH_JWT_SECRET"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.chorus["chorus-jwt-secret"].secret_id
            version = "latest"
          }
        }
      }
      env {
        name = "CHORUS_CORS_ORIGINS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.chorus["chorus-cors-origins"].secret_id
            version = "latest"
          }
        }
      }
      # Google's load balancer appends the client's address and its own to X-Forwarded-For.
      env {
        name  = "CHORUS_RATE_LIMIT_FORWARDED_HOPS"
        value = "2"
      }
      env {
        name  = "CHORUS_AI_PROVIDER"
        value = "anthropic"
      }
      env {
        name = "ANTHROPIC_API_KEY"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.chorus["chorus-anthropic-api-key"].secret_id
            version = "latest"
          }
        }
      }
      env {
        name  = "QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE"
        value = tostring(local.pool_size.api)
      }

      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        # CPU always allocated: assistant answers stream on after the 202.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      startup_probe {
        http_get {
          path = "/q/health/ready"
          port = 8080
        }
        initial_delay_seconds = 0
        period_seconds        = 3
        timeout_seconds       = 2
        failure_threshold     = 40
      }

      liveness_probe {
        http_get {
          path = "/health"
          port = 8080
        }
        period_seconds    = 10
        timeout_seconds   = 2
        failure_threshold = 3
      }

      volume_mounts {
        name       = local.cloudsql_volume
        mount_path = "/cloudsql"
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }

  lifecycle {
    ignore_changes = [template[0].containers[0].image, client, client_version, traffic]
  }

  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_version.database_url,
    google_secret_manager_secret_version.jwt_secret,
    google_secret_manager_secret_version.cors_origins,
    google_secret_manager_secret_version.anthropic_api_key,
    google_secret_manager_secret_iam_member.readers,
    google_project_iam_member.runtime_cloudsql_client,
  ]
}

resource "google_cloud_run_v2_service" "ws" {
  name                = "chorus-ws"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  deletion_protection = false

  template {
    service_account       = google_service_account.chorus["ws"].email
    execution_environment = "EXECUTION_ENVIRONMENT_GEN2"
    # One socket is one request in flight; 1000 is Cloud Run's maximum.
    max_instance_request_concurrency = 1000
    # Cloud Run's longest request: sockets are closed after an hour and clients resume elsewhere.
    timeout = "3600s"
    # No session_affinity: a socket stays on its instance anyway, and a reconnect resumes on any replica.

    scaling {
      min_instance_count = var.ws_min_instances
      max_instance_count = var.ws_max_instances
    }

    vpc_access {
      network_interfaces {
        network    = google_compute_network.main.name
        subnetwork = google_compute_subnetwork.run.name
      }
      egress = "PRIVATE_RANGES_ONLY"
    }

    volumes {
      name = local.cloudsql_volume
      cloud_sql_instance {
        instances = [google_sql_database_instance.main.connection_name]
      }
    }

    containers {
      name  = "ws-service"
      image = local.image_ws

      ports {
        name           = "http1"
        container_port = 8080
      }

      env {
        name  = "CHORUS_DATABASE_MIGRATE"
        value = "off"
      }
      # JSON log lines inside a span link to the trace in Cloud Trace (docs/operations.md, Logs).
      env {
        name  = "CHORUS_OBSERVABILITY_GCP_PROJECT"
        value = var.project_id
      }
      env {
        name = "DATABASE_URL"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.chorus["chorus-database-url"].secret_id
            version = "latest"
          }
        }
      }
      env {
        name = "CHORUS_AUTH_JWT_SECRET"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.chorus["chorus-jwt-secret"].secret_id
            version = "latest"
          }
        }
      }
      env {
        name = "CHORUS_CORS_ORIGINS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.chorus["chorus-cors-origins"].secret_id
            version = "latest"
          }
        }
      }
      env {
        name  = "QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE"
        value = tostring(local.pool_size.ws)
      }

      resources {
        limits = {
          cpu    = "1"
          memory = "1Gi"
        }
        # CPU always allocated: polling, LISTEN, presence and pings happen between requests.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      startup_probe {
        http_get {
          path = "/q/health/ready"
          port = 8080
        }
        initial_delay_seconds = 0
        period_seconds        = 3
        timeout_seconds       = 2
        failure_threshold     = 40
      }

      liveness_probe {
        http_get {
          path = "/health"
          port = 8080
        }
        period_seconds    = 10
        timeout_seconds   = 2
        failure_threshold = 3
      }

      volume_mounts {
        name       = local.cloudsql_volume
        mount_path = "/cloudsql"
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }

  lifecycle {
    ignore_changes = [template[0].containers[0].image, client, client_version, traffic]
  }

  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_version.database_url,
    google_secret_manager_secret_version.jwt_secret,
    google_secret_manager_secret_version.cors_origins,
    google_secret_manager_secret_iam_member.readers,
    google_project_iam_member.runtime_cloudsql_client,
  ]
}

resource "google_cloud_run_v2_service" "cron" {
  name                = "chorus-cron"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = false
  # Cloud Scheduler's tokens carry this audience; cron-service checks it too (CHORUS_CRON_OIDC_AUDIENCE).
  custom_audiences = [local.cron_audience]

  template {
    service_account                  = google_service_account.chorus["cron"].email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    max_instance_request_concurrency = 1
    # Longer than the longest job (message-retention, 25 min here) and Cloud Scheduler's 30-minute deadline.
    timeout = "1800s"

    scaling {
      min_instance_count = var.cron_min_instances
      max_instance_count = var.cron_max_instances
    }

    vpc_access {
      network_interfaces {
        network    = google_compute_network.main.name
        subnetwork = google_compute_subnetwork.run.name
      }
      egress = "PRIVATE_RANGES_ONLY"
    }

    volumes {
      name = local.cloudsql_volume
      cloud_sql_instance {
        instances = [google_sql_database_instance.main.connection_name]
      }
    }

    containers {
      name  = "cron-service"
      image = local.image_cron

      ports {
        name           = "http1"
        container_port = 8080
      }

      env {
        name  = "CHORUS_DATABASE_MIGRATE"
        value = "off"
      }
      # JSON log lines inside a span link to the trace in Cloud Trace (docs/operations.md, Logs).
      env {
        name  = "CHORUS_OBSERVABILITY_GCP_PROJECT"
        value = var.project_id
      }
      env {
        name = "DATABASE_URL"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.chorus["chorus-database-url"].secret_id
            version = "latest"
          }
        }
      }
      env {
        name  = "CHORUS_CRON_OIDC_AUDIENCE"
        value = local.cron_audience
      }
      env {
        name  = "CHORUS_CRON_OIDC_ALLOWED_EMAILS"
        value = google_service_account.chorus["scheduler"].email
      }
      env {
        name  = "CHORUS_CRON_SCHEDULE_ENABLED"
        value = "false"
      }
      env {
        name  = "CHORUS_CRON_JOBS_MESSAGE_RETENTION_TIMEOUT"
        value = "25m"
      }
      env {
        name  = "QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE"
        value = tostring(local.pool_size.cron)
      }

      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        # CPU only during requests: every job runs inside its trigger's request. Must be said explicitly once
        # resources is set.
        cpu_idle          = true
        startup_cpu_boost = true
      }

      startup_probe {
        http_get {
          path = "/q/health/ready"
          port = 8080
        }
        initial_delay_seconds = 0
        period_seconds        = 3
        timeout_seconds       = 2
        failure_threshold     = 40
      }

      liveness_probe {
        http_get {
          path = "/health"
          port = 8080
        }
        period_seconds    = 10
        timeout_seconds   = 2
        failure_threshold = 3
      }

      volume_mounts {
        name       = local.cloudsql_volume
        mount_path = "/cloudsql"
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }

  lifecycle {
    ignore_changes = [template[0].containers[0].image, client, client_version, traffic]
  }

  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_version.database_url,
    google_secret_manager_secret_iam_member.readers,
    google_project_iam_member.runtime_cloudsql_client,
  ]
}

# The migration job: the api-service image with CHORUS_DATABASE_MIGRATE=only (migrate, exit 0). The release
# workflow points it at each release's image (`gcloud run jobs replace`) and runs it before deploying services.
resource "google_cloud_run_v2_job" "migrate" {
  name                = "chorus-migrate"
  location            = var.region
  deletion_protection = false

  template {
    task_count  = 1
    parallelism = 1

    template {
      service_account       = google_service_account.chorus["migrate"].email
      execution_environment = "EXECUTION_ENVIRONMENT_GEN2"
      max_retries           = 0
      timeout               = "900s"

      vpc_access {
        network_interfaces {
          network    = google_compute_network.main.name
          subnetwork = google_compute_subnetwork.run.name
        }
        egress = "PRIVATE_RANGES_ONLY"
      }

      volumes {
        name = local.cloudsql_volume
        cloud_sql_instance {
          instances = [google_sql_database_instance.main.connection_name]
        }
      }

      containers {
        name  = "migrate"
        image = local.image_api

        env {
          name  = "CHORUS_DATABASE_MIGRATE"
          value = "only"
        }
        env {
          name = "DATABASE_URL"
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.chorus["chorus-database-url"].secret_id
              version = "latest"
            }
          }
        }
        env {
          name = "CHORUS_AUTH_JWT_SECRET"
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.chorus["chorus-jwt-secret"].secret_id
              version = "latest"
            }
          }
        }

        resources {
          limits = {
            cpu    = "1"
            memory = "512Mi"
          }
        }

        volume_mounts {
          name       = local.cloudsql_volume
          mount_path = "/cloudsql"
        }
      }
    }
  }

  lifecycle {
    ignore_changes = [template[0].template[0].containers[0].image, client, client_version]
  }

  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_version.database_url,
    google_secret_manager_secret_version.jwt_secret,
    google_secret_manager_secret_iam_member.readers,
    google_project_iam_member.runtime_cloudsql_client,
  ]
}
