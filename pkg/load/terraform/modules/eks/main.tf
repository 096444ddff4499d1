# A rewrite for irsa-audit of terraform-aws-modules/eks/aws (v19-v20): the cluster and, with
# enable_irsa (the default), the IAM OIDC provider of its issuer, with the outputs IRSA roles
# are built from. Node groups, add-ons, access entries and the cluster's own roles are not
# modelled.

variable "create" { default = true }
variable "cluster_name" { default = "" }
variable "enable_irsa" { default = true }
variable "openid_connect_audiences" { default = [] }
variable "custom_oidc_thumbprints" { default = [] }
variable "tags" { default = {} }

resource "aws_eks_cluster" "this" {
  count = var.create ? 1 : 0
  name  = var.cluster_name
}

resource "aws_iam_openid_connect_provider" "oidc_provider" {
  count = var.create && var.enable_irsa ? 1 : 0

  client_id_list  = distinct(compact(concat(["sts.amazonaws.com"], var.openid_connect_audiences)))
  thumbprint_list = var.custom_oidc_thumbprints
  url             = aws_eks_cluster.this[0].identity[0].oidc[0].issuer
}

output "cluster_name" { value = try(aws_eks_cluster.this[0].name, "") }
output "cluster_arn" { value = try(aws_eks_cluster.this[0].arn, null) }
output "cluster_id" { value = try(aws_eks_cluster.this[0].id, null) }
output "cluster_oidc_issuer_url" { value = try(aws_eks_cluster.this[0].identity[0].oidc[0].issuer, null) }
output "oidc_provider" { value = try(replace(aws_eks_cluster.this[0].identity[0].oidc[0].issuer, "https://", ""), null) }
output "oidc_provider_arn" { value = try(aws_iam_openid_connect_provider.oidc_provider[0].arn, null) }
