# Alerting in Google Cloud Monitoring: the alerts of the Prometheus rules in deploy/monitoring/prometheus/alerts.yml,
# with their names, thresholds and windows, each with a runbook section in docs/operations.md whose anchor is the name
# in lower case (every notification links to it).
#
# Every condition is PromQL (condition_prometheus_query_language), over three kinds of metrics:
#   - Google's own: Cloud Run (run_googleapis_com:request_count, :request_latencies) and Cloud SQL
#     (cloudsql_googleapis_com:database_...), there from the start;
#   - a log-based metric (google_logging_metric below) over chorus-cron's request logs;
#   - the services' own metrics (GET /q/metrics, the names of the metrics contract, unchanged in PromQL), which reach
#     Cloud Monitoring only through Google Cloud Managed Service for Prometheus: the run-gmp-sidecar container next
#     to api-service and ws-service (docs/operations.md, "Metrics in Cloud Monitoring"). Those policies exist only
#     with gmp_sidecar_enabled = true: set it once the sidecar runs, or ChorusTargetDown would fire at once.
# MQL is deprecated, so there is none; ratio thresholds (denominator_filter) would do for the Cloud Run error rate but
# not for the rest, so PromQL everywhere.
#
# Notifications go to alert_email when it is set. Without it the policies still exist and open incidents in the
# console (Monitoring → Alerting), but nobody is told.
#
# Not alerted here, by design:
#   - latency of chorus-ws: each request is a WebSocket that lives up to an hour, so its "latency" is the socket's
#     lifetime; ChorusWebSocketDisconnectSpike watches the sockets instead;
#   - latency of chorus-cron: a job's request lasts as long as the job (message-retention up to 25 minutes);
#   - the error rate of chorus-cron: its 5xx are failed jobs, which ChorusMaintenanceJobFailing counts per job.

