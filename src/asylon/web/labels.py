"""Words the pages show for codes (statuses, pathways, needs, rules …), marked for translation.

Codes stay the stable identifiers in URLs and forms; these labels are what a person reads.
"""

from __future__ import annotations

from asylon.web.i18n import N_

STATUS = {
    "asylum-seeker": N_("Asylum-seeker"),
    "refugee": N_("Refugee"),
    "complementary-protection": N_("Complementary protection"),
    "rejected": N_("Rejected"),
    "appeal": N_("On appeal"),
    "stateless": N_("Stateless"),
    "closed": N_("Closed"),
}
PATHWAY = {
    "none": N_("No pathway"),
    "resettlement": N_("Resettlement"),
    "relocation": N_("Relocation"),
    "local-integration": N_("Local integration"),
    "voluntary-repatriation": N_("Voluntary repatriation"),
    "family-reunification": N_("Family reunification"),
    "labour-pathway": N_("Labour pathway"),
    "education-pathway": N_("Education pathway"),
}
PATHWAY_STATE = {
    "none": N_("none"),
    "identified": N_("identified"),
    "submitted": N_("submitted"),
    "accepted": N_("accepted"),
    "not-accepted": N_("not accepted"),
    "departure-scheduled": N_("departure scheduled"),
    "departed": N_("departed"),
    "in-progress": N_("in progress"),
    "residence-granted": N_("residence granted"),
    "naturalised": N_("naturalised"),
    "intention": N_("intention expressed"),
    "voluntariness-verified": N_("voluntariness verified"),
    "return-scheduled": N_("return scheduled"),
    "returned": N_("returned"),
    "applied": N_("applied"),
    "granted": N_("granted"),
    "refused": N_("refused"),
    "withdrawn": N_("withdrawn"),
}
NEED = {
    "child-at-risk": N_("Child at risk"),
    "unaccompanied": N_("Unaccompanied or separated child"),
    "disability": N_("Disability"),
    "medical": N_("Serious medical condition"),
    "older-at-risk": N_("Older person at risk"),
    "single-parent": N_("Single parent or caregiver"),
    "woman-at-risk": N_("Woman at risk"),
    "survivor": N_("Survivor of violence or torture"),
    "family-unity": N_("Family unity"),
    "legal-protection": N_("Legal and physical protection needs"),
    "pregnant": N_("Pregnant or lactating"),
}
RELATIONSHIP = {
    "principal": N_("Principal applicant"),
    "spouse": N_("Spouse"),
    "child": N_("Child"),
    "parent": N_("Parent"),
    "sibling": N_("Sibling"),
    "grandchild": N_("Grandchild"),
    "grandparent": N_("Grandparent"),
    "other-relative": N_("Other relative"),
    "non-relative": N_("Not related"),
}
SEX = {"F": N_("Female"), "M": N_("Male"), "X": N_("Other"), "U": N_("Unknown")}
EDUCATION = {
    "none": N_("None"),
    "primary": N_("Primary"),
    "secondary": N_("Secondary"),
    "vocational": N_("Vocational"),
    "tertiary": N_("Tertiary"),
    "unknown": N_("Unknown"),
}
EVENT = {
    "case.registered": N_("Case registered"),
    "case.updated": N_("Case updated"),
    "person.added": N_("Member added"),
    "person.corrected": N_("Member corrected"),
    "person.erased": N_("Personal data erased"),
    "status.changed": N_("Legal status changed"),
    "pathway.started": N_("Pathway started"),
    "pathway.moved": N_("Pathway moved"),
    "pathway.destination": N_("Destination set"),
    "voluntariness.declared": N_("Voluntariness declared"),
    "family-unity.decided": N_("Family-unity decision"),
    "consent.recorded": N_("Consent recorded"),
    "consent.withdrawn": N_("Consent withdrawn"),
    "placement.accepted": N_("Placement accepted"),
    "person.merged": N_("Records merged"),
    "person.unmerged": N_("Records split"),
}
# Why a rule exists, in a sentence a caseworker can act on; keyed by the rule a refusal names.
RULE = {
    "non-refoulement.nationality": N_(
        "Non-refoulement: nobody may be transferred to their own country of nationality."),
    "non-refoulement.fled": N_(
        "Non-refoulement: a case may never be sent to a country it is recorded as fleeing."),
    "non-refoulement.unsafe": N_(
        "Non-refoulement: the destination is flagged unsafe for someone in this household."),
    "family-unity.split": N_(
        "Family unity: members may go to different destinations only after a recorded family-unity decision."),
    "voluntariness.declaration": N_(
        "Voluntariness: a return cannot go past 'intention' until every adult has made an individual declaration."),
    "return.unsafe": N_(
        "Safe return: an organisation cannot initiate a return to a country flagged unsafe for the profile."),
    "pathway.one-at-a-time": N_(
        "One pathway at a time: finish or withdraw the current pathway before starting another."),
    "pathway.destination-required": N_(
        "This step commits the household to a destination: set the destination country first."),
    "legal_status.transition": N_("Legal status follows the refugee status determination steps in order."),
}
TRANSITION_RULE = N_("Each pathway moves through its steps in order; this step does not follow from the current one.")
