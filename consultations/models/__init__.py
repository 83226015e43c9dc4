from consultations.models.consultation import Consultation
from consultations.models.design import DesignPlan
from consultations.models.photo import ConsultationPhoto
from consultations.models.plan import TreatmentPlan, TreatmentPlanSession

__all__ = [
    "Consultation",
    "ConsultationPhoto",
    "DesignPlan",
    "TreatmentPlan",
    "TreatmentPlanSession",
]
