# The external HTTPS load balancer (global, EXTERNAL_MANAGED) in front of chorus-api and chorus-ws:
#   https://<domain>/api, /api/*  -> chorus-api
#   https://<domain>/ws           -> chorus-ws (WebSocket upgrades pass through; nothing to switch on)
#   https://<domain>/q, /q/*      -> redirected to / (keeps Quarkus' metrics, health and OpenAPI off the public side)
#   anything else on <domain>     -> chorus-api (answers 404 problem+json)
#   any other host (the bare IP)  -> redirected to https://<domain>
#   http://...                    -> redirected to https://
# chorus-cron is never behind it.
#
# The web chat page (web/) is not served here. To serve it on the same origin (it calls /api and /ws relative to
# the page), upload web/ to a bucket, add a google_compute_backend_bucket and make it the path matcher's
# default_service; the /q rule keeps working.
#
# Timeouts: a backend service whose backend is a serverless NEG does not use timeout_sec, so none is set; the Cloud
# Run service's request timeout governs instead: 3600 s for chorus-ws, so a socket lives up to an hour.

resource "google_compute_global_address" "lb" {
  name = "chorus-lb"

  depends_on = [google_project_service.enabled]
}

resource "google_compute_region_network_endpoint_group" "api" {
  name                  = "chorus-api-neg"
  region                = var.region
  network_endpoint_type = "SERVERLESS"

  cloud_run {
    service = google_cloud_run_v2_service.api.name
  }
}

resource "google_compute_region_network_endpoint_group" "ws" {
  name                  = "chorus-ws-neg"
  region                = var.region
  network_endpoint_type = "SERVERLESS"

  cloud_run {
    service = google_cloud_run_v2_service.ws.name
  }
}

resource "google_compute_backend_service" "api" {
  name                  = "chorus-api"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"

  backend {
    group = google_compute_region_network_endpoint_group.api.id
  }

  log_config {
    enable      = true
    sample_rate = 1
  }
}

resource "google_compute_backend_service" "ws" {
  name                  = "chorus-ws"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"

  backend {
    group = google_compute_region_network_endpoint_group.ws.id
  }

  log_config {
    enable      = true
    sample_rate = 1
  }
}

resource "google_compute_url_map" "https" {
  name = "chorus-https"

  # Requests for any other host (scanners hitting the IP) go to the real name.
  default_url_redirect {
    host_redirect          = var.domain
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }

  host_rule {
    hosts        = [var.domain]
    path_matcher = "chorus"
  }

  path_matcher {
    name            = "chorus"
    default_service = google_compute_backend_service.api.id

    path_rule {
      paths   = ["/api", "/api/*"]
      service = google_compute_backend_service.api.id
    }

    path_rule {
      paths   = ["/ws"]
      service = google_compute_backend_service.ws.id
    }

    path_rule {
      paths = ["/q", "/q/*"]
      url_redirect {
        path_redirect          = "/"
        redirect_response_code = "FOUND"
        strip_query            = true
      }
    }
  }
}

# Google-managed certificate. It turns ACTIVE only once <domain> resolves to the lb_ip output (15-60 minutes after
# the DNS change). The name follows the domain, and a new certificate is created before the old one is dropped.
resource "google_compute_managed_ssl_certificate" "main" {
  name = "chorus-${substr(sha1(var.domain), 0, 10)}"

  managed {
    domains = [var.domain]
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [google_project_service.enabled]
}

resource "google_compute_ssl_policy" "main" {
  name            = "chorus-tls"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"

  depends_on = [google_project_service.enabled]
}

resource "google_compute_target_https_proxy" "main" {
  name             = "chorus-https"
  url_map          = google_compute_url_map.https.id
  ssl_certificates = [google_compute_managed_ssl_certificate.main.id]
  ssl_policy       = google_compute_ssl_policy.main.id
}

resource "google_compute_global_forwarding_rule" "https" {
  name                  = "chorus-https"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  port_range            = "443"
  ip_address            = google_compute_global_address.lb.address
  target                = google_compute_target_https_proxy.main.id
}

# Port 80: every request is redirected to https.
resource "google_compute_url_map" "http_redirect" {
  name = "chorus-http-redirect"

  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }

  depends_on = [google_project_service.enabled]
}

resource "google_compute_target_http_proxy" "redirect" {
  name    = "chorus-http-redirect"
  url_map = google_compute_url_map.http_redirect.id
}

resource "google_compute_global_forwarding_rule" "http" {
  name                  = "chorus-http-redirect"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  port_range            = "80"
  ip_address            = google_compute_global_address.lb.address
  target                = google_compute_target_http_proxy.redirect.id
}
