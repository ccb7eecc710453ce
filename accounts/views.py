"""Your account, private documents, your data and account deletion. HTTP only: rules live in services."""

import dataclasses
import datetime
import logging
import secrets
import time
import unicodedata
from functools import wraps
from urllib.parse import quote, urlencode

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from accounts import crypto, exports, services
from accounts.filetypes import ACCEPTED_EXTENSIONS, RefusedFile, kind_label
from accounts.forms import (
    DeleteAccountForm,
    DisplayNameForm,
    DocumentDetailsForm,
    DocumentFilterForm,
    DocumentReplaceForm,
    DocumentUploadForm,
    PasswordCheckForm,
)
from accounts.models import Document, DocumentEvent, DocumentVersion, User
from accounts.sessions import LAST_USED_EVERY, client_ip, current_sign_in
from accounts.text import describe_device, format_bytes, network_of
from accounts.twostep import has_two_step
from accounts.uploads import DocumentUploadHandler
from mycarebudget.access import MEMBER, OWNER, PUBLIC, access
from mycarebudget.forms import SubmissionKeyMixin

logger = logging.getLogger(__name__)


def document_key_required(view):
    """Document pages refuse to work, with a clear 503 page, when no master key is configured."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            crypto.load_keyring()
        except crypto.KeyUnavailable as error:
            logger.error("private documents unavailable: %s", error)
            return render(request, "accounts/documents_unavailable.html", status=503)
        return view(request, *args, **kwargs)

    return wrapper


def _space(user) -> dict:
    used = services.used_bytes(user)
    quota = settings.DOCUMENT_QUOTA_BYTES
    return {"used": format_bytes(used), "quota": format_bytes(quota),
            "left": format_bytes(max(quota - used, 0)),
            "percent": min(100, round(used * 100 / quota)) if quota else 100}


def _owned_document(request, pk) -> Document:
    """Owners only. Anyone else, staff and moderators included, gets a 404."""
    return get_object_or_404(Document.objects.owned_by(request.user), pk=pk)


# Your account ------------------------------------------------------------------------------------

@access(MEMBER)
@never_cache
@login_required
@require_safe
def account_home(request):
    user = request.user
    return render(request, "accounts/account_home.html", {
        "has_two_step": has_two_step(user),
        "document_count": Document.objects.owned_by(user).count(),
        "space": _space(user),
    })


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def display_name_edit(request):
    form = DisplayNameForm(request.POST if request.method == "POST" else None, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, "Your display name has been changed")
        return redirect("accounts:home")
    return render(request, "accounts/display_name.html", {"form": form}, status=400 if form.errors else 200)


@access(PUBLIC)
@require_safe
def member_profile(request, pk):
    """A member's public profile: their display name, when they joined, their public posts and
    published guide edits. Nothing private: no email, no held, hidden or deleted posts."""
    from forum.models import Post
    from mycarebudget.moderation.powers import is_moderator
    from wiki.models import PageVersion

    # Only once their address is confirmed: a sign-up made with someone else's address publishes nothing.
    confirmed = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    member = get_object_or_404(User.objects.filter(Exists(confirmed), is_active=True).exclude(display_name=""), pk=pk)
    posts = (Post.objects.public().filter(author=member).exclude(kind=Post.Kind.STATUS)
             .select_related("topic").order_by("-created_at"))
    edits = (PageVersion.objects.filter(author=member, page__retired_at__isnull=True)
             .select_related("page").order_by("-created_at"))
    return render(request, "accounts/member_profile.html", {
        "member": member, "member_is_moderator": is_moderator(member),
        "posts": Paginator(posts, 20).get_page(request.GET.get("page")),
        "post_count": posts.count(), "edits": edits[:20], "edit_count": edits.count(),
    })


# Documents ---------------------------------------------------------------------------------------

@access(MEMBER)
@never_cache
@login_required
@require_safe
@document_key_required
def document_list(request):
    """The member's documents, found by name (searched in memory: names are encrypted), filtered by
    kind and year of the document's date, sorted and paged."""
    keyring = crypto.load_keyring()
    form = DocumentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    documents = list(Document.objects.owned_by(request.user)
                     .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))))
    query = (filters.get("q") or "").casefold()
    rows = []
    for document in documents:
        if filters.get("kind") and document.kind != filters["kind"]:
            continue
        if filters.get("year") and (document.document_date is None
                                    or document.document_date.year != filters["year"]):
            continue
        name = services.read_details(document, keyring).name
        if query and query not in name.casefold():
            continue
        versions = list(document.versions.all())
        rows.append({"document": document, "name": name, "latest": versions[0] if versions else None,
                     "version_count": len(versions)})
    sort = filters.get("sort") or "date"
    rows.sort(key=SORTS[sort][0], reverse=SORTS[sort][1])
    page = Paginator(rows, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    years = sorted({document.document_date.year for document in documents if document.document_date}, reverse=True)
    form.fields["year"].widget.choices = [("", "Any year"), *((year, str(year)) for year in years)]
    query_prefix = urlencode({key: value for key, value in request.GET.items() if key != "page" and value})
    return render(request, "accounts/document_list.html", {
        "rows": page, "page_obj": page, "form": form, "query_prefix": query_prefix,
        "is_filtered": bool(query or filters.get("kind") or filters.get("year")),
        "has_documents": bool(documents), "space": _space(request.user)})


DOCUMENTS_PER_PAGE = 25
_NO_DATE = datetime.date.min
# DocumentFilterForm's sort choices: (key, newest first?). Undated documents go last either way.
SORTS = {
    "date": (lambda row: (row["document"].document_date or _NO_DATE, row["document"].updated_at), True),
    "date_oldest": (lambda row: (row["document"].document_date or datetime.date.max, row["document"].updated_at),
                    False),
    "name": (lambda row: row["name"].casefold(), False),
    "uploaded": (lambda row: row["document"].updated_at, True),
}


def _upload_status(request, form) -> int:
    if getattr(request, "document_too_large", False):
        return 413
    return 400 if form.errors else 200


def _store_upload(request, form, store):
    """``store(cleaned_data)`` for a valid upload under the size limit, or None with the reason on
    the form (too large, invalid, or refused by its content)."""
    if request.method != "POST":
        return None
    is_valid = form.is_valid()
    if getattr(request, "document_too_large", False):
        _file_error(form, _too_large_message())
        return None
    if getattr(request, "document_no_space", False):
        _file_error(form, services.NO_SPACE_MESSAGE)
        return None
    if not is_valid:
        return None
    try:
        return store(form.cleaned_data)
    except RefusedFile as refusal:
        _file_error(form, refusal.message)
        return None


def _sent_key(request) -> str:
    """The form's submission key on a POST ("" otherwise, or when it is not one of ours)."""
    if request.method != "POST":
        return ""
    form = SubmissionKeyMixin({"submission_key": request.POST.get("submission_key", "")})
    return form.cleaned_data["submission_key"] if form.is_valid() else ""


def _too_large_message() -> str:
    return (f"The selected file is larger than {format_bytes(settings.DOCUMENT_MAX_BYTES)}. "
            "Choose a smaller file, or split it into parts.")


def _file_error(form, message: str) -> None:
    form.errors.pop("file", None)
    form.add_error("file", ValidationError(message))


@access(MEMBER)
@csrf_exempt  # only so the upload handler can be swapped first: _document_upload checks CSRF
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request):
    request.upload_handlers = [DocumentUploadHandler(request)]
    return _document_upload(request)


