resource "aws_iam_openid_connect_provider" "eks" {
  url             = aws_eks_cluster.main.identity[0].oidc[0].issuer
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
}

resource "aws_eks_cluster" "main" {
  name     = "staging"
  role_arn = "arn:aws:iam::210987654321:role/staging-cluster"
  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d"]
  }
}

data "aws_iam_policy_document" "worker_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.eks.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${replace(aws_iam_openid_connect_provider.eks.url, "https://", "")}:sub"
      values   = ["system:serviceaccount:jobs:worker"]
    }
  }
}

resource "aws_iam_role" "worker" {
  name               = "staging-worker"
  assume_role_policy = data.aws_iam_policy_document.worker_trust.json
}

resource "aws_iam_role" "reader" {
  name = "staging-reader"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/0F1E2D3C4B5A69788796A5B4C3D2E1F0" }
      Condition = {
        StringLike = { "oidc.eks.eu-central-1.amazonaws.com/id/0F1E2D3C4B5A69788796A5B4C3D2E1F0:sub" = "system:serviceaccount:*" }
      }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "reader" {
  role       = aws_iam_role.reader.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
