# A rewrite for irsa-audit of terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc
# (v5): one web-identity statement per provider URL, with "sub" conditions only when
# oidc_fully_qualified_subjects or oidc_subjects_with_wildcards are set and an "aud" condition
# only when oidc_fully_qualified_audiences is (by default there is none). As in the module,
# every statement gets the conditions of every provider URL.

variable "create_role" { default = false }
variable "provider_url" { default = "" }
variable "provider_urls" { default = [] }
variable "aws_account_id" { default = "" }
variable "tags" { default = {} }
variable "role_name" { default = null }
variable "role_name_prefix" { default = null }
variable "role_description" { default = "" }
variable "role_path" { default = "/" }
variable "role_permissions_boundary_arn" { default = "" }
variable "max_session_duration" { default = 3600 }
variable "role_policy_arns" { default = [] }
variable "number_of_role_policy_arns" { default = null }
variable "oidc_fully_qualified_subjects" { default = [] }
variable "oidc_subjects_with_wildcards" { default = [] }
variable "oidc_fully_qualified_audiences" { default = [] }
variable "force_detach_policies" { default = false }
variable "allow_self_assume_role" { default = false }

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  aws_account_id             = var.aws_account_id != "" ? var.aws_account_id : data.aws_caller_identity.current.account_id
  partition                  = data.aws_partition.current.partition
  urls                       = [for url in compact(distinct(concat(var.provider_urls, [var.provider_url]))) : replace(url, "https://", "")]
  number_of_role_policy_arns = coalesce(var.number_of_role_policy_arns, length(var.role_policy_arns))
  role_name_condition        = var.role_name != null ? var.role_name : "${var.role_name_prefix}*"
}

data "aws_iam_policy_document" "assume_role_with_oidc" {
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
        values   = ["arn:${local.partition}:iam::${data.aws_caller_identity.current.account_id}:role${var.role_path}${local.role_name_condition}"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.urls
    content {
      effect  = "Allow"
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = ["arn:${local.partition}:iam::${local.aws_account_id}:oidc-provider/${statement.value}"]
      }
      dynamic "condition" {
        for_each = length(var.oidc_fully_qualified_subjects) > 0 ? local.urls : []
        content {
          test     = "StringEquals"
          variable = "${condition.value}:sub"
          values   = var.oidc_fully_qualified_subjects
        }
      }
      dynamic "condition" {
        for_each = length(var.oidc_subjects_with_wildcards) > 0 ? local.urls : []
        content {
          test     = "StringLike"
          variable = "${condition.value}:sub"
          values   = var.oidc_subjects_with_wildcards
        }
      }
      dynamic "condition" {
        for_each = length(var.oidc_fully_qualified_audiences) > 0 ? local.urls : []
        content {
          test     = "StringLike"
          variable = "${condition.value}:aud"
          values   = var.oidc_fully_qualified_audiences
        }
      }
    }
  }
}

resource "aws_iam_role" "this" {
  count = var.create_role ? 1 : 0

  name                 = var.role_name
  name_prefix          = var.role_name_prefix
  description          = var.role_description
  path                 = var.role_path
  max_session_duration = var.max_session_duration
  permissions_boundary = var.role_permissions_boundary_arn
  assume_role_policy   = join("", data.aws_iam_policy_document.assume_role_with_oidc.*.json)
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "custom" {
  count = var.create_role ? local.number_of_role_policy_arns : 0

  role       = join("", aws_iam_role.this.*.name)
  policy_arn = var.role_policy_arns[count.index]
}

output "iam_role_arn" { value = try(aws_iam_role.this[0].arn, "") }
output "iam_role_name" { value = try(aws_iam_role.this[0].name, "") }
output "iam_role_path" { value = try(aws_iam_role.this[0].path, "") }
