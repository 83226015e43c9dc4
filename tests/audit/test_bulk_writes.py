"""The audit trail hears of a change through model signals, and queryset ``update()``,
``bulk_create()`` and ``bulk_update()`` send none: such a write on an audited model leaves
no trace. This scan of the source finds every one of them, so a new one fails here until it
saves instances (or records its own event) or is justified below.

A queryset ``delete()`` is not listed: with the trail's receivers connected, Django deletes
row by row and signals each one (the last test here proves it), unlike ``_raw_delete()``.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

from audit.capture import AUDITED
from audit.models import AuditEvent
from consultations import services as consultation_services
from tests.factories import make_consultation

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_PARTS = {".venv", "node_modules", "tests", "migrations", "static"}
SILENT_WRITES = {"update", "bulk_create", "bulk_update", "_raw_delete"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}

DEMO = "seed_demo's invented history for a demo database, not a record of anyone's care"
ERASURE = (
    "erasure records itself as one 'erase' event saying what it removed; the trail must not "
    "gain a row per removed detail of a person who asked to be forgotten"
)
# (file, audited model, method) -> why that bulk write may skip the trail.
JUSTIFIED = {
    ("scheduling/services.py", "scheduling.Appointment", "update"): (
        "course numbering ('session 2 of 3'), derived from the audited appointments' dates"
    ),
    ("scheduling/services.py", "scheduling.Course", "update"): (
        "a course's completion follows from the audited completion of its last session"
    ),
    ("sessions_app/inventory/stock.py", "sessions_app.PigmentLot", "update"): (
        "a stock counter taken by a pass or given back when a pass is removed or corrected;"
        " the pass, its removal and the correction are audited"
    ),
    ("privacy/erasure.py", "consultations.DesignPlan", "update"): ERASURE,
    ("privacy/erasure.py", "clients.FlagClearance", "update"): ERASURE,
    ("privacy/erasure.py", "clients.SignedConsent", "update"): ERASURE,
    ("privacy/erasure.py", "scheduling.Appointment", "update"): ERASURE,
    ("dashboard/demo_history/__init__.py", "clients.Client", "bulk_create"): DEMO,
    ("dashboard/demo_history/rows.py", "scheduling.Course", "bulk_create"): DEMO,
    ("dashboard/demo_history/rows.py", "scheduling.Appointment", "bulk_create"): DEMO,
    ("dashboard/demo_history/rows.py", "consultations.Consultation", "bulk_create"): DEMO,
    ("dashboard/demo_history/rows.py", "sessions_app.PigmentationSession", "bulk_create"): DEMO,
    ("dashboard/demo_history/rows.py", "sessions_app.LayeringPass", "bulk_create"): DEMO,
    ("dashboard/demo_history/rows.py", "sessions_app.HealingCheck", "bulk_create"): DEMO,
    ("dashboard/demo_history/rows.py", "clients.Photo", "bulk_create"): DEMO,
    ("dashboard/demo_history/rows.py", "sessions_app.SessionPhoto", "bulk_create"): DEMO,
}


@dataclass(frozen=True)
class SilentWrite:
    path: str
    line: int
    label: str
    method: str


def _audited_names() -> tuple[dict[str, str], dict[str, str]]:
    """Class names of audited models, and the related-manager attributes that reach them
    (``plan.session_goals``, ``course.appointments``)."""
    models = {label: apps.get_model(label) for label in AUDITED}
    by_class = {model.__name__: label for label, model in models.items()}
    by_accessor = {}
    for model in apps.get_models():
        for relation in model._meta.related_objects:
            label = relation.related_model._meta.label
            if label in models:
                by_accessor[relation.get_accessor_name()] = label
        for field in model._meta.many_to_many:
            if field.related_model._meta.label in models:
                by_accessor[field.name] = field.related_model._meta.label
    return by_class, by_accessor


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, by_class: dict[str, str], by_accessor: dict[str, str]):
        self.path = path
        self.by_class = dict(by_class)
        self.by_accessor = by_accessor
        self.found: list[SilentWrite] = []
        self.scopes: list[dict[str, str]] = [{}]

    def model_of(self, node: ast.AST) -> str | None:
        """The audited model a queryset expression is about, when the source says so."""
        while True:
            if isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Subscript):
                node = node.value
            elif isinstance(node, ast.Attribute):
                if node.attr in MANAGERS and isinstance(node.value, ast.Name):
                    return self.by_class.get(node.value.id)
                if node.attr in self.by_accessor:
                    return self.by_accessor[node.attr]
                node = node.value
            elif isinstance(node, ast.Name):
                return self.scopes[-1].get(node.id)
            else:
                return None

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.asname and alias.name in self.by_class:
                self.by_class[alias.asname] = self.by_class[alias.name]

    def _visit_scope(self, node: ast.AST) -> None:
        self.scopes.append(dict(self.scopes[-1]))
        self.generic_visit(node)
        self.scopes.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _visit_scope

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        label = self.model_of(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                if label:
                    self.scopes[-1][target.id] = label
                else:
                    self.scopes[-1].pop(target.id, None)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None and isinstance(node.target, ast.Name):
            self.visit_Assign(ast.Assign(targets=[node.target], value=node.value))

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in SILENT_WRITES:
            label = self.model_of(func.value)
            if label:
                self.found.append(SilentWrite(self.path, node.lineno, label, func.attr))


def silent_writes(source: str, path: str = "<source>") -> list[SilentWrite]:
    scanner = _Scanner(path, *_audited_names())
    scanner.visit(ast.parse(source))
    return scanner.found


def project_silent_writes() -> list[SilentWrite]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_PARTS & set(relative.parts):
            continue
        found += silent_writes(path.read_text(encoding="utf-8"), relative.as_posix())
    return found


def test_no_bulk_write_on_an_audited_model_skips_the_trail_unless_justified():
    unjustified = [
        f"{w.path}:{w.line} {w.label}.{w.method}()"
        for w in project_silent_writes()
        if (w.path, w.label, w.method) not in JUSTIFIED
    ]
    assert unjustified == [], (
        "these writes send no signal, so the audit trail misses them: save the instances, "
        "record an event with audit.services.event_record, or justify them in JUSTIFIED"
    )


def test_every_justified_exception_still_exists():
    found = {(w.path, w.label, w.method) for w in project_silent_writes()}
    assert sorted(set(JUSTIFIED) - found) == []


def test_the_scan_finds_each_way_of_writing_in_bulk():
    source = """
