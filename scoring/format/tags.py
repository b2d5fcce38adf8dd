"""The two blueprint tags every step and item carries: its NCLEX client need and decision points.

``ClientNeed`` is one of the eight NCLEX-RN Client Needs subcategories of NCSBN's test plan
(2023 NCLEX-RN Test Plan, effective April 2023); each value carries a one-sentence definition
in our own words. ``DecisionPoint`` is one of the 19 decision points of the clinical grounding
pack (§2, "Decision points supported by the document"), with its title, so coverage can print
which points the bank exercises. Both are closed lists: a new value is a change to this file.

Every step carries a client need: the test plan applies to any guidance document. Decision
points belong to the document they were drawn from (``DECISION_POINTS_GUIDANCE``): a step of a
file citing it must name at least one, and a file written from another document names none.
"""

from __future__ import annotations

from enum import StrEnum


class ClientNeed(StrEnum):
    """NCLEX-RN Client Needs subcategory (NCSBN test plan), as a slug."""

    management_of_care = "management-of-care"
    safety_and_infection_control = "safety-and-infection-control"
    health_promotion_and_maintenance = "health-promotion-and-maintenance"
    psychosocial_integrity = "psychosocial-integrity"
    basic_care_and_comfort = "basic-care-and-comfort"
    pharmacological_and_parenteral_therapies = "pharmacological-and-parenteral-therapies"
    reduction_of_risk_potential = "reduction-of-risk-potential"
    physiological_adaptation = "physiological-adaptation"

    @property
    def label(self) -> str:
        """The test plan's name, e.g. 'Reduction of Risk Potential'."""
        return CLIENT_NEED_LABELS[self]

    @property
    def category(self) -> str:
        """The major Client Needs category the subcategory belongs to."""
        return CLIENT_NEED_CATEGORIES[self]

    @property
    def definition(self) -> str:
        """What the subcategory covers, in one sentence."""
        return CLIENT_NEED_DEFINITIONS[self]


CLIENT_NEED_LABELS = {
    ClientNeed.management_of_care: "Management of Care",
    ClientNeed.safety_and_infection_control: "Safety and Infection Control",
    ClientNeed.health_promotion_and_maintenance: "Health Promotion and Maintenance",
    ClientNeed.psychosocial_integrity: "Psychosocial Integrity",
    ClientNeed.basic_care_and_comfort: "Basic Care and Comfort",
    ClientNeed.pharmacological_and_parenteral_therapies: "Pharmacological and Parenteral Therapies",
    ClientNeed.reduction_of_risk_potential: "Reduction of Risk Potential",
    ClientNeed.physiological_adaptation: "Physiological Adaptation",
}

_SAFE = "Safe and Effective Care Environment"
_PHYSIOLOGICAL = "Physiological Integrity"
CLIENT_NEED_CATEGORIES = {
    ClientNeed.management_of_care: _SAFE,
    ClientNeed.safety_and_infection_control: _SAFE,
    ClientNeed.health_promotion_and_maintenance: "Health Promotion and Maintenance",
    ClientNeed.psychosocial_integrity: "Psychosocial Integrity",
    ClientNeed.basic_care_and_comfort: _PHYSIOLOGICAL,
    ClientNeed.pharmacological_and_parenteral_therapies: _PHYSIOLOGICAL,
    ClientNeed.reduction_of_risk_potential: _PHYSIOLOGICAL,
    ClientNeed.physiological_adaptation: _PHYSIOLOGICAL,
}

CLIENT_NEED_DEFINITIONS = {
    ClientNeed.management_of_care: "Directing and coordinating care so the care setting "
    "protects clients and staff: priorities across clients, collaboration with the team "
    "(questioning an order), advocacy, informed consent, delegation and referrals.",
    ClientNeed.safety_and_infection_control: "Protecting clients and staff from health and "
    "environmental hazards: accident, injury and fall prevention, home safety, safe use of "
    "equipment, restraints and error prevention.",
    ClientNeed.health_promotion_and_maintenance: "Prevention and early detection of health "
    "problems and teaching for the best possible health: self-care, screening, and what a "
    "client should watch for and report.",
    ClientNeed.psychosocial_integrity: "The emotional, mental and social well-being of a client "
    "under stress or with mental illness: coping, grief, support systems and therapeutic "
    "communication.",
    ClientNeed.basic_care_and_comfort: "Comfort and help with the activities of daily living: "
    "mobility and assistive devices, non-drug comfort measures, elimination, nutrition, "
    "rest and sleep.",
    ClientNeed.pharmacological_and_parenteral_therapies: "Giving medications and parenteral "
    "therapies (IV fluids, infusions) and judging their expected actions, adverse effects, "
    "timing, dosage and pain management.",
    ClientNeed.reduction_of_risk_potential: "Lowering the chance that an existing condition, "
    "treatment or procedure leads to a complication: a risk not yet realised, procedure "
    "preparation and after-care, diagnostic tests and lab values.",
    ClientNeed.physiological_adaptation: "Caring for a client with an acute, chronic or "
    "life-threatening physical condition: recognising and responding to alterations in body "
    "systems and medical emergencies, fluid and electrolyte imbalances, pathophysiology.",
}


DECISION_POINTS_GUIDANCE = "bone-metastasis"  # the guidance document §2's points are drawn from


class DecisionPoint(StrEnum):
    """A decision point of the clinical grounding pack, §2 (DP-01 … DP-19)."""

    dp01 = "DP-01"
    dp02 = "DP-02"
    dp03 = "DP-03"
    dp04 = "DP-04"
    dp05 = "DP-05"
    dp06 = "DP-06"
    dp07 = "DP-07"
    dp08 = "DP-08"
    dp09 = "DP-09"
    dp10 = "DP-10"
    dp11 = "DP-11"
    dp12 = "DP-12"
    dp13 = "DP-13"
    dp14 = "DP-14"
    dp15 = "DP-15"
    dp16 = "DP-16"
    dp17 = "DP-17"
    dp18 = "DP-18"
    dp19 = "DP-19"

    @property
    def label(self) -> str:
        """The decision point's title as the grounding pack words it."""
        return DECISION_POINT_TITLES[self]


DECISION_POINT_TITLES = {
    DecisionPoint.dp01: "Early vs late hypercalcemia signs",
    DecisionPoint.dp02: "Why a patient with hypercalcemia is dehydrated",
    DecisionPoint.dp03: "First-line hypercalcemia management",
    DecisionPoint.dp04: "After hypercalcemia: evaluation and prevention",
    DecisionPoint.dp05: "Matching pain treatment to the pain pattern",
    DecisionPoint.dp06: "Bone-strengthening agents",
    DecisionPoint.dp07: "Recognising an impending pathologic fracture",
    DecisionPoint.dp08: "Impending fracture → prophylactic fixation",
    DecisionPoint.dp09: "Established fracture → support, then radiation",
    DecisionPoint.dp10: "Vertebral fracture → vertebroplasty; procedure teaching",
    DecisionPoint.dp11: "Vertebral-fracture pain vs spinal cord compression",
    DecisionPoint.dp12: "Fall risk and prevention",
    DecisionPoint.dp13: "Recognising spinal cord compression",
    DecisionPoint.dp14: "Spinal cord compression is an emergency: escalate now",
    DecisionPoint.dp15: "Choosing the spinal cord compression treatment by neurological status",
    DecisionPoint.dp16: "Not over-choosing surgery in very advanced disease",
    DecisionPoint.dp17: "New confusion in a patient with bone metastases: two explanations",
    DecisionPoint.dp18: "After vertebroplasty: don't over-treat",
    DecisionPoint.dp19: "Triage across several patients",
}
