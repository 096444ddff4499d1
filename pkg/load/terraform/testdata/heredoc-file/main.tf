variable "issuer" {
  default = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
}

resource "aws_iam_role" "heredoc" {
  name               = "heredoc"
  assume_role_policy = <<EOF2
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/${var.issuer}"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {"${var.issuer}:sub": "system:serviceaccount:web:frontend"}
      }
    }
  ]
}
EOF2
}

resource "aws_iam_role" "from_template" {
  name               = "templated"
  assume_role_policy = templatefile("${path.module}/trust.json.tpl", { issuer = var.issuer, namespace = "jobs" })
}

resource "aws_iam_policy" "from_file" {
  name   = "from-file"
  policy = file("${path.module}/policy.json")
}

resource "aws_iam_role_policy_attachment" "templated" {
  role       = aws_iam_role.from_template.name
  policy_arn = aws_iam_policy.from_file.arn
}
