"""Terraform: HCL modules and `terraform show -json` plans."""