@csrf_protect
@document_key_required
def _document_upload(request):
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    # Sent again (a double click, Reload after a lost answer): land where the first send did.
    documents = services.documents_sent_before(owner=request.user, submission_key=_sent_key(request))
    documents = documents or _store_upload(request, form, lambda data: services.store_documents(
        owner=request.user, uploads=data["file"], kind=data["kind"], name=data["name"], note=data["note"],
        document_date=data["document_date"], sign_in=current_sign_in(request),
        submission_key=data["submission_key"]))
    if documents:
        if len(documents) == 1:
            messages.success(request, "Your document has been uploaded and encrypted")
            return redirect(documents[0])
        messages.success(request, f"Your {len(documents)} documents have been uploaded and encrypted")
        return redirect("accounts:document_list")
    return render(request, "accounts/document_upload.html", {"form": form, "space": _space(request.user),
                                                             "accepted_extensions": ACCEPTED_EXTENSIONS},
                  status=_upload_status(request, form))


@access(OWNER)
@never_cache
@login_required
@require_safe
@document_key_required
def document_detail(request, pk):
    document = _owned_document(request, pk)
    keyring = crypto.load_keyring()
    details = services.read_details(document, keyring)
    versions = list(document.versions.order_by("-number"))
    return render(request, "accounts/document_detail.html", {
        "document": document, "details": details, "versions": versions,
        "latest": versions[0] if versions else None,
    })


