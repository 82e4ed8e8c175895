resource "aws_kms_key" "k" {
  policy = jsonencode({Version="2012-10-17", Statement=[{Sid="root",Effect="Allow",Principal={AWS="arn:aws:iam::111122223333:root"},Action="kms:*",Resource="*"},{Effect="Allow",Principal={AWS="arn:aws:iam::${var.partner}:root"},Action="kms:Decrypt",Resource="*"}]})
}
