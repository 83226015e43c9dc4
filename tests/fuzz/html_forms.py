"""The forms of a rendered page, read the way a browser would: every named control, what
kind it is, and the value a browser would send untouched."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django import forms
from django.urls import Resolver404, resolve


@dataclass
class Control:
    name: str
    kind: str  # an input type, "select", "select-multiple", "textarea" or "button"
    values: list[str] = field(default_factory=list)  # what the browser would send as is
    options: list[str] = field(default_factory=list)  # every value a select or radio offers


@dataclass
class PostForm:
    action: str | None
    controls: dict[str, Control] = field(default_factory=dict)
    method: str = "post"  # "get" for a search or filter form


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PostForm] = []
        self._form: PostForm | None = None
        self._select: Control | None = None
        self._option: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._textarea: Control | None = None

    def _add(self, name: str, kind: str) -> Control:
        control = self._form.controls.get(name)
        if control is None:
            control = self._form.controls[name] = Control(name=name, kind=kind)
        return control

    def handle_starttag(self, tag, attrs):
        a = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            post = (a.get("method") or "").lower() == "post" or "hx-post" in a
            self._form = PostForm(
                action=a.get("action") or a.get("hx-post") or a.get("hx-get") or None,
                method="post" if post else "get",
            )
            self.forms.append(self._form)
            return
        if self._form is None or (tag != "option" and not a.get("name")):
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            control = self._add(a["name"], kind)
            if kind in ("checkbox", "radio"):
                control.options.append(a.get("value", "on"))
                if "checked" in a:
                    control.values.append(a.get("value", "on"))
            elif kind not in ("file", "submit", "image", "reset", "button"):
                control.values.append(a.get("value", ""))
            elif kind == "submit":
                control.options.append(a.get("value", ""))
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            self._add(a["name"], "button").options.append(a.get("value", ""))
        elif tag == "select":
            self._select = self._add(a["name"], "select-multiple" if "multiple" in a else "select")
        elif tag == "option" and self._select is not None:
            self._option = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""
        elif tag == "textarea":
            self._textarea = self._add(a["name"], "textarea")
            self._textarea.values.append("")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.values[-1] += data
        if self._option is not None or self._select is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            select = self._select
            if select is not None and select.kind == "select" and select.options:
                # A browser sends the first option when none is marked selected.
                select.values = select.values or [select.options[0]]
            self._select = None
        elif tag == "option" and self._select is not None:
            value = self._option if self._option is not None else self._option_text.strip()
            self._select.options.append(value)
            if self._option_selected:
                self._select.values.append(value)
            self._option = None
        elif tag == "textarea":
            self._textarea = None


def _forms(html: str) -> list[PostForm]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def post_forms(html: str) -> list[PostForm]:
    return [form for form in _forms(html) if form.method == "post"]


def get_forms(html: str) -> list[PostForm]:
    return [form for form in _forms(html) if form.method == "get"]


def form_controls(html: str, *, page_url: str, url: str, url_name: str) -> dict | None:
    """The controls of the page's POST forms that send to ``url_name`` (a form without an
    action sends to the page itself, which is ``url``'s own page), the CSRF token left out;
    None when the page has no such form."""
    found = None
    for form in post_forms(html):
        action = urlsplit(form.action).path if form.action else urlsplit(page_url).path
        try:
            target = resolve(action).view_name
        except Resolver404:
            continue
        if target == url_name or (form.action is None and page_url == url):
            found = found if found is not None else {}
            found.update(form.controls)
    if found is not None:
        found.pop("csrfmiddlewaretoken", None)
    return found


def controls_of(form_class: type[forms.Form]) -> dict[str, Control]:
    """The controls a form class would render, for forms no fetched page shows."""
    found = {}
    for name, form_field in form_class.base_fields.items():
        widget = form_field.widget
        if isinstance(widget, forms.Textarea):
            kind = "textarea"
        elif isinstance(widget, forms.SelectMultiple):
            kind = "select-multiple"
        elif isinstance(widget, forms.Select):
            kind = "select"
        else:
            kind = getattr(widget, "input_type", "text")
        options = []
        if isinstance(getattr(form_field, "choices", None), list):
            options = [str(value) for value, _ in form_field.choices]
        found[name] = Control(name=name, kind=kind, values=[], options=options)
    return found
