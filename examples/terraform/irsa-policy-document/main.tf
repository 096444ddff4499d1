variable "namespace" {
  type    = string
  default = "default"
}

variable "service_account" {
  type = string
}

variable "oidc_provider_arn" {
  type = string
}

locals {
  issuer = element(split("oidc-provider/", var.oidc_provider_arn), 1)
  sub    = format("system:serviceaccount:%s:%s", var.namespace, var.service_account)
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "IRSA"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = [local.sub]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "s3" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::reports/*"]
  }
}

data "aws_iam_policy_document" "s3_wide" {
  source_policy_documents = [data.aws_iam_policy_document.s3.json]

  statement {
    sid       = "Read"
    actions   = ["s3:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "reports" {
  name               = "reports"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "reports" {
  name   = "s3"
  role   = aws_iam_role.reports.id
  policy = data.aws_iam_policy_document.s3_wide.json
}
