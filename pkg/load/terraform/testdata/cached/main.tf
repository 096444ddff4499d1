# A registry module that terraform init has downloaded into .terraform/modules: its real source
# is evaluated, not irsa-audit's rewrite.
module "irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "5.39.0"

  role_name = "cached"
  oidc_providers = {
    main = {
      provider_arn               = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/CACHED"
      namespace_service_accounts = ["cache:reader"]
    }
  }
}
