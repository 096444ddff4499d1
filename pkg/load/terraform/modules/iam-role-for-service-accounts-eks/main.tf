# A rewrite for irsa-audit of terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks
# (v5): the role, its trust policy (one statement per OIDC provider, "sub" from
# namespace_service_accounts and "aud" sts.amazonaws.com, with assume_role_condition_test) and
# the role_policy_arns attachments. The attach_*_policy inputs create policies that are not
# modelled here.

variable "create_role" { default = true }
variable "role_name" { default = null }
variable "role_name_prefix" { default = null }
variable "role_path" { default = "/" }
variable "role_permissions_boundary_arn" { default = null }
variable "role_description" { default = null }
variable "max_session_duration" { default = null }
variable "force_detach_policies" { default = true }
variable "tags" { default = {} }
variable "oidc_providers" { default = {} }
variable "assume_role_condition_test" { default = "StringEquals" }
variable "role_policy_arns" { default = {} }
variable "allow_self_assume_role" { default = false }
variable "policy_name_prefix" { default = "AmazonEKS_" }

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id          = data.aws_caller_identity.current.account_id
  partition           = data.aws_partition.current.partition
  role_name_condition = var.role_name != null ? var.role_name : "${var.role_name_prefix}*"
}

data "aws_iam_policy_document" "this" {
  count = var.create_role ? 1 : 0

  dynamic "statement" {
    for_each = var.allow_self_assume_role ? [1] : []
    content {
      sid     = "ExplicitSelfRoleAssumption"
      effect  = "Allow"
      actions = ["sts:AssumeRole"]
      principals {
        type        = "AWS"
        identifiers = ["*"]
      }
      condition {
        test     = "ArnLike"
        variable = "aws:PrincipalArn"
        values   = ["arn:${local.partition}:iam::${local.account_id}:role${var.role_path}${local.role_name_condition}"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.oidc_providers
    content {
      effect  = "Allow"
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = [statement.value.provider_arn]
      }
      condition {
        test     = var.assume_role_condition_test
        variable = "${replace(statement.value.provider_arn, "/^(.*provider/)/", "")}:sub"
        values   = [for sa in statement.value.namespace_service_accounts : "system:serviceaccount:${sa}"]
      }
      condition {
        test     = var.assume_role_condition_test
        variable = "${replace(statement.value.provider_arn, "/^(.*provider/)/", "")}:aud"
        values   = ["sts.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  count = var.create_role ? 1 : 0

  name                 = var.role_name
  name_prefix          = var.role_name_prefix
  path                 = var.role_path
  description          = var.role_description
  assume_role_policy   = data.aws_iam_policy_document.this[0].json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.role_permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = { for k, v in var.role_policy_arns : k => v if var.create_role }

  role       = aws_iam_role.this[0].name
  policy_arn = each.value
}

output "iam_role_arn" { value = try(aws_iam_role.this[0].arn, null) }
output "iam_role_name" { value = try(aws_iam_role.this[0].name, null) }
output "iam_role_path" { value = try(aws_iam_role.this[0].path, null) }
output "iam_role_unique_id" { value = try(aws_iam_role.this[0].unique_id, null) }
