"""The template library over HTTP. The rules live in wiki.templatelib.services."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import crypto
from accounts.filetypes import RefusedFile
from accounts.sessions import current_sign_in
from accounts.views import attachment_header
from mycarebudget.access import MEMBER, MODERATOR, POSTER, PUBLIC, access
from mycarebudget.moderation.powers import can_moderate, moderator_required
from wiki.diff import line_diff
from wiki.templatelib import services
from wiki.templatelib.fields import parse_fields
from wiki.templatelib.formats import CONTENT_TYPES, FORMAT_LABELS
from wiki.templatelib.forms import ApproveForm, RejectForm, TemplateForm, fill_form_class
from wiki.templatelib.models import Job, Template, TemplateProposal, TemplateSlugRedirect, TemplateVersion


def _find(slug: str, suffix: str = "") -> Template | HttpResponse:
    """The template at this address, a 301 from an old address, or 404."""
    template = Template.objects.live().filter(slug=slug).first()
    if template is not None:
        return template
    moved = TemplateSlugRedirect.objects.filter(old_slug=slug).select_related("template").first()
    if moved is None:
        raise Http404("No such template")
    return HttpResponsePermanentRedirect(moved.template.get_absolute_url() + suffix)


def _crumbs(template: Template | None = None, *extra):
    crumbs = [("Templates", reverse("templatelib:template_index"))]
    if template is not None:
        crumbs.append((template.title, template.get_absolute_url()))
    return crumbs + list(extra)


@access(PUBLIC)
@require_safe
def template_index(request):
    templates = Template.objects.live().only("title", "slug", "summary", "job", "shape", "suits")
    order = {value: index for index, value in enumerate(Job.values)}
    templates = sorted(templates, key=lambda template: (order.get(template.job, 99), template.title))
    jobs = [(Job(job).label, job, list(group)) for job, group in groupby(templates, key=lambda t: t.job)]
    return render(request, "wiki/templatelib/template_index.html", {"jobs": jobs, "crumbs": [("Templates", "")]})


@access(PUBLIC)
@require_safe
def template_by_id(request, pk):
    """A permanent link by number, which survives any rename."""
    template = get_object_or_404(Template.objects.only("slug"), pk=pk)
    return redirect(template)


@access(PUBLIC)
@require_safe
def template_detail(request, slug):
    found = _find(slug)
    if isinstance(found, HttpResponse):
        return found
    template = found
    files = {file.format: file.size for file in services.stored_files(template)}
    return render(request, "wiki/templatelib/template_detail.html", {
        "template": template, "fields": parse_fields(template.fields),
        "files": [(fmt, FORMAT_LABELS[fmt], files.get(fmt)) for fmt in template.formats() if fmt in files],
        "crumbs": _crumbs(None, (template.get_job_display(), reverse("templatelib:template_index")
                                 + f"#{template.job}")),
    })


@access(PUBLIC)
@require_safe
def template_download(request, slug, fmt):
    """The current version's stored file. Counted, as a number only."""
    found = _find(slug, f"download.{fmt}")
    if isinstance(found, HttpResponse):
        return found
    template = found
    stored = services.stored_file(template, fmt)
    if stored is None:
        raise Http404("No such file")
    services.count_download(template)
    return _file_response(bytes(stored.data), fmt=fmt, filename=f"{template.slug}.{fmt}", public=True)


