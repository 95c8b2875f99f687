terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.13"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # The state holds the generated database password and JWT secret: keep it in a bucket of its own, not on a
  # laptop. Create the bucket once (versioned, uniform access), then:
  #   terraform init -backend-config="bucket=<project>-tfstate" -backend-config="prefix=chorus"
  # after uncommenting this block.
  # backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}
