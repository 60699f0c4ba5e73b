"""Writes to units, people and memberships. Each checks scope, validates, audits, in one transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cchc.core import audit
from cchc.core.tabular import ImportFileError, RowError, read_workbook
from cchc.core.text import nfc
from cchc.org.models import Membership, Unit, User
from cchc.org.naming import name_key
from cchc.org.permissions import scope_for

UNIT_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "block",
    "parent",
    "standing_agency_for",
    "aliases",
    "sort_order",
    "is_active",
    "established_on",
    "dissolved_on",
)


def _require_admin(actor) -> None:
    if actor is not None and not scope_for(actor).is_admin:
        raise PermissionDenied("Chỉ quản trị hệ thống được thay đổi danh mục đơn vị và người dùng.")


def _place(unit: Unit) -> None:
    """Derive path, depth, organisation and name key from the parent."""
    parent = unit.parent
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = (parent.depth + 1) if parent else 0
    if unit.kind in Unit.REPORTING_KINDS or parent is None:
        unit.organisation = unit
    else:
        unit.organisation = parent.organisation or parent
    unit.name_key = name_key(unit.name)


def _validate_unit(unit: Unit) -> None:
    unit.name = nfc(unit.name)
    unit.short_name = nfc(unit.short_name)
    unit.code = nfc(unit.code)
    if unit.parent_id and unit.pk and unit.parent.path.startswith(unit.path or "\0"):
        raise ValidationError({"parent": "Không thể đặt đơn vị làm cấp dưới của chính nó."})
    if unit.kind == Unit.Kind.CITY and unit.parent_id:
        raise ValidationError({"parent": "Thành phố là cấp cao nhất, không có đơn vị cấp trên."})
    unit.full_clean(exclude=["path", "depth", "name_key", "organisation"])


@transaction.atomic
def unit_create(*, actor, **fields) -> Unit:
    _require_admin(actor)
    unit = Unit(**fields)
    unit.path = "/pending/"
    _validate_unit(unit)
    unit.save()
    _place(unit)
    unit.save(update_fields=["path", "depth", "organisation", "name_key"])
    audit.record(actor=actor, action="create", instance=unit, changes=audit.snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    _require_admin(actor)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = audit.snapshot(unit, UNIT_FIELDS)
    old_path = unit.path
    for name, value in fields.items():
        setattr(unit, name, value)
    _validate_unit(unit)
    _place(unit)
    unit.save()
    if unit.path != old_path:
        _reparent_subtree(unit, old_path)
    changes = audit.diff(before, audit.snapshot(unit, UNIT_FIELDS))
    if changes:
        audit.record(actor=actor, action="update", instance=unit, changes=changes)
    return unit


def _reparent_subtree(unit: Unit, old_path: str) -> None:
    for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).order_by("depth"):
        child.parent = Unit.objects.get(pk=child.parent_id)
        _place(child)
        child.save(update_fields=["path", "depth", "organisation", "name_key"])


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str | None,
    full_name: str = "",
    email: str = "",
    position: str = "",
    is_superuser: bool = False,
) -> User:
    _require_admin(actor)
    user = User(
        username=nfc(username).lower(),
        full_name=nfc(full_name),
        email=(email or "").strip(),
        position=nfc(position),
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=actor,
        action="create",
        instance=user,
        changes=audit.snapshot(user, ["username", "full_name", "email", "position", "is_superuser"]),
    )
    return user


@transaction.atomic
def membership_grant(*, actor, user: User, unit: Unit, role: str) -> Membership:
    _require_admin(actor)
    if role not in Membership.Role.values:
        raise ValidationError({"role": f"Vai trò không hợp lệ: {role}"})
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    if created or membership.is_active:
        audit.record(
            actor=actor,
            action="create",
            instance=membership,
            changes={"user": str(user), "unit": str(unit), "role": membership.get_role_display()},
        )
    return membership


@transaction.atomic
def membership_revoke(*, actor, membership: Membership) -> None:
    _require_admin(actor)
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, action="update", instance=membership, changes={"is_active": [True, False]})


# Imports ---------------------------------------------------------------------------------------

_KIND_BY_LABEL = {**{k.value: k.value for k in Unit.Kind}, **{name_key(k.label): k.value for k in Unit.Kind}}
_BLOCK_BY_LABEL = {
    **{b.value: b.value for b in Unit.Block},
    **{name_key(b.label): b.value for b in Unit.Block},
    "": "",
}
_ROLE_BY_LABEL = {
    **{r.value: r.value for r in Membership.Role},
    **{name_key(r.label): r.value for r in Membership.Role},
}


def _required_columns(sheet, spec: dict[str, tuple[str, ...]]) -> tuple[dict[str, int], list[RowError]]:
    columns, errors = {}, []
    for field_name, labels in spec.items():
        index = sheet.column_index(*labels)
        if index is None:
            errors.append(RowError(sheet.name, sheet.header_row, None, f"thiếu cột «{labels[0]}»."))
        else:
            columns[field_name] = index
    return columns, errors


def _text(values: list, index: int | None) -> str:
    if index is None or index >= len(values) or values[index] is None:
        return ""
    return nfc(str(values[index]))


UNIT_COLUMNS = {
    "code": ("Mã", "ma", "code"),
    "name": ("Tên đơn vị", "ten", "name"),
    "kind": ("Loại", "loai", "kind"),
    "parent": ("Mã đơn vị cấp trên", "ma cap tren", "parent_code", "parent"),
}


@transaction.atomic
def units_import(*, actor, data: bytes, filename: str) -> dict[str, int]:
    """Create or update units from a sheet (Mã, Tên đơn vị, Loại, Mã đơn vị cấp trên, [Khối, Tên viết tắt])."""
    _require_admin(actor)
    sheet = read_workbook(data, filename)[0]
    columns, errors = _required_columns(sheet, UNIT_COLUMNS)
    if errors:
        raise ImportFileError(errors)
    block_col = sheet.column_index("Khối", "khoi", "block")
    short_col = sheet.column_index("Tên viết tắt", "short_name")
    existing = {u.code: u for u in Unit.objects.all()}
    codes_in_file: set[str] = set()
    parsed = []
    for number, values in sheet.rows:
        code, name = _text(values, columns["code"]), _text(values, columns["name"])
        kind_text, parent_code = _text(values, columns["kind"]), _text(values, columns["parent"])
        letter = sheet.column_letter
        if not code:
            errors.append(RowError(sheet.name, number, letter(columns["code"]), "thiếu mã đơn vị."))
        elif code in codes_in_file:
            errors.append(RowError(sheet.name, number, letter(columns["code"]), f"mã «{code}» lặp lại."))
        codes_in_file.add(code)
        if not name:
            errors.append(RowError(sheet.name, number, letter(columns["name"]), "thiếu tên đơn vị."))
        kind = _KIND_BY_LABEL.get(name_key(kind_text)) or _KIND_BY_LABEL.get(kind_text)
        if not kind:
            errors.append(
                RowError(
                    sheet.name, number, letter(columns["kind"]), f"loại đơn vị «{kind_text}» không hợp lệ."
                )
            )
        block = _BLOCK_BY_LABEL.get(name_key(_text(values, block_col)))
        if block is None:
            errors.append(RowError(sheet.name, number, letter(block_col), "khối xếp hạng không hợp lệ."))
        if parent_code and parent_code not in existing and parent_code not in codes_in_file:
            errors.append(
                RowError(
                    sheet.name,
                    number,
                    letter(columns["parent"]),
                    f"không có đơn vị cấp trên mã «{parent_code}».",
                )
            )
        parsed.append((code, name, kind, block or "", parent_code, _text(values, short_col)))
    if errors:
        raise ImportFileError(errors)
    created = updated = 0
    for code, name, kind, block, parent_code, short_name in parsed:
        parent = existing.get(parent_code) if parent_code else None
        fields = {"name": name, "kind": kind, "block": block, "parent": parent, "short_name": short_name}
        if code in existing:
            unit = existing[code]
            if any(getattr(unit, k) != v for k, v in fields.items()):
                existing[code] = unit_update(actor=actor, unit=unit, **fields)
                updated += 1
        else:
            existing[code] = unit_create(actor=actor, code=code, **fields)
            created += 1
    return {"created": created, "updated": updated}


USER_COLUMNS = {
    "username": ("Tên đăng nhập", "username"),
    "full_name": ("Họ và tên", "full_name"),
    "unit": ("Mã đơn vị", "unit_code", "unit"),
    "role": ("Vai trò", "role"),
}


@transaction.atomic
def users_import(*, actor, data: bytes, filename: str) -> dict[str, int]:
    """Create people and grant roles from a sheet (Tên đăng nhập, Họ và tên, Email, Mã đơn vị, Vai trò).

    New accounts get an unusable password: they set one through "Quên mật khẩu" or the administrator.
    """
    _require_admin(actor)
    sheet = read_workbook(data, filename)[0]
    columns, errors = _required_columns(sheet, USER_COLUMNS)
    if errors:
        raise ImportFileError(errors)
    email_col = sheet.column_index("Email", "thư điện tử")
    position_col = sheet.column_index("Chức vụ", "position")
    units = {u.code: u for u in Unit.objects.all()}
    parsed = []
    for number, values in sheet.rows:
        letter = sheet.column_letter
        username = _text(values, columns["username"]).lower()
        unit_code, role_text = _text(values, columns["unit"]), _text(values, columns["role"])
        if not username:
            errors.append(RowError(sheet.name, number, letter(columns["username"]), "thiếu tên đăng nhập."))
        if unit_code not in units:
            errors.append(
                RowError(sheet.name, number, letter(columns["unit"]), f"không có đơn vị mã «{unit_code}».")
            )
        role = _ROLE_BY_LABEL.get(role_text) or _ROLE_BY_LABEL.get(name_key(role_text))
        if not role:
            errors.append(
                RowError(sheet.name, number, letter(columns["role"]), f"vai trò «{role_text}» không hợp lệ.")
            )
        email = _text(values, email_col)
        if email and "@" not in email:
            errors.append(RowError(sheet.name, number, letter(email_col), f"email «{email}» không hợp lệ."))
        parsed.append(
            (
                username,
                _text(values, columns["full_name"]),
                email,
                _text(values, position_col),
                unit_code,
                role,
            )
        )
    if errors:
        raise ImportFileError(errors)
    created = granted = 0
    for username, full_name, email, position, unit_code, role in parsed:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=actor,
                username=username,
                password=None,
                full_name=full_name,
                email=email,
                position=position,
            )
            created += 1
        membership_grant(actor=actor, user=user, unit=units[unit_code], role=role)
        granted += 1
    return {"created": created, "granted": granted}