locals {
  # Selectors. Cloud Run and Cloud SQL metrics carry their monitored resource's labels; metrics written by the GMP
  # sidecar carry cluster="__run__" and namespace=<Cloud Run service>, whatever the scrape job is called.
  run_selector = "monitored_resource=\"cloud_run_revision\""
  sql_selector = "monitored_resource=\"cloudsql_database\",database_id=\"${var.project_id}:${local.db_instance}\""
  gmp_api      = "cluster=\"__run__\",namespace=\"chorus-api\""
  gmp_ws       = "cluster=\"__run__\",namespace=\"chorus-ws\""
  gmp_services = "cluster=\"__run__\",namespace=~\"chorus-api|chorus-ws\""

  # The database pool series of the metrics contract. The sql_pool_* names are provisional: rename them here only.
  pool_active  = "sum by (namespace, instance) (sql_pool_active{${local.gmp_services}})"
  pool_maximum = "max by (namespace, instance) (chorus_db_pool_max_size{${local.gmp_services}})"
  pool_waiting = "sum by (namespace, instance) (sql_pool_queue_size{${local.gmp_services}})"

  # ws-service's rates over all its instances. Abnormal closes are those other than 1000 (normal) and 1001 (going
  # away: every deploy's drain, and browsers leaving a page).
  ws_abnormal_closes = "sum(rate(chorus_ws_disconnects_total{${local.gmp_ws},code!~\"1000|1001\"}[5m]))"
  ws_slow_consumers  = "sum(rate(chorus_ws_slow_consumer_disconnects_total{${local.gmp_ws}}[5m]))"

  # chorus-cron's requests, counted from its request logs by job and HTTP status (google_logging_metric below).
  cron_metric_name = "chorus_cron_requests"
  cron_requests    = "logging_googleapis_com:user_${local.cron_metric_name}"
  cron_selector    = "${local.run_selector},service_name=\"chorus-cron\""
  # The window of ChorusMaintenanceJobFailing per job: at least two scheduled runs plus slack (scheduler.tf), the same
  # windows as the Prometheus rule. A failed run is retried twice by Cloud Scheduler, and every attempt counts.
  cron_windows = {
    "35m"   = "cron_job!~\"usage-rollup|expired-sessions|message-retention|maintenance\""
    "2h15m" = "cron_job=~\"usage-rollup|expired-sessions\""
    "25h"   = "cron_job=~\"message-retention|maintenance\""
  }

  # Requests of chorus-api and chorus-ws. Like the Prometheus rule, the error rate counts only while a service gets
  # more than 1 request per second.
  run_requests = "run_googleapis_com:request_count{${local.run_selector},service_name=~\"chorus-api|chorus-ws\"}"

  # Every policy: severity (CRITICAL where the Prometheus rule pages, WARNING where it opens a ticket), what it means
  # (the top of the notification), and its conditions (OR). A condition that is not enabled is left out, and a policy
  # with none left is not created.
  alert_definitions = {
    ChorusHighErrorRate = {
      severity = "CRITICAL"
      summary  = "More than 1% of the requests to chorus-api or chorus-ws answered 5xx over 5 minutes, for 5 minutes, while the service got more than 1 request/s. The incident names the service."
      conditions = [{
        name     = "5xx above 1% of requests, per Cloud Run service"
        enabled  = true
        duration = "300s"
        # chorus-ws: a socket that Cloud Run cuts at its 3600 s request timeout may be logged as 504 rather than as a
        # failure of the upgrade, so 504 does not count there.
        query = <<-EOT
          (
            sum by (service_name) (
              rate(run_googleapis_com:request_count{${local.run_selector},service_name="chorus-api",response_code_class="5xx"}[5m])
              or
              rate(run_googleapis_com:request_count{${local.run_selector},service_name="chorus-ws",response_code_class="5xx",response_code!="504"}[5m])
            )
            /
            sum by (service_name) (rate(${local.run_requests}[5m]))
          ) > 0.01
          and on (service_name)
          sum by (service_name) (rate(${local.run_requests}[5m])) > 1
        EOT
      }]
    }

    ChorusHighLatency = {
      severity = "CRITICAL"
      summary  = "The 95th percentile of chorus-api's request latency, as Cloud Run measures it, is above 2 s over 5 minutes, for 10 minutes. chorus-ws (hour-long sockets) and chorus-cron (long jobs) are not measured."
      conditions = [{
        name     = "chorus-api p95 latency above 2 s"
        enabled  = true
        duration = "600s"
        # request_latencies is in milliseconds.
        query = <<-EOT
          histogram_quantile(0.95,
            sum by (le) (rate(run_googleapis_com:request_latencies_bucket{${local.run_selector},service_name="chorus-api"}[5m]))
          ) > 2000
        EOT
      }]
    }

    ChorusWebSocketDisconnectSpike = {
      severity = "CRITICAL"
      summary  = "chorus-ws closes sockets abnormally (codes other than 1000 and 1001) at more than 5/s, and more than 3 times the rate of an hour ago, for 5 minutes. Needs the GMP sidecar."
      conditions = [{
        name     = "abnormal WebSocket closes above 5/s and 3x an hour ago"
        enabled  = var.gmp_sidecar_enabled
        duration = "300s"
        query    = <<-EOT
          ${local.ws_abnormal_closes} > 5
          and
          (
            ${local.ws_abnormal_closes} > 3 * ${replace(local.ws_abnormal_closes, "[5m]", "[5m] offset 1h")}
            or
            (${local.ws_abnormal_closes} unless ${replace(local.ws_abnormal_closes, "[5m]", "[5m] offset 1h")})
          )
        EOT
      }]
    }

    ChorusDatabasePoolSaturated = {
      severity = "WARNING"
      summary  = "An api-service or ws-service instance has had 80% or more of its database pool in use for 5 minutes, or PostgreSQL has served 80% or more of max_connections (${var.db_max_connections}) for 5 minutes."
      conditions = [
        {
          name     = "pool in use at 80% of its maximum, per instance"
          enabled  = var.gmp_sidecar_enabled
          duration = "300s"
          query    = "${local.pool_active} / on (namespace, instance) ${local.pool_maximum} >= 0.8"
        },
        {
          name     = "PostgreSQL backends at 80% of max_connections"
          enabled  = true
          duration = "300s"
          query    = "sum by (database_id) (cloudsql_googleapis_com:database_postgresql_num_backends{${local.sql_selector}}) >= ${floor(var.db_max_connections * 0.8)}"
        },
      ]
    }

    ChorusDatabasePoolWaiting = {
      severity = "WARNING"
      summary  = "Queries on an api-service or ws-service instance have been waiting for a free pool connection for 5 minutes: its pool is exhausted. Needs the GMP sidecar."
      conditions = [{
        name     = "requests queued for a pool connection, per instance"
        enabled  = var.gmp_sidecar_enabled
        duration = "300s"
        query    = "${local.pool_waiting} > 0"
      }]
    }

    ChorusReplicationLag = {
      severity = "WARNING"
      summary  = "A Cloud SQL read replica in this project has been more than 10 s behind its primary for 10 minutes."
      conditions = [{
        name     = "replica lag above 10 s"
        enabled  = var.db_has_read_replicas
        duration = "600s"
        # Replicas report replica_lag; the primary and its high-availability standby do not.
        query = "max by (database_id) (cloudsql_googleapis_com:database_replication_replica_lag{monitored_resource=\"cloudsql_database\",database_id=~\"${var.project_id}:.+\"}) > 10"
      }]
    }

    ChorusDiskAlmostFull = {
      severity = "WARNING"
      summary  = "chorus-db's disk has been 80% full or more for 15 minutes. Automatic storage increase is on, so it cannot keep up, or the growth is unusual."
      conditions = [{
        name     = "Cloud SQL disk utilization at 80%"
        enabled  = true
        duration = "900s"
        query    = "max by (database_id) (cloudsql_googleapis_com:database_disk_utilization{${local.sql_selector}}) >= 0.8"
      }]
    }

    ChorusAiProviderErrors = {
      severity = "CRITICAL"
      summary  = "api-service's calls to the AI provider have failed at more than 0.1/s for 10 minutes (server errors, connection failures, API errors such as a revoked key, timeouts; retried calls count; rate limits and overload do not). Needs the GMP sidecar."
      conditions = [{
        name     = "AI provider errors above 0.1/s (not rate limits or overload)"
        enabled  = var.gmp_sidecar_enabled
        duration = "600s"
        query    = "sum(rate(chorus_ai_provider_errors_total{${local.gmp_api},reason!~\"rate_limited|overloaded\"}[5m])) > 0.1"
      }]
    }

    ChorusAiProviderRateLimited = {
      severity = "WARNING"
      summary  = "The AI provider has answered api-service with rate limits (429) or overload (529, overloaded_error) for 10 minutes. Needs the GMP sidecar."
      conditions = [{
        name     = "AI provider rate limits or overload"
        enabled  = var.gmp_sidecar_enabled
        duration = "600s"
        query    = "sum(rate(chorus_ai_provider_errors_total{${local.gmp_api},reason=~\"rate_limited|overloaded\"}[5m])) > 0"
      }]
    }

    ChorusMaintenanceJobFailing = {
      severity = "WARNING"
      summary  = "A maintenance job of chorus-cron failed at least twice, and never succeeded, within its window (35 minutes for the jobs every 5-15 minutes, 2h15m for the hourly ones, 25 h for the daily ones). Counted from chorus-cron's request logs: any answer but 2xx."
      conditions = [{
        name     = "cron job failed twice in a row"
        enabled  = true
        duration = "300s"
        # A failure is any answer but 2xx: 500 from a failed or timed-out job, and also 401/403 (a trigger that is no
        # longer accepted) or 429/503 from Cloud Run. /cron/maintenance answers 207 (a 2xx) when some job failed:
        # the jobs' own schedules catch those.
        query = join("\nor\n", [
          for window, jobs in local.cron_windows : trimspace(<<-EOT
            (
              sum by (cron_job) (increase(${local.cron_requests}{${local.cron_selector},${jobs},status!~"2.."}[${window}])) >= 2
              unless on (cron_job)
              sum by (cron_job) (increase(${local.cron_requests}{${local.cron_selector},${jobs},status=~"2.."}[${window}])) > 0
            )
          EOT
          )
        ])
      }]
    }

    ChorusTargetDown = {
      severity = "CRITICAL"
      summary  = "No instance of chorus-api or chorus-ws (each keeps at least one) has delivered metrics for 10 minutes: the service is down, or its GMP sidecar is. Needs the GMP sidecar."
      conditions = [{
        name     = "no metrics from chorus-api or chorus-ws for 10 min"
        enabled  = var.gmp_sidecar_enabled
        duration = "0s"
        query    = <<-EOT
          absent_over_time(process_uptime_seconds{${local.gmp_api}}[10m])
          or
          absent_over_time(process_uptime_seconds{${local.gmp_ws}}[10m])
        EOT
      }]
    }

    ChorusListenReconnects = {
      severity = "WARNING"
      summary  = "A ws-service instance has re-established its LISTEN connection 3 times or more in 30 minutes: live delivery falls back to polling each time. Needs the GMP sidecar."
      conditions = [{
        name     = "LISTEN reconnects, 3 in 30 min, per instance"
        enabled  = var.gmp_sidecar_enabled
        duration = "300s"
        query    = "sum by (instance) (increase(chorus_ws_listen_reconnects_total{${local.gmp_ws}}[30m])) >= 3"
      }]
    }

    ChorusSlowConsumers = {
      severity = "WARNING"
      summary  = "chorus-ws has closed slow consumers (close code 4008) at more than 0.5/s, and more than 3 times the rate of an hour ago, for 10 minutes. Needs the GMP sidecar."
      conditions = [{
        name     = "slow-consumer closes above 0.5/s and 3x an hour ago"
        enabled  = var.gmp_sidecar_enabled
        duration = "600s"
        query    = <<-EOT
          ${local.ws_slow_consumers} > 0.5
          and
          (
            ${local.ws_slow_consumers} > 3 * ${replace(local.ws_slow_consumers, "[5m]", "[5m] offset 1h")}
            or
            (${local.ws_slow_consumers} unless ${replace(local.ws_slow_consumers, "[5m]", "[5m] offset 1h")})
          )
        EOT
      }]
    }
  }

  alert_policies = {
    for name, policy in local.alert_definitions : name => merge(policy, {
      conditions = [for condition in policy.conditions : condition if condition.enabled]
    }) if anytrue([for condition in policy.conditions : condition.enabled])
  }
}

