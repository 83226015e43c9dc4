"""Managers' pages: message templates (with preview), message timings, the aftercare plan."""

from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from accounts.access import role_required
from accounts.roles import MANAGERS
from aftercare.context import sample_context
from aftercare.forms import AftercareStepForm, MessageSettingsForm, MessageTemplateForm
from aftercare.kinds import SPECS, Kind
from aftercare.models import AftercareStep, MessageSettings, MessageTemplate
from aftercare.rendering import TemplateProblem, render_email
from aftercare.services import content
from aftercare.variables import allowed_names
from smp_clinic.lib.forms import add_service_error


def _kind_or_404(kind: str) -> Kind:
    if kind not in Kind.values:
        raise Http404("No such kind of message")
    return Kind(kind)


# The draft a manager previews on the edit page, kept in their session for the frame.
DRAFT_KEY = "aftercare.preview_draft"


def _preview(kind: str, subject: str, body_text: str, body_html: str) -> dict:
    """The rendered sample, or the problem that stops it from rendering."""
    context = sample_context(kind)
    try:
        rendered = render_email(
            kind=kind, subject=subject, body_text=body_text, body_html=body_html, context=context
        )
    except TemplateProblem as problem:
        return {"preview_error": str(problem)}
    return {"preview": rendered}


@role_required(*MANAGERS)
def template_list(request: HttpRequest) -> HttpResponse:
    templates = {t.kind: t for t in MessageTemplate.objects.select_related("updated_by")}
    rows = [
        {"kind": kind, "label": kind.label, "spec": SPECS[kind], "template": templates.get(kind)}
        for kind in Kind
    ]
    return render(
        request,
        "aftercare/template_list.html",
        {"rows": rows, "conf": MessageSettings.current()},
    )


@role_required(*MANAGERS)
def template_edit(request: HttpRequest, message_kind: str) -> HttpResponse:
    kind = _kind_or_404(message_kind)
    template = MessageTemplate.objects.filter(kind=kind).first()
    form = MessageTemplateForm(request.POST or None, instance=template)
    extra: dict = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "preview":
                content.sources_check(
                    [(f, data[f]) for f in ("subject", "body_text", "body_html")], kind=kind
                )
                extra = _preview(kind, data["subject"], data["body_text"], data["body_html"])
                request.session[DRAFT_KEY] = {"kind": kind.value, **data}
                extra["frame_query"] = "?draft=1"
            else:
                content.template_save(
                    kind=kind,
                    subject=data["subject"],
                    body_text=data["body_text"],
                    body_html=data["body_html"],
                    by=request.user,
                )
                messages.success(request, f"The {kind.label.lower()} template is saved.")
                return redirect("aftercare:templates")
        except ValidationError as error:
            add_service_error(form, error)
    return render(
        request,
        "aftercare/template_edit.html",
        {
            "form": form,
            "kind": kind,
            "spec": SPECS[kind],
            "variables": allowed_names(kind),
            **extra,
        },
    )


@role_required(*MANAGERS)
def template_preview(request: HttpRequest, message_kind: str) -> HttpResponse:
    kind = _kind_or_404(message_kind)
    template = MessageTemplate.objects.filter(kind=kind).first()
    if template is None:
        extra = {"preview_error": "There is no template for this kind of message yet."}
    else:
        extra = _preview(kind, template.subject, template.body_text, template.body_html)
    return render(request, "aftercare/template_preview.html", {"kind": kind, **extra})


@role_required(*MANAGERS)
def message_settings(request: HttpRequest) -> HttpResponse:
    form = MessageSettingsForm(request.POST or None, instance=MessageSettings.current())
    if request.method == "POST" and form.is_valid():
        try:
            content.message_settings_save(data=form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, "Message timings saved. They apply to messages made from now on."
            )
            return redirect("aftercare:templates")
    return render(request, "aftercare/settings_form.html", {"form": form})


@role_required(*MANAGERS)
def plan(request: HttpRequest) -> HttpResponse:
    current = content.default_plan()
    return render(
        request, "aftercare/plan.html", {"plan": current, "steps": list(current.steps.all())}
    )


@role_required(*MANAGERS)
def step_edit(request: HttpRequest, step_id=None) -> HttpResponse:
    step = get_object_or_404(AftercareStep, public_id=step_id) if step_id else None
    form = AftercareStepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            content.step_save(step=step, data=form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The aftercare step is saved.")
            return redirect("aftercare:plan")
    return render(
        request,
        "aftercare/step_form.html",
        {"form": form, "step": step, "variables": allowed_names(Kind.AFTERCARE, for_step=True)},
    )


@role_required(*MANAGERS)
def step_delete(request: HttpRequest, step_id) -> HttpResponse:
    step = get_object_or_404(AftercareStep, public_id=step_id)
    if request.method == "POST":
        content.step_delete(step=step)
        messages.success(request, "The step is removed from the plan.")
        return redirect("aftercare:plan")
    return render(request, "aftercare/step_delete.html", {"step": step})


@role_required(*MANAGERS)
@xframe_options_sameorigin
@csp_replace(
    {
        # The email's own <style> block, and nothing else: no script, no fetch, no form.
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["data:"],
        "frame-ancestors": ["'self'"],
        "sandbox": [""],
    }
)
def template_preview_frame(request: HttpRequest, message_kind: str) -> HttpResponse:
    """The HTML part alone, for the preview's iframe: email HTML carries a <style> block
    that the application's own policy (no inline style) rightly refuses."""
    kind = _kind_or_404(message_kind)
    draft = request.session.get(DRAFT_KEY) if request.GET.get("draft") else None
    if draft and draft.get("kind") == kind.value:
        source = (draft["subject"], draft["body_text"], draft["body_html"])
    else:
        template = MessageTemplate.objects.filter(kind=kind).first()
        if template is None:
            return HttpResponse("No template yet.", content_type="text/plain")
        source = (template.subject, template.body_text, template.body_html)
    result = _preview(kind, *source)
    if "preview_error" in result:
        return HttpResponse(result["preview_error"], content_type="text/plain")
    return HttpResponse(result["preview"].html)
