"""Compiling, checking and rendering the managers' message templates.

A template is Django template syntax limited to text, ``{{ variables }}`` with text filters,
``{% if %}`` and ``{% comment %}``. ``template_check`` walks the compiled node tree, so an
unknown variable hidden in an ``{% if %}`` is refused as surely as one printed directly, and
a tag outside that set (``{% include %}``, ``{% debug %}``, ``{% load %}``…) is refused by name.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Node, NodeList, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, IfNode, TemplateLiteral
from django.template.loader import render_to_string
from django.utils.html import linebreaks

from aftercare.variables import ALLOWED_FILTERS, allowed_names

# No loaders: {% include %} and {% extends %} cannot reach any file.
ENGINE = Engine(loaders=[], libraries={}, debug=False, string_if_invalid="")
ALLOWED_NODES = (TextNode, VariableNode, IfNode, CommentNode)


class TemplateProblem(Exception):
    """A template that cannot be rendered into a message: never sent, shown to staff."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _tag_name(node: Node) -> str:
    token = getattr(node, "token", None)
    contents = getattr(token, "contents", "") or ""
    return contents.split(" ", 1)[0] or type(node).__name__


def _check_variable(var: Variable, names: dict[str, dict[str, str]]) -> None:
    if var.lookups is None:  # a literal: "text" or 42
        return
    path = ".".join(var.lookups)
    group = var.lookups[0]
    if group not in names or len(var.lookups) != 2 or var.lookups[1] not in names[group]:
        raise TemplateProblem(
            f"Unknown variable {{{{ {path} }}}}. This kind of message can use: "
            + ", ".join(f"{g}.{n}" for g, fields in names.items() for n in fields)
            + "."
        )


def _check_expression(expression: FilterExpression, names: dict[str, dict[str, str]]) -> None:
    if isinstance(expression.var, Variable):
        _check_variable(expression.var, names)
    for func, args in expression.filters:
        name = getattr(func, "_filter_name", func.__name__)
        if name not in ALLOWED_FILTERS:
            raise TemplateProblem(
                f"The filter |{name} is not allowed. Allowed: {', '.join(sorted(ALLOWED_FILTERS))}."
            )
        for is_lookup, arg in args:
            if is_lookup and isinstance(arg, Variable):
                _check_variable(arg, names)


def _check_condition(condition, names: dict[str, dict[str, str]]) -> None:
    if condition is None:
        return
    if isinstance(condition, TemplateLiteral):
        _check_expression(condition.value, names)
        return
    _check_condition(getattr(condition, "first", None), names)
    _check_condition(getattr(condition, "second", None), names)


def _walk(nodelist: NodeList, names: dict[str, dict[str, str]]) -> None:
    for node in nodelist:
        if not isinstance(node, ALLOWED_NODES):
            raise TemplateProblem(
                f"The {{% {_tag_name(node)} %}} tag is not allowed; use text, "
                "{{ variables }}, {% if %} and {% comment %}."
            )
        if isinstance(node, TextNode):
            stray = next((m for m in ("{{", "}}", "{%", "%}") if m in node.s), None)
            if stray:
                near = node.s[max(node.s.find(stray) - 20, 0) : node.s.find(stray) + 30]
                raise TemplateProblem(
                    f"Template syntax error: an unmatched {stray} near “{' '.join(near.split())}”."
                )
        elif isinstance(node, VariableNode):
            _check_expression(node.filter_expression, names)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                _check_condition(condition, names)
                _walk(branch, names)


def template_compile(source: str, *, kind: str, for_step: bool = False):
    """The compiled template, or TemplateProblem with a message a manager understands."""
    try:
        template = ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(f"Template syntax error: {error}") from None
    _walk(template.nodelist, allowed_names(kind, for_step=for_step))
    return template


def template_check(source: str, *, kind: str, field: str, for_step: bool = False) -> None:
    """Form and service validation: ValidationError on ``field`` when the source is refused."""
    try:
        template_compile(source, kind=kind, for_step=for_step)
    except TemplateProblem as problem:
        raise ValidationError({field: str(problem)}) from None


def render_source(
    source: str, context: dict, *, kind: str, autoescape: bool, for_step=False
) -> str:
    template = template_compile(source, kind=kind, for_step=for_step)
    try:
        return template.render(Context(context, autoescape=autoescape))
    except Exception as error:  # noqa: BLE001 - any rendering failure must fail the message
        raise TemplateProblem(f"Rendering failed: {error}") from error


def one_line(text: str) -> str:
    """A subject is one header line: collapse newlines and runs of spaces."""
    return " ".join(text.split())


def render_email(
    *, kind: str, subject: str, body_text: str, body_html: str, context: dict
) -> RenderedEmail:
    """Subject, plain text and branded HTML of one message; TemplateProblem if any part fails."""
    rendered_subject = one_line(render_source(subject, context, kind=kind, autoescape=False))
    if not rendered_subject:
        raise TemplateProblem("The subject is empty once rendered.")
    text_body = render_source(body_text, context, kind=kind, autoescape=False).strip()
    if not text_body:
        raise TemplateProblem("The body is empty once rendered.")
    if body_html.strip():
        html_body = render_source(body_html, context, kind=kind, autoescape=True)
    else:
        html_body = linebreaks(text_body, autoescape=True)
    layout = {
        "subject": rendered_subject,
        "body_html": html_body,
        "body_text": text_body,
        "clinic": context["clinic"],
        "links": context["links"],
        "client": context["client"],
    }
    text = render_to_string("aftercare/email/layout.txt", layout)
    html = render_to_string("aftercare/email/layout.html", layout)
    return RenderedEmail(subject=rendered_subject, text=text, html=html)
