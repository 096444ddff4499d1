locals {
  oidc_provider_arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/A1B2C3D4E5F6"
  apps = {
    billing = { namespace = "billing", service_accounts = ["api", "worker"] }
    search  = { namespace = "search", service_accounts = ["*"] }
  }
}

module "irsa" {
  source   = "./modules/irsa"
  for_each = local.apps

  name              = "${each.key}-irsa"
  namespace         = each.value.namespace
  service_accounts  = each.value.service_accounts
  oidc_provider_arn = local.oidc_provider_arn
}

output "role_arns" {
  value = { for k, m in module.irsa : k => m.arn }
}
