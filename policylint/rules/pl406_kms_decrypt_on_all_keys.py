"""PL406 kms-decrypt-on-all-keys."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.evaluate.match import matched_catalog_actions
from policylint.model.policy import PolicyKind, Statement
from policylint.rules._iam import all_of_type, resource_formats, sample, spelled

DECRYPTS = ("kms:decrypt", "kms:reencryptfrom")
_DECRYPT_SET = frozenset(DECRYPTS)

#: Condition keys that limit which keys (or which uses of a key) a statement
#: covers: the calling service, the encryption context, the key's tags,
#: aliases, account or organization, its properties, an enclave attestation
#: (KMS Developer Guide, *AWS KMS condition keys*; IAM User Guide, *AWS global
#: condition context keys*). Lower case; an entry ending in ``:`` or ``/`` is
#: a prefix.
NARROWING = (
    "kms:viaservice", "kms:encryptioncontext:", "kms:encryptioncontextkeys", "kms:requestalias",
    "kms:resourcealiases", "kms:keyorigin", "kms:keyspec", "kms:keyusage", "kms:multiregion",
    "kms:multiregionkeytype", "kms:recipientattestation:", "aws:resourcetag/", "kms:resourcetag/",
    "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths",
)


def _narrowed(stmt: Statement) -> bool:
    for clause in stmt.condition:
        k = clause.key.lower()
        if any(k == n or (n.endswith((":", "/")) and k.startswith(n)) for n in NARROWING):
            return True
    return False


def _denied_by_key(stmts, hits: list[str]) -> bool:
    """True if a Deny of the same policy refuses these actions on keys chosen
    by a key condition (tag-based access control written as Allow + Deny)."""
    wanted = frozenset(hits)
    return any(s.effect == "Deny" and _narrowed(s) and matched_catalog_actions(s, wanted) == wanted for s in stmts)


class KmsDecryptOnAllKeys(Rule):
    """An identity-based policy allows decrypting with every KMS key.

    What it does:
        In identity-based policies, reports each Allow statement that grants
        ``kms:Decrypt`` or ``kms:ReEncryptFrom`` (named, or through ``kms:*``,
        ``kms:De*``, ``*`` or ``NotAction``) on every key: ``"Resource": "*"``,
        ``arn:aws:kms:*:*:key/*``, an account's ``key/*``, or ``NotResource``,
        with no condition that narrows the keys (``kms:ViaService``,
        ``kms:EncryptionContext:...``, ``aws:ResourceTag/...``,
        ``kms:RequestAlias``, ``kms:ResourceAliases``, ``aws:ResourceAccount``,
        key properties such as ``kms:KeySpec``), in the statement itself or in
        a Deny of the same policy that refuses the same actions on keys chosen
        by such a condition (tag-based access written as Allow plus a
        conditional Deny). Key policies are not checked:
        there ``"*"`` means the key itself.

    Why it matters:
        Decrypt on every key lets the principal read whatever any key
        protects, in this account and in every other account whose key policy
        trusts it, now and for keys created later. AWS recommends naming each
        key an IAM policy statement applies to, and Security Hub reports
        policies that allow decryption on all keys (controls KMS.1, KMS.2).

    Example:
        ``{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}``

    Instead:
        ``"Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"``,
        or keep ``"*"`` with ``"Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}``.
    """

    code = "PL406"
    name = "kms-decrypt-on-all-keys"
    summary = "an identity-based policy allows kms:Decrypt (or kms:ReEncryptFrom) on every KMS key with no condition that narrows the keys"
    severity = Severity.WARNING
    tags = ("iam", "kms", "least-privilege")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or ctx.kind is not PolicyKind.IDENTITY or ctx.source.key_policy:
            return
        key_formats = resource_formats("kms", "key")
        for stmt in doc.statements:
            if stmt.effect != "Allow" or (stmt.resource is None and stmt.not_resource is None):
                continue
            names = matched_catalog_actions(stmt, _DECRYPT_SET)
            hits = [n for n in DECRYPTS if n in names]
            if not hits or _narrowed(stmt) or _denied_by_key(doc.statements, hits):
                continue
            if stmt.not_resource is not None:
                if any(all_of_type(v, f) for v in stmt.not_resource for f in key_formats):
                    continue
                path, where, key = stmt.path + ("NotResource",), "every key but those NotResource lists", True
            else:
                i = next((i for i, v in enumerate(stmt.resource)
                          if any(all_of_type(v, f) for f in key_formats)), None)
                if i is None:
                    continue
                value = stmt.resource[i]
                path, key = stmt.value_path("Resource", i), False
                account = value.split(":")[4] if value.count(":") >= 5 else "*"
                scope = ("in any account whose key policy allows it" if "*" in account or "?" in account
                         else f"of account {account}")
                where = f'every key {scope} (Resource "{clip(value)}")'
            if stmt.not_resource is not None:
                where += ", in any account whose key policy allows it"
            yield ctx.finding(
                self,
                f"{stmt.label} allows {sample([spelled(n) for n in hits])} on {where}, with no condition on the key "
                "(kms:ViaService, kms:EncryptionContext:..., aws:ResourceTag/...): name the keys",
                path,
                key=key,
            )
