# Values for the production account: give them with --tf-vars (terraform -var-file).
namespace         = "reports"
service_account   = "*"
oidc_provider_arn = "arn:aws:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/9D8C7B6A5F4E3D2C1B0A9F8E7D6C5B4A"