from clients.models import Photo as P

def direct():
    MedicalIntake.objects.filter(pk=1).update(reviewed_at=None)

def through_a_variable():
    consents = SignedConsent.objects.filter(pk=1)
    consents.update(withdrawal_reason="")

def through_a_related_manager(plan, course):
    plan.session_goals.all().bulk_update([], ["shade"])
    course.appointments.filter(pk=1)._raw_delete(None)

def new_rows():
    IntakeFlag.objects.bulk_create([])
    P._default_manager.update(note="")

def not_audited(context, messages):
    context.update(x=1)
    OutboundMessage.objects.filter(pk=1).update(status="sent")
    messages = Photo.objects.all()
    messages = []
    messages.update()
"""
    found = [(w.line, w.label, w.method) for w in silent_writes(source)]
    assert found == [
        (5, "clients.MedicalIntake", "update"),
        (9, "clients.SignedConsent", "update"),
        (12, "consultations.TreatmentPlanSession", "bulk_update"),
        (13, "scheduling.Appointment", "_raw_delete"),
        (16, "clients.IntakeFlag", "bulk_create"),
        (17, "clients.Photo", "update"),
    ]


@pytest.mark.django_db
def test_a_queryset_delete_of_an_audited_model_records_each_row(practitioner, smp_client):
    """Fewer sessions in a plan delete the goals beyond them with a queryset delete."""
    from consultations.models import TreatmentPlan

    consultation = make_consultation(client=smp_client, practitioner=practitioner)
    plan = TreatmentPlan.objects.filter(consultation=consultation).first()
    plan = plan or consultation_services.plan_create(consultation=consultation, by=practitioner)
    assert plan.session_goals.count() == 3
    data = {
        "sessions": 1,
        "min_interval_days": 10,
        "max_interval_days": 30,
        "starting_shade": plan.starting_shade,
        "starting_dilution": "",
        "price": plan.price,
        "notes": "",
    }
    consultation_services.plan_update(
        plan=plan, by=practitioner, data=data, goals=[{"goal": "Foundation"}]
    )
    deleted = AuditEvent.objects.filter(
        action="delete", object_type="consultations.TreatmentPlanSession"
    )
    assert sorted(event.changes["before"]["number"] for event in deleted) == [2, 3]
    assert {event.client_public_id for event in deleted} == {smp_client.public_id}
