output "lb_ip" {
  description = "The load balancer's address: point the A record of var.domain here."
  value       = google_compute_global_address.lb.address
}

output "public_url" {
  description = "The public URL (the release workflow's PUBLIC_URL)."
  value       = "https://${var.domain}"
}

output "service_urls" {
  description = "The run.app URLs. chorus-api and chorus-ws answer there only to internal callers (ingress); chorus-cron only to Cloud Scheduler."
  value = {
    api  = google_cloud_run_v2_service.api.uri
    ws   = google_cloud_run_v2_service.ws.uri
    cron = google_cloud_run_v2_service.cron.uri
  }
}

output "cron_audience" {
  description = "The OIDC audience of Cloud Scheduler's tokens (CHORUS_CRON_OIDC_AUDIENCE)."
  value       = local.cron_audience
}

output "db_connection_name" {
  description = "The Cloud SQL instance's connection name (project:region:instance)."
  value       = google_sql_database_instance.main.connection_name
}

output "db_private_ip" {
  description = "Cloud SQL's private IP address, reachable only from the VPC chorus-vpc."
  value       = google_sql_database_instance.main.private_ip_address
}

output "registry" {
  description = "Where the images go: <registry>/<service>:<git-sha>."
  value       = local.registry
}

output "migration_job" {
  description = "The Cloud Run job that migrates the database."
  value       = google_cloud_run_v2_job.migrate.name
}

output "deployer_service_account" {
  description = "GCP_DEPLOYER_SERVICE_ACCOUNT of the release workflow's environment."
  value       = google_service_account.chorus["deployer"].email
}

output "workload_identity_provider" {
  description = "GCP_WORKLOAD_IDENTITY_PROVIDER of the release workflow's environment (empty without github_repository)."
  value       = local.github_enabled ? google_iam_workload_identity_pool_provider.github[0].name : ""
}

output "connection_budget" {
  description = "Worst-case PostgreSQL connections of all services at max instances (see main.tf), against db_max_connections."
  value       = "${local.connection_budget} of ${var.db_max_connections}"
}

output "alert_policies" {
  description = "The Cloud Monitoring alert policies by alert name (monitoring.tf)."
  value       = { for name, policy in google_monitoring_alert_policy.chorus : name => policy.name }
}