@access(OWNER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@document_key_required
def document_edit(request, pk):
    document = _owned_document(request, pk)
    details = services.read_details(document)
    form = DocumentDetailsForm(request.POST or None,
                               initial={"name": details.name, "kind": document.kind, "note": details.note,
                                        "document_date": document.document_date})
    if form.is_valid():
        services.change_document(document=document, owner=request.user, sign_in=current_sign_in(request),
                                 **form.cleaned_data)
        messages.success(request, "The document's details have been saved")
        return redirect(document)
    return render(request, "accounts/document_edit.html",
                  {"document": document, "details": details, "form": form},
                  status=400 if form.errors else 200)


@access(OWNER)
@csrf_exempt  # only so the upload handler can be swapped first: _document_replace checks CSRF
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def document_replace(request, pk):
    request.upload_handlers = [DocumentUploadHandler(request)]
    return _document_replace(request, pk)


@csrf_protect
@document_key_required
def _document_replace(request, pk):
    document = _owned_document(request, pk)
    details = services.read_details(document)
    form = DocumentReplaceForm(request.POST or None, request.FILES or None)
    version = services.version_sent_before(document=document, owner=request.user,
                                           submission_key=_sent_key(request))
    version = version or _store_upload(request, form, lambda data: services.replace_document(
        document=document, owner=request.user, upload=data["file"], sign_in=current_sign_in(request),
        submission_key=data["submission_key"]))
    if version is not None:
        messages.success(request, f"Version {version.number} has been uploaded. Earlier versions are kept")
        previous = document.versions.filter(number__lt=version.number).order_by("-number").first()
        if previous is not None and previous.content_type != version.content_type:
            messages.warning(request, f"Version {version.number} is {kind_label(version.content_type)}, but "
                                      f"version {previous.number} was {kind_label(previous.content_type)}. "
                                      "If you chose the wrong file, upload the right one as a new version.")
        return redirect(document)
    return render(request, "accounts/document_replace.html",
                  {"document": document, "details": details, "form": form, "space": _space(request.user),
                   "accepted_extensions": ACCEPTED_EXTENSIONS},
                  status=_upload_status(request, form))


@access(OWNER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@document_key_required
def document_delete(request, pk):
    document = _owned_document(request, pk)
    details = services.read_details(document)
    if request.method == "POST":
        services.delete_document(document=document, owner=request.user, sign_in=current_sign_in(request))
        messages.success(request, f"“{details.name}” and all its versions have been deleted")
        return redirect("accounts:document_list")
    version_count = document.versions.count()
    return render(request, "accounts/document_delete.html",
                  {"document": document, "details": details, "version_count": version_count})


def attachment_header(filename: str) -> str:
    """attachment; an ASCII fallback name; and the real name as RFC 5987 UTF-8."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = "".join(ch if ch.isprintable() and ch not in '"\\;' else "_" for ch in fallback) or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _download(request, document, version, *, number_in_name: bool):
    details = services.read_details(document)
    original = services.read_version_filename(version, document)
    try:
        chunks = services.open_version(document=document, version=version, owner=request.user)
    except crypto.DecryptionFailed:
        logger.error("document %s version %s failed its integrity check", document.pk, version.number)
        return render(request, "accounts/document_damaged.html", {"document": document}, status=500)
    services.record_download(document=document, owner=request.user, version=version,
                             sign_in=current_sign_in(request))
    filename = services.download_filename(name=details.name, original=original,
                                          number=version.number if number_in_name else None)
    response = StreamingHttpResponse(chunks, content_type=version.content_type)
    response["Content-Length"] = str(version.size)
    response["Content-Disposition"] = attachment_header(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@access(OWNER)
@never_cache
@login_required
@require_safe
@document_key_required
def document_download(request, pk):
    document = _owned_document(request, pk)
    version = document.versions.order_by("-number").first()
    if version is None:
        return render(request, "404.html", status=404)
    return _download(request, document, version, number_in_name=False)


@access(OWNER)
@never_cache
@login_required
@require_safe
@document_key_required
def version_download(request, pk, number):
    document = _owned_document(request, pk)
    version = get_object_or_404(document.versions, number=number)
    return _download(request, document, version, number_in_name=True)


@access(MEMBER)
@never_cache
@login_required
@require_safe
@document_key_required
def document_activity(request):
    events = DocumentEvent.objects.filter(owner=request.user).select_related("sign_in")
    page = Paginator(events, 25).get_page(request.GET.get("page"))
    ids = {event.document_id for event in page}
    keyring = crypto.load_keyring()
    names = {document.pk: services.read_details(document, keyring).name
             for document in Document.objects.owned_by(request.user).filter(pk__in=ids)}
    rows = [{"event": event, "name": names.get(event.document_id)} for event in page]
    current = request.session.get("accounts_sign_in")
    return render(request, "accounts/document_activity.html",
                  {"rows": rows, "page_obj": page, "current_sign_in_id": current})


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def devices(request):
    """Where the member is signed in, and a way to sign out everywhere else (as Nextcloud and GOV.UK do)."""
    current = current_sign_in(request)
    if request.method == "POST":
        ended = services.sign_out_other_devices(user=request.user, keep=current)
        messages.success(request, f"You have been signed out on {ended} other device{'s' if ended != 1 else ''}"
                         if ended else "You were not signed in anywhere else")
        return redirect("accounts:devices")
    here = network_of(client_ip(request))  # compared with the stored networks, then forgotten
    recent = timezone.now() - LAST_USED_EVERY
    rows = [{"sign_in": sign_in, "device": describe_device(sign_in.user_agent),
             "is_current": current is not None and sign_in.pk == current.pk,
             "used_recently": sign_in.last_used_at is not None and sign_in.last_used_at >= recent,
             "same_network": here is not None and sign_in.ip_address == here}
            for sign_in in services.signed_in_devices(request.user)]
    return render(request, "accounts/devices.html", {
        "rows": rows, "others": sum(not r["is_current"] for r in rows),
        "every_minutes": int(LAST_USED_EVERY.total_seconds() // 60)})


# Your data and deleting your account ---------------------------------------------------------------

EXPORT_SESSION_KEY = "accounts_export"
EXPORT_LINK_SECONDS = 10 * 60


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def data_page(request):
    """Ask for the password here; then the 'ready' page starts the download and says it worked."""
    form = PasswordCheckForm(request.POST if request.method == "POST" else None, user=request.user,
                             request=request)
    if form.is_valid():
        request.session[EXPORT_SESSION_KEY] = {"token": secrets.token_urlsafe(24), "at": time.time()}
        return redirect("accounts:data_ready")
    return render(request, "accounts/data.html", {
        "form": form, "document_count": Document.objects.owned_by(request.user).count(),
        "space": _space(request.user)}, status=400 if form.errors else 200)


def _export_token(request) -> str | None:
    """The session's download token, while it is fresh (10 minutes after the password was given)."""
    export = request.session.get(EXPORT_SESSION_KEY) or {}
    if not export.get("token") or time.time() - export.get("at", 0) > EXPORT_LINK_SECONDS:
        return None
    return export["token"]


@access(MEMBER)
@never_cache
@login_required
@require_safe
def data_ready(request):
    token = _export_token(request)
    if token is None:
        return redirect("accounts:data")
    return render(request, "accounts/data_ready.html",
                  {"download_url": f"{reverse('accounts:data_download')}?{urlencode({'token': token})}"})


@access(MEMBER)
@never_cache
@login_required
@require_safe
@document_key_required
def data_download(request):
    """Everything we hold about the member, as one zip, streamed (no plaintext copy on our disk).
    Only with the token the password gave this session; anything else goes back to ask for it."""
    token = _export_token(request)
    if token is None or not secrets.compare_digest(token, request.GET.get("token", "")):
        return redirect("accounts:data")
    stream = exports.stream_user_data(user=request.user, sign_in=current_sign_in(request))
    response = StreamingHttpResponse(stream, content_type="application/zip")
    response["Content-Disposition"] = attachment_header(exports.export_filename())
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


ERASURE_SESSION_KEY = "accounts_erasure"


@access(MEMBER)
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """One form: the box and the password together. On success the member is signed out
    everywhere and sent to a page that says what was erased."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None,
                             user=request.user, request=request)
    if form.is_valid():
        try:
            erasure = services.delete_account(user=request.user)
        except DatabaseError:
            logger.exception("account deletion failed; nothing was erased")
            form.add_error(None, "We could not delete your account just now, and nothing has been erased. "
                                 "Try again in a few minutes.")
        else:
            logout(request)
            request.session[ERASURE_SESSION_KEY] = dataclasses.asdict(erasure)
            return redirect("accounts:deleted")
    return render(request, "accounts/account_delete.html", {
        "form": form, "document_count": Document.objects.owned_by(request.user).count(),
        "data_url": reverse("accounts:data"),
    }, status=400 if form.errors else 200)


@access(PUBLIC)
@never_cache
@require_safe
def account_deleted(request):
    """Shown once, to the browser that deleted the account; anyone else is sent home."""
    erasure = request.session.get(ERASURE_SESSION_KEY)
    if erasure is None or request.user.is_authenticated:
        return redirect("home")
    return render(request, "accounts/account_deleted.html", {"erasure": erasure})
