# Cloud Scheduler triggers cron-service's jobs (cron-service/README.md) with an OIDC token of chorus-scheduler:
# Cloud Run lets it through (roles/run.invoker, audience = the service's custom audience), and cron-service checks
# signature, issuer, audience and the e-mail again.
#
# chorus-cron's ingress is "internal". Cloud Scheduler is not inside the VPC, but Cloud Run's ingress page
# (cloud.google.com/run/docs/securing/ingress) counts requests from Google Cloud products such as Cloud Scheduler,
# Cloud Tasks, Eventarc, Pub/Sub and Workflows in the same project (or VPC Service Controls perimeter) as internal,
# so Scheduler reaches the run.app URL without network setup. It does need that default URL: never disable it
# (--no-default-url) on chorus-cron. If a job reports 404/403 at the network level, check `gcloud run services
# describe chorus-cron` for the ingress and the Scheduler job's logs before opening ingress.
#
# One Scheduler job per maintenance job, at the in-process schedules of cron-service/README.md, staggered by
# minute so that few run at once (chorus-cron serves one request per instance). Each gets its own retries and its
# own failure: a job answers 500 when it fails or times out, and Scheduler retries it. A "skipped" run (another
# instance still runs that job) answers 200.

locals {
  cron_jobs = {
    "prune-presence"    = { path = "/cron/jobs/prune-presence", schedule = "*/5 * * * *", deadline = "330s" }
    "database-health"   = { path = "/cron/jobs/database-health", schedule = "2-59/5 * * * *", deadline = "330s" }
    "prune-rate-limits" = { path = "/cron/jobs/prune-rate-limits", schedule = "4-59/10 * * * *", deadline = "330s" }
    "abandoned-answers" = { path = "/cron/jobs/abandoned-answers", schedule = "3-59/5 * * * *", deadline = "330s" }
    "expire-invites"    = { path = "/cron/jobs/expire-invites", schedule = "1-59/15 * * * *", deadline = "330s" }
    "usage-rollup"      = { path = "/cron/jobs/usage-rollup", schedule = "8 * * * *", deadline = "330s" }
    "expired-sessions"  = { path = "/cron/jobs/expired-sessions", schedule = "13 * * * *", deadline = "330s" }
    # Capped at 25 min in chorus-cron (CHORUS_CRON_JOBS_MESSAGE_RETENTION_TIMEOUT); 30 min is Scheduler's maximum.
    "message-retention" = { path = "/cron/jobs/message-retention", schedule = "33 3 * * *", deadline = "1800s" }
    # A daily sweep of every job in turn: a safety net, and the one to run by hand
    # (gcloud scheduler jobs run chorus-cron-maintenance). Repeating a job is harmless: each is idempotent and
    # single-flight. It answers 207 (a success for Scheduler, so no retry) when some job failed; the per-job
    # schedules above are the ones that retry.
    "maintenance" = { path = "/cron/maintenance", schedule = "17 4 * * *", deadline = "1800s" }
  }
}

resource "google_cloud_scheduler_job" "cron" {
  for_each = local.cron_jobs

  name             = "chorus-cron-${each.key}"
  description      = "POST ${each.value.path} on chorus-cron"
  region           = var.region
  schedule         = each.value.schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = each.value.deadline

  retry_config {
    retry_count          = 2
    min_backoff_duration = "30s"
    max_backoff_duration = "120s"
    max_doublings        = 2
  }

  http_target {
    http_method = "POST"
    uri         = "${google_cloud_run_v2_service.cron.uri}${each.value.path}"

    oidc_token {
      service_account_email = google_service_account.chorus["scheduler"].email
      audience              = local.cron_audience
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_cloud_run_v2_service_iam_member.cron_scheduler,
  ]
}
