import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse


class UserManager(BaseUserManager):
    """Users sign in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A member of the site. The display name is public; the email never is."""

    username = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=50,
        help_text="Shown next to your posts and edits. Do not use your email address.",
    )

    # accounts.names.name_key(display_name): unique, so no two members' names look alike.
    # Deleted members have an empty name and key, and any number of them may.
    name_key = models.CharField(max_length=100, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        constraints = [models.UniqueConstraint(fields=["name_key"], condition=~models.Q(name_key=""),
                                               name="display_names_unlike_each_other")]

    def __str__(self) -> str:
        return self.display_name or f"Member {self.pk}"

    def save(self, *args, **kwargs):
        from accounts.names import name_key

        self.name_key = name_key(self.display_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "display_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    @property
    def public_name(self) -> str:
        return self.display_name if self.is_active else "deleted user"


class SignIn(models.Model):
    """One signed-in session, so the access log can say which session did what.

    The session key is kept only so that deleting the account can end the session;
    the owner sees the short reference, the time, the browser and the network. The address
    is stored shortened to its network (accounts.text.network_of), never in full.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_ins")
    reference = models.CharField(max_length=12)
    session_key = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True,
                                        help_text="Brought up to date at most every few minutes")
    ip_address = models.GenericIPAddressField(null=True, blank=True,
                                              help_text="The network only: the address with its end set to zero")
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"session {self.reference}"

    @property
    def browser(self) -> str:
        from accounts.text import describe_user_agent

        return describe_user_agent(self.user_agent)

    @property
    def network(self) -> str:
        """'203.0.113.x': the stored network, as people can read it."""
        from accounts.text import describe_network

        return describe_network(self.ip_address)


class DocumentKind(models.TextChoices):
    CARE_PLAN = "care_plan", "Care and support plan"
    PA_CONTRACT = "pa_contract", "PA contract"
    TIMESHEET = "timesheet", "Timesheet"
    BUDGET_STATEMENT = "budget_statement", "Budget statement"
    LETTER = "letter", "Letter"
    OTHER = "other", "Other"


class DocumentQuerySet(models.QuerySet):
    def owned_by(self, user) -> "DocumentQuerySet":
        """The only way in: every view reaches documents through this."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)


class Document(models.Model):
    """A member's private document. Its name and note are encrypted with the document's own key.

    The key (`wrapped_key`) is itself encrypted by a master key that is never in the database;
    `key_id` says which one. The file bodies are DocumentVersions, each with its own key.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    # The date on the paper (a statement's month, a letter's date), as the member gives it.
    document_date = models.DateField(null=True, blank=True)
    key_id = models.CharField(max_length=32)
    wrapped_key = models.BinaryField()
    name_encrypted = models.BinaryField()
    note_encrypted = models.BinaryField()
    # The upload form's hidden key: the same form sent twice is one document (services.store_document).
    submission_key = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "submission_key"], condition=~models.Q(submission_key=""),
                                    name="document_unique_submission"),
        ]

    def __str__(self) -> str:
        return f"document {self.pk}"  # never the name: it is health information

    def get_absolute_url(self) -> str:
        return reverse("accounts:document_detail", args=[self.pk])


class DocumentVersion(models.Model):
    """One uploaded file. Earlier versions stay downloadable until the document is deleted."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    blob_name = models.CharField(max_length=200, unique=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100)
    key_id = models.CharField(max_length=32)
    wrapped_key = models.BinaryField()
    filename_encrypted = models.BinaryField()
    # The new-version form's hidden key: the same form sent twice is one version (services.replace_document).
    submission_key = models.CharField(max_length=40, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_number_per_version"),
            models.UniqueConstraint(fields=["document", "submission_key"], condition=~models.Q(submission_key=""),
                                    name="document_version_unique_submission"),
        ]

    def __str__(self) -> str:
        return f"version {self.number} of {self.document_id}"


class DocumentEvent(models.Model):
    """The owner's access log. It outlives the document, so it holds the id, not a foreign key."""

    class Action(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        DOWNLOADED = "downloaded", "Downloaded"
        REPLACED = "replaced", "New version uploaded"
        CHANGED = "changed", "Details changed"
        DELETED = "deleted", "Deleted"
        EXPORTED = "exported", "Included in a data download"

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="document_events")
    document_id = models.UUIDField(db_index=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    action = models.CharField(max_length=12, choices=Action.choices)
    sign_in = models.ForeignKey(SignIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.document_id}"
