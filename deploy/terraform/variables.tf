variable "project_id" {
  description = "The Google Cloud project of this environment (one project per environment: staging, production)."
  type        = string
}

variable "region" {
  description = "Region of Cloud Run, Cloud SQL, Artifact Registry, Cloud Scheduler and the serverless NEGs."
  type        = string
  default     = "europe-west1"
}

variable "domain" {
  description = "The public host name served by the load balancer, e.g. chat.example.com (its A record points at the lb_ip output)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", var.domain)) && strcontains(var.domain, ".")
    error_message = "domain must be a host name such as chat.example.com, without scheme or path."
  }
}

variable "extra_cors_origins" {
  description = "Browser origins allowed besides https://<domain> (CHORUS_CORS_ORIGINS of api-service and ws-service)."
  type        = list(string)
  default     = []
}

variable "image_tag" {
  description = <<-EOT
    The git SHA whose images Terraform puts in the Cloud Run services and the migration job when it CREATES them.
    Empty: a public placeholder image (bootstrap_image), for the first apply before any image is pushed. Terraform
    ignores later image changes: the release workflow deploys images (see lifecycle.ignore_changes).
  EOT
  type        = string
  default     = ""

  validation {
    condition     = var.image_tag == "" || can(regex("^[0-9a-f]{7,40}$", var.image_tag))
    error_message = "image_tag must be empty or a git commit SHA."
  }
}

variable "bootstrap_image" {
  description = "Image the services start with when image_tag is empty. Google's sample answers 200 on every path, so the probes pass."
  type        = string
  default     = "us-docker.pkg.dev/cloudrun/container/hello"
}

# Scaling. The same numbers are written in deploy/cloudrun/*.yaml, which every release applies: change both.
variable "api_min_instances" {
  description = "chorus-api minimum instances (autoscaling.knative.dev/minScale in chorus-api.yaml)."
  type        = number
  default     = 1
}

variable "api_max_instances" {
  description = "chorus-api maximum instances (maxScale in chorus-api.yaml)."
  type        = number
  default     = 10
}

variable "ws_min_instances" {
  description = "chorus-ws minimum instances (minScale in chorus-ws.yaml)."
  type        = number
  default     = 1
}

variable "ws_max_instances" {
  description = "chorus-ws maximum instances (maxScale in chorus-ws.yaml); x 1000 sockets each."
  type        = number
  default     = 10
}

variable "cron_min_instances" {
  description = "chorus-cron minimum instances (minScale in chorus-cron.yaml)."
  type        = number
  default     = 0
}

variable "cron_max_instances" {
  description = "chorus-cron maximum instances (maxScale in chorus-cron.yaml)."
  type        = number
  default     = 3
}

# Database.
variable "db_tier" {
  description = "Cloud SQL machine type (Enterprise edition), e.g. db-custom-2-7680 (2 vCPU, 7.5 GB)."
  type        = string
  default     = "db-custom-2-7680"
}

variable "db_high_availability" {
  description = "REGIONAL (a standby in another zone, automatic failover) instead of ZONAL."
  type        = bool
  default     = true
}

variable "db_disk_size_gb" {
  description = "Initial SSD size; it grows automatically."
  type        = number
  default     = 20
}

variable "db_max_connections" {
  description = "PostgreSQL max_connections (changing it restarts the instance). Must cover the connection budget, see locals."
  type        = number
  default     = 800
}

variable "db_retained_backups" {
  description = "Automated daily backups kept."
  type        = number
  default     = 14
}

# Secrets.
variable "anthropic_api_key" {
  description = <<-EOT
    Optional. The Anthropic API key stored as chorus-anthropic-api-key. Empty: the secret gets the value "unset"
    (api-service starts, assistant answers fail with Anthropic's authentication error); add the real key later with
    `gcloud secrets versions add chorus-anthropic-api-key --data-file=-`, which also keeps it out of the state.
  EOT
  type        = string
  default     = ""
  sensitive   = true
}

# Deployments from GitHub Actions.
variable "github_repository" {
  description = "owner/name of the repository whose workflows may deploy (Workload Identity Federation). Empty: no pool."
  type        = string
  default     = ""
}

variable "github_environment" {
  description = "If set, only jobs of this GitHub environment (staging, production) may impersonate the deployer."
  type        = string
  default     = ""
}

variable "run_subnet_cidr" {
  description = "Subnet for Cloud Run's Direct VPC egress (two addresses per instance at peak; /20 leaves room)."
  type        = string
  default     = "10.8.0.0/20"
}

# Monitoring (monitoring.tf).
variable "alert_email" {
  description = "Optional. Where alert notifications are e-mailed. Empty: the alert policies still exist and open incidents in the console, but notify nobody."
  type        = string
  default     = ""

  validation {
    condition     = var.alert_email == "" || can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", var.alert_email))
    error_message = "alert_email must be empty or one e-mail address."
  }
}

variable "gmp_sidecar_enabled" {
  description = <<-EOT
    Set true once chorus-api and chorus-ws run the Managed Service for Prometheus sidecar (docs/operations.md,
    "Metrics in Cloud Monitoring"): creates the alert policies on the services' own metrics (WebSocket closes, database
    pool, AI provider errors, LISTEN reconnects, slow consumers, target down). Before that they would see no data, and
    ChorusTargetDown would fire.
  EOT
  type        = bool
  default     = false
}

variable "db_has_read_replicas" {
  description = "Set true once chorus-db has read replicas (none is defined here): creates ChorusReplicationLag on their replica_lag."
  type        = bool
  default     = false
}

variable "runbook_url" {
  description = "The operations guide; each alert's notification links to <runbook_url>#<alert name in lower case>."
  type        = string
  default     = "https://github.com/chorus/chorus/blob/main/docs/operations.md"
}