def _file_response(data: bytes, *, fmt: str, filename: str, public: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment_header(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    if public:
        patch_cache_control(response, public=True, max_age=300)
    else:
        response["Cache-Control"] = "private, no-store"
    return response


@access(PUBLIC)
@require_safe
def template_print(request, slug):
    """The template itself as a web page, for reading and printing."""
    found = _find(slug, "print/")
    if isinstance(found, HttpResponse):
        return found
    return render(request, "wiki/templatelib/template_print.html", {
        "template": found, "crumbs": _crumbs(found, ("Print view", ""))})


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def template_fill(request, slug):
    """Fill in the fields, then download the filled copy or save it into private documents.

    What is typed goes into the file and nowhere else: it is not stored, logged or cached.
    """
    found = _find(slug, "fill/")
    if isinstance(found, HttpResponse):
        return found
    template = found
    fields = parse_fields(template.fields)
    form = fill_form_class(fields, template.formats())(request.POST or None)
    save_format = services.SAVE_FORMATS[template.shape]
    if form.is_valid():
        values = {field.name: form.cleaned_data.get(field.name) for field in fields}
        if request.POST.get("action") == "save":
            try:
                document = services.save_filled_to_documents(template=template, owner=request.user, values=values,
                                                             sign_in=current_sign_in(request))
            except crypto.KeyUnavailable:
                messages.error(request, "Saving to your documents is not working at the moment. Download the "
                                        "filled-in copy instead, or try again later")
            except RefusedFile as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Your filled-in “{template.title}” is saved in your documents, "
                                          "encrypted")
                return redirect(document)
        else:
            fmt = form.cleaned_data["format"]
            filename, data = services.filled_file(template=template, fmt=fmt, values=values)
            return _file_response(data, fmt=fmt, filename=filename, public=False)
    response = render(request, "wiki/templatelib/template_fill.html", {
        "template": template, "form": form, "field_names": [field.name for field in fields],
        "save_label": FORMAT_LABELS[save_format], "save_format": save_format,
        "crumbs": _crumbs(template, ("Fill it in", ""))}, status=400 if form.errors else 200)
    response["Cache-Control"] = "private, no-store"
    return response


@access(PUBLIC)
@require_safe
def template_history(request, slug):
    found = _find(slug, "history/")
    if isinstance(found, HttpResponse):
        return found
    versions = TemplateVersion.objects.filter(template=found).select_related("author").order_by("-number")
    return render(request, "wiki/templatelib/template_history.html", {
        "template": found, "page_obj": Paginator(versions, 25).get_page(request.GET.get("page")),
        "crumbs": _crumbs(found, ("History", ""))})


@access(PUBLIC)
@require_safe
def template_version(request, slug, number):
    found = _find(slug, f"versions/{number}/")
    if isinstance(found, HttpResponse):
        return found
    version = get_object_or_404(TemplateVersion.objects.select_related("author"), template=found, number=number)
    return render(request, "wiki/templatelib/template_version.html", {
        "template": found, "version": version,
        "crumbs": _crumbs(found, ("History", reverse("templatelib:template_history", args=[found.slug])),
                          (f"Version {number}", ""))})


@access(PUBLIC)
@require_safe
def template_compare_choose(request, slug):
    try:
        a, b = sorted([int(request.GET["a"]), int(request.GET["b"])])
    except (KeyError, ValueError):
        messages.error(request, "Choose two versions to compare")
        return redirect("templatelib:template_history", slug)
    return redirect("templatelib:template_compare", slug, a, b)


@access(PUBLIC)
@require_safe
def template_compare(request, slug, a, b):
    found = _find(slug, f"compare/{a}/{b}/")
    if isinstance(found, HttpResponse):
        return found
    versions = {v.number: v for v in TemplateVersion.objects.filter(template=found, number__in=[a, b])
                .select_related("revision")}
    if a not in versions or b not in versions:
        raise Http404("No such version")
    old, new = versions[a].content(), versions[b].content()
    return render(request, "wiki/templatelib/template_compare.html", {
        "template": found, "old": versions[a], "new": versions[b], **_diff(old, new),
        "crumbs": _crumbs(found, ("History", reverse("templatelib:template_history", args=[found.slug])),
                          (f"Compare {a} and {b}", ""))})


SHORT_FIELDS = {"title": "Title", "slug": "Web address", "summary": "Summary", "job": "Job",
                "suits": "Who it suits", "shape": "Kind of file", "layout": "Spreadsheet layout",
                "document_kind": "Type in private documents", "sources": "Sources",
                "last_checked": "Facts last checked", "next_review": "Next review due"}
LONG_FIELDS = {"about": "About this template", "fields": "Fields to fill in", "body": "The template"}


def _diff(old: dict, new: dict) -> dict:
    """What changed: short fields side by side, long ones as line diffs."""
    def shown(value):
        return "" if value is None else str(value)

    changes = [{"label": label, "old": shown(old.get(name)), "new": shown(new.get(name))}
               for name, label in SHORT_FIELDS.items() if shown(old.get(name)) != shown(new.get(name))]
    sections = [(label, line_diff(shown(old.get(name)), shown(new.get(name)))) for name, label in LONG_FIELDS.items()]
    return {"changes": changes, "sections": sections}


@access(POSTER)
@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, slug):
    found = _find(slug, "edit/")
    if isinstance(found, HttpResponse):
        return found
    return _edit(request, found)


