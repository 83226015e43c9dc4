from consultations.models.consultation import Consultation
from consultations.models.plan import TreatmentPlan, TreatmentPlanSession

__all__ = ["Consultation", "TreatmentPlan", "TreatmentPlanSession"]
