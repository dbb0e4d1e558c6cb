"""Users (who log in with their e-mail), the curating networks, the resources they offer, and who
belongs to which."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    """Creates users identified by their e-mail address instead of a user name."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # People type their address with whatever capitals they like.
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class Network(models.Model):
    """A network that curates entries of the catalogue (CAP Rural, Réseau Lutin, APES…)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    territories = models.ManyToManyField(
        "territories.Territory",
        blank=True,
        related_name="networks",
        verbose_name=_("territories"),
        help_text=_(
            "Where the network works (régions, départements, EPCI or communes): citizens' suggestions "
            "about a place inside them come to this network. Empty for a national network."
        ),
    )

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self):
        return self.name


class NetworkResource(models.Model):
    """Something a network offers to read or watch (a video, a review, its online resources), as
    the sources point to it: shown on the network's public page."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("video")
        PUBLICATION = "publication", _("publication or review")
        ONLINE = "online", _("online resources")
        OTHER = "other", _("other")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="resources", verbose_name=_("network")
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address (URL)"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("network resource")
        verbose_name_plural = _("network resources")
        ordering = ["network", "position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["network", "url"], name="unique_resource_url_per_network"),
        ]

    def __str__(self):
        return self.title


class User(AbstractUser):
    """A person who logs in with an e-mail address; curators belong to one or more networks."""

    username = None
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), unique=True)
    networks = models.ManyToManyField(
        Network,
        through="Membership",
        through_fields=("user", "network"),
        related_name="members",
        verbose_name=_("networks"),
        blank=True,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="unique_user_email_ignoring_case",
                violation_error_message=_("A user with this e-mail address already exists."),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email


class Membership(models.Model):
    """A user's place in a curating network."""

    class Role(models.TextChoices):
        # A contributor writes the network's entries; a coordinator also publishes, archives and
        # restores them, and invites people to the network (see catalogue.permissions).
        CONTRIBUTOR = "contributor", _("contributor")
        COORDINATOR = "coordinator", _("coordinator")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("network")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    joined_on = models.DateField(_("joined on"), auto_now_add=True)
    # Who brought the person in (accounts.invitations), when they were invited rather than added
    # by an administrator.
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["network__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "network"], name="unique_membership_per_network"),
        ]

    def __str__(self):
        return f"{self.user} · {self.network} ({self.get_role_display()})"
