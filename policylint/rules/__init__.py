"""The built-in rules, one per file. ``ALL_RULES`` is the registry's source.

Code families: PL0xx engine, PL1xx load and policy grammar, PL2xx catalog
(actions, condition operators and keys), PL6xx KMS console minimums.
"""

from __future__ import annotations

from policylint.rules.pl000_internal_error import InternalError
from policylint.rules.pl100_unreadable_file import UnreadableFile
from policylint.rules.pl101_not_text import NotText
from policylint.rules.pl102_syntax_error import SyntaxError_
from policylint.rules.pl103_duplicate_key import DuplicateKey
from policylint.rules.pl104_input_limit import InputLimit
from policylint.rules.pl110_invalid_type import InvalidType
from policylint.rules.pl111_missing_element import MissingElement
from policylint.rules.pl112_conflicting_elements import ConflictingElements
from policylint.rules.pl113_unknown_element import UnknownElement
from policylint.rules.pl114_invalid_version import InvalidVersion
from policylint.rules.pl115_missing_version import MissingVersion
from policylint.rules.pl116_empty_element import EmptyElement
from policylint.rules.pl117_duplicate_sid import DuplicateSid
from policylint.rules.pl118_invalid_effect import InvalidEffect
from policylint.rules.pl119_principal_not_allowed import PrincipalNotAllowed
from policylint.rules.pl120_principal_required import PrincipalRequired
from policylint.rules.pl121_element_not_allowed import ElementNotAllowed
from policylint.rules.pl200_unknown_service import UnknownService
from policylint.rules.pl201_unknown_action import UnknownAction
from policylint.rules.pl202_action_matches_nothing import ActionMatchesNothing
from policylint.rules.pl203_unknown_condition_operator import UnknownConditionOperator
from policylint.rules.pl204_unknown_condition_key import UnknownConditionKey
from policylint.rules.pl205_condition_key_not_supported import ConditionKeyNotSupported
from policylint.rules.pl600_kms_console_read_only import KmsConsoleReadOnlyMinimum
from policylint.rules.pl601_kms_console_management import KmsConsoleManagementMinimum
from policylint.rules.pl602_kms_console_key_details import KmsConsoleKeyDetails

ALL_RULES = (
    InternalError,
    UnreadableFile,
    NotText,
    SyntaxError_,
    DuplicateKey,
    InputLimit,
    InvalidType,
    MissingElement,
    ConflictingElements,
    UnknownElement,
    InvalidVersion,
    MissingVersion,
    EmptyElement,
    DuplicateSid,
    InvalidEffect,
    PrincipalNotAllowed,
    PrincipalRequired,
    ElementNotAllowed,
    UnknownService,
    UnknownAction,
    ActionMatchesNothing,
    UnknownConditionOperator,
    UnknownConditionKey,
    ConditionKeyNotSupported,
    KmsConsoleReadOnlyMinimum,
    KmsConsoleManagementMinimum,
    KmsConsoleKeyDetails,
)

__all__ = ["ALL_RULES"]
