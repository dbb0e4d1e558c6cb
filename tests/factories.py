"""factory_boy factories for the project's models, and the real communes of the loaded table."""

import factory
from django.contrib.gis.geos import Point

from accounts.models import Membership, Network, User
from catalogue import models
from territories.models import Territory


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Réseau {n}")
    slug = factory.Sequence(lambda n: f"reseau-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "mot-de-passe-de-test")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


# The network that curates the factories' initiatives, unless a test says otherwise.
TEST_NETWORK = {"slug": "reseau-des-tests", "name": "Réseau des tests"}


def the_tests_network():
    return Network.objects.get_or_create(slug=TEST_NETWORK["slug"], defaults={"name": TEST_NETWORK["name"]})[
        0
    ]


class CuratorFactory(UserFactory):
    """A staff member of the curators' group, as the demo set-up creates, and by default a
    coordinator of the test network (``role=…`` for another role, ``network=…`` for another
    network, ``network=False`` for none)."""

    is_staff = True

    @factory.post_generation
    def in_curators_group(obj, create, extracted, **kwargs):
        if create:
            from accounts.roles import curators_group

            obj.groups.add(curators_group())

    @factory.post_generation
    def network(obj, create, extracted, role=Membership.Role.COORDINATOR, **kwargs):
        if not create:
            return
        network = the_tests_network() if extracted is None else extracted
        if network:
            Membership.objects.create(user=obj, network=network, role=role)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    network = factory.SubFactory(NetworkFactory)


class LegalFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.LegalForm
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"forme-{n}")
    label = factory.Sequence(lambda n: f"Forme juridique {n}")


class KindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Kind
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"type-{n}")
    label = factory.Sequence(lambda n: f"Type {n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Theme
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"theme-{n}")
    label = factory.Sequence(lambda n: f"Thème {n}")


class LeverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Lever
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"levier-{n}")
    label = factory.Sequence(lambda n: f"Levier {n}")


class ObstacleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Obstacle
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"frein-{n}")
    label = factory.Sequence(lambda n: f"Frein {n}")


def commune(code):
    """A real commune of the territories table (loaded for the whole test session)."""
    return Territory.objects.get(kind=Territory.Kind.COMMUNE, code=code)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    kind = Territory.Kind.REGION
    code = factory.Sequence(lambda n: f"R{n}")
    name = factory.Sequence(lambda n: f"Région {n}")


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    kind = Territory.Kind.DEPARTEMENT
    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.Sequence(lambda n: f"Département {n}")
    region = factory.SubFactory(RegionFactory)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    kind = Territory.Kind.COMMUNE
    # 99xxx is the INSEE range of foreign countries: never the code of a real commune of the table.
    code = factory.Sequence(lambda n: f"99{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    departement = factory.SubFactory(DepartementFactory)
    region = factory.SelfAttribute("departement.region")
    population = 2000
    area_km2 = 20.0
    centre = factory.LazyFunction(lambda: Point(2.35, 48.85, srid=4326))


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = models.Organization.Kind.LOCAL_AUTHORITY


class FundingToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FundingTool

    slug = factory.Sequence(lambda n: f"outil-{n}")
    label = factory.Sequence(lambda n: f"Outil {n}")


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Initiative
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Initiative {n}")
    summary = "Un tiers-lieu rural ouvert aux habitants."
    status = models.Initiative.Status.PUBLISHED
    commune = factory.SubFactory(CommuneFactory)
    location = factory.LazyFunction(lambda: Point(2.35, 48.85, srid=4326))

    @factory.post_generation
    def kinds(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.kinds.set(extracted)

    @factory.post_generation
    def networks(obj, create, extracted, **kwargs):
        """Curated by the test network unless ``networks=[…]`` says which (``[]``: none).

        The test network is written straight into the link table and into the creation's record,
        as if the entry had been created with it: ``networks.set`` would add a second version (the
        tests that count versions would count it) and refresh the public tables; the curating
        network is what the curators' rights read, and the tests that list networks say which with
        ``networks=[…]``."""
        if not create:
            return
        if extracted is None:
            network = the_tests_network()
            link = models.Initiative.networks.through.objects.create(
                initiative_id=obj.pk, network_id=network.pk
            )
            if (created := obj.history.order_by("history_date", "history_id").last()) is not None:
                created.networks.model.objects.create(
                    id=link.pk, history=created, initiative_id=obj.pk, network=network
                )
        elif extracted:
            obj.networks.set(extracted)


class LegalEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.LegalEntity

    initiative = factory.SubFactory(InitiativeFactory)
    name = factory.Sequence(lambda n: f"Structure {n}")
    legal_form = factory.SubFactory(LegalFormFactory)
    role = models.LegalEntity.Role.PROJECT_HOLDER


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Partnership

    initiative = factory.SubFactory(InitiativeFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = models.Partnership.Role.FUNDER


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Funding

    initiative = factory.SubFactory(InitiativeFactory)
    tool = factory.SubFactory(FundingToolFactory)
    amount = 10000
    year = 2018


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Milestone

    initiative = factory.SubFactory(InitiativeFactory)
    year = 2018
    title = "Ouverture"
