"""The customer panel and its edits: profile, a new identity, a merge, all through the
customers actions and customers.access (read by every agent of a shared directory,
changed only by those who hold one of the customer's conversations)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from customers.access import CustomerNotYours, access_customer
from customers.actions.merge import MergeError, do_merge_customers
from customers.actions.profile import IdentityTaken, do_add_identity, do_update_customer
from customers.identities import InvalidIdentity
from workspace.forms import CustomerForm, IdentityForm, OtherForm, first_error
from workspace.queries import customer_panel
from workspace.web import agent_page, done, me, refused


@agent_page
@require_GET
def panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = access_customer(request.user, customer_id)
    current = request.GET.get("conversation", "")
    return render(request, "workspace/partials/customer_panel.html", {
        "panel": customer_panel(request.user, customer),
        "current_id": int(current) if current.isdigit() and len(current) < 19 else None,
    })


@agent_page
@require_POST
def edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    try:
        customer = access_customer(request.user, customer_id, for_write=True)
    except CustomerNotYours as exc:
        return refused(str(exc), 403)
    form = CustomerForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    changes = {k: v for k, v in form.cleaned_data.items() if k in request.POST}
    do_update_customer(customer, **changes)
    return done()


@agent_page
@require_POST
def add_identity(request: HttpRequest, customer_id: int) -> HttpResponse:
    try:
        customer = access_customer(request.user, customer_id, for_write=True)
    except CustomerNotYours as exc:
        return refused(str(exc), 403)
    form = IdentityForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    try:
        identity = do_add_identity(customer, form.cleaned_data["kind"], form.cleaned_data["value"])
    except InvalidIdentity as exc:
        return refused(str(exc))
    except IdentityTaken as exc:
        return refused(f"{exc} Merge the two customers instead.", 409)
    return done(id=identity.pk)


@agent_page
@require_POST
def merge(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Merge customer `other` into this one."""
    form = OtherForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    try:
        target = access_customer(request.user, customer_id, for_write=True)
        source = access_customer(request.user, form.cleaned_data["other"], for_write=True)
        do_merge_customers(target=target, source=source, by=me(request))
    except CustomerNotYours as exc:
        return refused(str(exc), 403)
    except MergeError as exc:
        return refused(str(exc))
    return done()