resource "google_project_service" "monitoring" {
  for_each = toset(["monitoring.googleapis.com", "logging.googleapis.com"])

  service            = each.value
  disable_on_destroy = false
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email == "" ? 0 : 1

  display_name = "Chorus alerts (${var.alert_email})"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.monitoring]
}

# chorus-cron's requests from Cloud Scheduler (POST /cron/jobs/<job>, POST /cron/maintenance), by job and HTTP
# status, from Cloud Run's request log. The job's own metric (chorus_cron_job_runs_total) is not used here: chorus-cron
# scales to zero and has CPU only during requests, so no sidecar could scrape it reliably.
resource "google_logging_metric" "cron_requests" {
  name        = local.cron_metric_name
  description = "Requests to chorus-cron's job endpoints, by job and HTTP status (ChorusMaintenanceJobFailing)."
  filter      = <<-EOT
    resource.type="cloud_run_revision"
    resource.labels.service_name="chorus-cron"
    log_name="projects/${var.project_id}/logs/run.googleapis.com%2Frequests"
    httpRequest.requestMethod="POST"
    httpRequest.requestUrl:"/cron/"
  EOT

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "chorus-cron job requests"

    labels {
      key         = "cron_job"
      value_type  = "STRING"
      description = "The job (the last path segment: prune-presence, ..., maintenance)."
    }
    labels {
      key         = "status"
      value_type  = "STRING"
      description = "The HTTP status chorus-cron (or Cloud Run in front of it) answered."
    }
  }

  label_extractors = {
    cron_job = "REGEXP_EXTRACT(httpRequest.requestUrl, \"/cron/(?:jobs/)?([a-z0-9-]+)\")"
    status   = "EXTRACT(httpRequest.status)"
  }

  depends_on = [google_project_service.monitoring]
}

