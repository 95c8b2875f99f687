# One PostgreSQL 16 for all three services, private IP only, TLS required. Services connect over TCP with
# DATABASE_URL=postgres://chorus:<password>@<private ip>:5432/chorus?sslmode=require (secrets.tf): sslmode=require
# encrypts without checking the server certificate (as libpq does), because Cloud SQL's certificate names the
# instance, not the IP address.

resource "google_sql_database_instance" "main" {
  name             = local.db_instance
  region           = var.region
  database_version = "POSTGRES_16"

  # Terraform refuses to destroy it; deletion_protection_enabled below makes the API refuse too.
  deletion_protection = true

  settings {
    tier              = var.db_tier
    edition           = "ENTERPRISE"
    availability_type = var.db_high_availability ? "REGIONAL" : "ZONAL"
    disk_type         = "PD_SSD"
    disk_size         = var.db_disk_size_gb
    disk_autoresize   = true

    deletion_protection_enabled = true

    backup_configuration {
      enabled                        = true
      start_time                     = "02:00"
      point_in_time_recovery_enabled = true
      transaction_log_retention_days = 7

      backup_retention_settings {
        retained_backups = var.db_retained_backups
        retention_unit   = "COUNT"
      }
    }

    ip_configuration {
      ipv4_enabled    = false
      private_network = google_compute_network.main.id
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    # Sum over the services of max instances x pool size, see connection_budget in main.tf.
    database_flags {
      name  = "max_connections"
      value = tostring(var.db_max_connections)
    }

    maintenance_window {
      day          = 7
      hour         = 4
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled = true
    }
  }

  depends_on = [google_service_networking_connection.private_services]
}

resource "google_sql_database" "chorus" {
  name     = local.db_name
  instance = google_sql_database_instance.main.name
}

# URL-safe without escaping: DATABASE_URL carries it verbatim.
resource "random_password" "db" {
  length  = 32
  special = false
}

resource "google_sql_user" "chorus" {
  name     = local.db_user
  instance = google_sql_database_instance.main.name
  password = random_password.db.result
  # The user owns the schema: PostgreSQL would refuse to drop it anyway.
  deletion_policy = "ABANDON"
}
