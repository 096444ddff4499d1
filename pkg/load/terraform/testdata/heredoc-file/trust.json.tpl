{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/${issuer}"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringLike": {"${issuer}:sub": "system:serviceaccount:${namespace}:*"},
        "StringEquals": {"${issuer}:aud": "sts.amazonaws.com"}
      }
    }
  ]
}