@access(POSTER)
@login_required
@require_http_methods(["GET", "POST"])
def template_new(request):
    return _edit(request, None)


def _edit(request, template: Template | None):
    notice = services.suspension_notice(request.user)
    if notice:
        return render(request, "wiki/templatelib/template_edit.html", {
            "template": template, "suspended": notice, "crumbs": _crumbs(template)}, status=403)
    initial = TemplateForm.initial_for(template) if template else {"shape": "document", "document_kind": "other"}
    form = TemplateForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            proposal = services.propose_change(
                template=template, author=request.user, content=form.content(),
                edit_summary=form.cleaned_data["edit_summary"],
                base_revision=template.revision if template else 0,
                submission_key=form.cleaned_data["submission_key"])
        except services.TemplateChanged:
            form.add_error("body", "This template changed while you were editing it. Your text is kept below: "
                                   "open the template again in another tab, copy your change across, then send it")
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            if proposal.status == TemplateProposal.Status.APPROVED:
                messages.success(request, "Your change is published")
                return redirect(proposal.template)
            messages.success(request, "Thank you. Your change has been sent to a moderator, who will check it "
                                      "before it is published. We will email you when they decide")
            return redirect(template or "templatelib:template_index")
    return render(request, "wiki/templatelib/template_edit.html", {
        "template": template, "form": form, "is_moderator": can_moderate(request.user),
        "crumbs": _crumbs(template, ("Suggest a change" if template else "Propose a template", ""))},
        status=400 if form.errors else 200)


@access(MODERATOR)
@moderator_required
@require_safe
def moderation_queue(request):
    pending = (TemplateProposal.objects.filter(status=TemplateProposal.Status.PENDING)
               .select_related("template", "author").order_by("created_at"))
    return render(request, "wiki/templatelib/moderation_queue.html", {
        "page_obj": Paginator(pending, 25).get_page(request.GET.get("page")), "moderation_tab": "templates",
        "crumbs": [("Moderation", "/moderation/"), ("Template changes", "")]})


def _review(request, proposal, approve_form, reject_form, status=200):
    current = proposal.template.content() if proposal.template_id else {
        name: "" for name in proposal.content()}
    return render(request, "wiki/templatelib/moderation_review.html", {
        "proposal": proposal, "approve_form": approve_form, "reject_form": reject_form, "form": reject_form,
        "moderation_tab": "templates", **_diff(current, proposal.content()),
        "crumbs": [("Moderation", "/moderation/"), ("Template changes", reverse("templatelib:moderation_queue")),
                   (proposal.title, "")]}, status=status)


@access(MODERATOR)
@moderator_required
@require_safe
def moderation_review(request, pk):
    proposal = get_object_or_404(TemplateProposal.objects.select_related("template", "author"), pk=pk)
    return _review(request, proposal, ApproveForm(), RejectForm())


@access(MODERATOR)
@moderator_required
@require_POST
def moderation_approve(request, pk):
    proposal = get_object_or_404(TemplateProposal.objects.select_related("template", "author"), pk=pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _review(request, proposal, form, RejectForm(), status=400)
    try:
        version = services.approve_change(proposal=proposal, moderator=request.user, note=form.cleaned_data["note"])
    except services.AlreadyDecided:
        messages.error(request, "Another moderator already decided this change. Nothing more was published")
        return redirect("templatelib:moderation_review", pk)
    except services.TemplateChanged:
        messages.error(request, "The template changed since this was written. Reject it and ask the author to "
                                "redo it on the new version")
        return redirect("templatelib:moderation_review", pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("templatelib:moderation_review", pk)
    messages.success(request, f"Published as version {version.number} of “{version.title}”")
    return redirect("templatelib:moderation_queue")


@access(MODERATOR)
@moderator_required
@require_POST
def moderation_reject(request, pk):
    proposal = get_object_or_404(TemplateProposal.objects.select_related("template", "author"), pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _review(request, proposal, ApproveForm(), form, status=400)
    try:
        services.reject_change(proposal=proposal, moderator=request.user, reason=form.cleaned_data["reason"])
    except services.AlreadyDecided:
        messages.error(request, "Another moderator already decided this change. Your decision was not recorded")
        return redirect("templatelib:moderation_review", pk)
    messages.success(request, "The change was not accepted. The author has been told why")
    return redirect("templatelib:moderation_queue")