resource "google_monitoring_alert_policy" "chorus" {
  for_each = local.alert_policies

  display_name          = each.key
  combiner              = "OR"
  severity              = each.value.severity
  notification_channels = google_monitoring_notification_channel.email[*].id

  dynamic "conditions" {
    for_each = each.value.conditions

    content {
      display_name = conditions.value.name

      condition_prometheus_query_language {
        query               = trimspace(conditions.value.query)
        duration            = conditions.value.duration
        evaluation_interval = "60s"
        # Metrics that do not exist yet (the log-based one before its first point, the services' own before the
        # sidecar first writes them) would otherwise be refused when the policy is created.
        disable_metric_validation = true
      }
    }
  }

  documentation {
    content   = "${each.value.summary}\n\nRunbook: ${var.runbook_url}#${lower(each.key)}"
    mime_type = "text/markdown"
  }

  # Close an incident whose series stopped reporting (an instance that went away) after 30 minutes.
  alert_strategy {
    auto_close = "1800s"
  }

  user_labels = {
    app      = "chorus"
    severity = lower(each.value.severity)
  }

  depends_on = [
    google_project_service.monitoring,
    google_logging_metric.cron_requests,
  ]
}

# Managed Service for Prometheus on Cloud Run: what the run-gmp-sidecar container in chorus-api and chorus-ws needs,
# created ahead so that adding the sidecar is a change to deploy/cloudrun/*.yaml and services.tf only (see
# docs/operations.md). The runtime accounts may write metrics, and each service's scrape configuration (a
# RunMonitoring resource, mounted at /etc/rungmp/config.yaml) is a secret. Its name becomes the "job" label, the same
# as in deploy/monitoring/prometheus/prometheus.yml.
locals {
  gmp_targets = {
    api = "api-service"
    ws  = "ws-service"
  }
}

resource "google_project_iam_member" "runtime_metric_writer" {
  for_each = local.gmp_targets

  project = var.project_id
  role    = "roles/monitoring.metricWriter"
  member  = google_service_account.chorus[each.key].member
}

resource "google_secret_manager_secret" "gmp_config" {
  for_each = local.gmp_targets

  secret_id = "chorus-gmp-${each.key}"
  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

resource "google_secret_manager_secret_version" "gmp_config" {
  for_each = local.gmp_targets

  secret = google_secret_manager_secret.gmp_config[each.key].id
  secret_data = yamlencode({
    apiVersion = "monitoring.googleapis.com/v1beta"
    kind       = "RunMonitoring"
    metadata = {
      name = each.value
    }
    spec = {
      endpoints = [{
        port     = "8080"
        path     = "/q/metrics"
        interval = "30s"
      }]
    }
  })
}

resource "google_secret_manager_secret_iam_member" "gmp_config" {
  for_each = local.gmp_targets

  secret_id = google_secret_manager_secret.gmp_config[each.key].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.chorus[each.key].member
}
