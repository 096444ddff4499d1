variable "subject" {
  type = string
}

variable "roles" {
  type = number
}

data "aws_eks_cluster" "main" {
  name = "prod"
}

data "aws_iam_policy" "boundary" {
  name = "boundary"
}

# A subject with no value and a key from a data source: not judged, with their lines.
resource "aws_iam_role" "subject" {
  name = "subject"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/${trimprefix(data.aws_eks_cluster.main.identity[0].oidc[0].issuer, "https://")}" }
      Condition = {
        StringEquals = {
          "${trimprefix(data.aws_eks_cluster.main.identity[0].oidc[0].issuer, "https://")}:sub" = var.subject
        }
      }
    }]
  })
}

# The whole document comes from a data source.
resource "aws_iam_role" "copied" {
  name               = "copied"
  assume_role_policy = data.aws_iam_policy.boundary.policy
}

# A count that depends on a variable without a value.
resource "aws_iam_role" "counted" {
  count              = var.roles
  name               = "counted-${count.index}"
  assume_role_policy = "{}"
}

# A decision on a symbol is unknown, not false: upper() of an unknown subject.
resource "aws_iam_role" "decided" {
  name = var.subject == "" ? "empty" : "set"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X" }
      Condition = { StringEquals = { "oidc.eks.us-east-1.amazonaws.com/id/X:sub" = upper(var.subject) } }
    }]
  })
}

module "elsewhere" {
  source = "git::https://example.com/modules.git//irsa"
}

resource "kubernetes_service_account_v1" "remote" {
  metadata {
    name      = "remote"
    namespace = "default"
    annotations = {
      "eks.amazonaws.com/role-arn" = module.elsewhere.role_arn
    }
  }
}
