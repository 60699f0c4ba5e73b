from django.contrib.auth.models import AbstractUser
from django.db import models

from cchc.core.models import TimeStampedModel


class User(AbstractUser):
    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    position = models.CharField("chức vụ", max_length=150, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Unit(TimeStampedModel):
    """A unit in the administrative tree: the city, a department, a commune, or an internal sub-unit.

    `path` is the chain of ids from the root ("/1/15/230/"), so a subtree is one indexed prefix
    match on SQLite and PostgreSQL alike. `organisation` is the reporting unit a sub-unit belongs to
    (a commune's Văn phòng belongs to the commune), itself for reporting units.
    """

    class Kind(models.TextChoices):
        CITY = "city", "Thành phố"
        DEPARTMENT = "department", "Sở, ban, ngành"
        WARD = "ward", "Phường"
        COMMUNE = "commune", "Xã"
        SPECIAL_ZONE = "special_zone", "Đặc khu"
        OFFICE = "office", "Văn phòng"
        DIVISION = "division", "Phòng chuyên môn"
        CENTER = "center", "Trung tâm"
        POLICE = "police", "Công an"
        SCHOOL = "school", "Trường học"
        OTHER = "other", "Đơn vị khác"

    REPORTING_KINDS = {Kind.CITY, Kind.DEPARTMENT, Kind.WARD, Kind.COMMUNE, Kind.SPECIAL_ZONE}

    class Block(models.TextChoices):
        DEPARTMENT = "department", "Khối sở, ban, ngành"
        WARD = "ward", "Khối phường"
        COMMUNE = "commune", "Khối xã, đặc khu"

    code = models.CharField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=60, blank=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    block = models.CharField("khối xếp hạng", max_length=20, choices=Block.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    organisation = models.ForeignKey(
        "self",
        verbose_name="thuộc cơ quan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members_units",
    )
    standing_agency_for = models.ForeignKey(
        "self",
        verbose_name="cơ quan thường trực CCHC của",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="standing_agencies",
    )
    path = models.CharField("đường dẫn trong cây", max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField("cấp trong cây", default=0, editable=False)
    name_key = models.CharField("khóa tên", max_length=255, db_index=True, editable=False)
    aliases = models.JSONField("tên gọi khác", default=list, blank=True)
    sort_order = models.IntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang hoạt động", default=True)
    established_on = models.DateField("ngày thành lập", null=True, blank=True)
    dissolved_on = models.DateField("ngày giải thể/sáp nhập", null=True, blank=True)

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "sort_order"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_reporting_unit(self) -> bool:
        return self.kind in self.REPORTING_KINDS

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part and int(part) != self.pk]

    def is_within(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)


class Membership(TimeStampedModel):
    """A person's role in a unit. A person may hold several (e.g. officer of one unit, viewer of another)."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Quản trị hệ thống"
        STANDING = "standing", "Cán bộ thường trực CCHC"
        OFFICER = "officer", "Chuyên viên"
        HEAD = "head", "Lãnh đạo đơn vị"
        VIEWER = "viewer", "Lãnh đạo theo dõi (chỉ xem)"

    user = models.ForeignKey(
        User, verbose_name="người dùng", on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("vai trò", max_length=16, choices=Role.choices)
    is_active = models.BooleanField("hiệu lực", default=True)

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"
