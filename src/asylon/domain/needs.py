"""Specific needs: a standard code list.

The codes follow the categories of UNHCR's specific-needs classification as used in registration
(proGres), at the level of the category, with our own stable lowercase identifiers. A need is recorded
on a person; a case "has" a need when any member has it.

===================  ==================================================
code                 meaning
===================  ==================================================
child-at-risk        child at risk (CR)
unaccompanied        unaccompanied or separated child (UASC)
disability           disability (DS)
medical              serious medical condition (SM)
older-at-risk        older person at risk (ER)
single-parent        single parent or caregiver (SP)
woman-at-risk        woman at risk (WR)
survivor             survivor of violence or torture (SV / TR)
family-unity         family unity concern (FU)
legal-protection     specific legal and physical protection needs (LP)
pregnant             pregnant or lactating (PG)
===================  ==================================================
"""

from __future__ import annotations

from enum import StrEnum


class SpecificNeed(StrEnum):
    CHILD_AT_RISK = "child-at-risk"
    UNACCOMPANIED = "unaccompanied"
    DISABILITY = "disability"
    MEDICAL = "medical"
    OLDER_AT_RISK = "older-at-risk"
    SINGLE_PARENT = "single-parent"
    WOMAN_AT_RISK = "woman-at-risk"
    SURVIVOR = "survivor"
    FAMILY_UNITY = "family-unity"
    LEGAL_PROTECTION = "legal-protection"
    PREGNANT = "pregnant"


NEED_LABELS: dict[SpecificNeed, str] = {
    SpecificNeed.CHILD_AT_RISK: "Child at risk",
    SpecificNeed.UNACCOMPANIED: "Unaccompanied or separated child",
    SpecificNeed.DISABILITY: "Disability",
    SpecificNeed.MEDICAL: "Serious medical condition",
    SpecificNeed.OLDER_AT_RISK: "Older person at risk",
    SpecificNeed.SINGLE_PARENT: "Single parent or caregiver",
    SpecificNeed.WOMAN_AT_RISK: "Woman at risk",
    SpecificNeed.SURVIVOR: "Survivor of violence or torture",
    SpecificNeed.FAMILY_UNITY: "Family unity",
    SpecificNeed.LEGAL_PROTECTION: "Legal and physical protection needs",
    SpecificNeed.PREGNANT: "Pregnant or lactating",
}
