# The VPC exists for one thing: Cloud Run reaching Cloud SQL's private IP. Cloud Run instances join the subnet
# through Direct VPC egress (no connector VMs) with egress PRIVATE_RANGES_ONLY: private addresses (Cloud SQL)
# through the VPC, public ones (api.anthropic.com, Google's token keys) straight out, so no Cloud NAT is needed.

resource "google_compute_network" "main" {
  name                    = local.network_name
  auto_create_subnetworks = false

  depends_on = [google_project_service.enabled]
}

resource "google_compute_subnetwork" "run" {
  name                     = local.subnet_name
  region                   = var.region
  network                  = google_compute_network.main.id
  ip_cidr_range            = var.run_subnet_cidr
  private_ip_google_access = true
}

# Private services access: a range Google peers into the VPC for Cloud SQL's private IP.
resource "google_compute_global_address" "private_services" {
  name          = "chorus-private-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 16
  network       = google_compute_network.main.id
}

resource "google_service_networking_connection" "private_services" {
  network                 = google_compute_network.main.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services.name]
  # Removing the peering while Cloud SQL still uses it fails; leave it to be deleted with the network.
  deletion_policy = "ABANDON"
}
