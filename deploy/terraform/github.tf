# Workload Identity Federation for GitHub Actions (.github/workflows/release.yml and rollback.yml): the deploy jobs
# exchange their OIDC token for the deployer service account, with no JSON key anywhere. Set the workflow's
# environment variables GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_DEPLOYER_SERVICE_ACCOUNT from the outputs
# workload_identity_provider and deployer_service_account.

locals {
  github_enabled = var.github_repository != ""
  github_condition = join(" && ", compact([
    "assertion.repository == \"${var.github_repository}\"",
    var.github_environment == "" ? "" : "assertion.environment == \"${var.github_environment}\"",
  ]))
}

resource "google_iam_workload_identity_pool" "github" {
  count = local.github_enabled ? 1 : 0

  workload_identity_pool_id = "github"
  display_name              = "GitHub Actions"

  depends_on = [google_project_service.enabled]
}

resource "google_iam_workload_identity_pool_provider" "github" {
  count = local.github_enabled ? 1 : 0

  workload_identity_pool_id          = google_iam_workload_identity_pool.github[0].workload_identity_pool_id
  workload_identity_pool_provider_id = "github-actions"
  display_name                       = "GitHub Actions OIDC"

  attribute_mapping = {
    "google.subject"         = "assertion.sub"
    "attribute.repository"   = "assertion.repository"
    "attribute.environment"  = "assertion.environment"
    "attribute.ref"          = "assertion.ref"
    "attribute.workflow_ref" = "assertion.job_workflow_ref"
  }
  # Only this repository's workflows (and, if set, only jobs of that GitHub environment) get tokens at all.
  attribute_condition = local.github_condition

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account_iam_member" "deployer_from_github" {
  count = local.github_enabled ? 1 : 0

  service_account_id = google_service_account.chorus["deployer"].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github[0].name}/attribute.repository/${var.github_repository}"
}
