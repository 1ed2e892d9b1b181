"""Deterministic demo organisations and users for the Kiên Giang federation.

The names are plausible, not authoritative: admins edit the real tree in Django admin.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from branches.models import Organisation, path_segment

DEMO_PASSWORD = "unionplan-demo"
PROVINCE_CODE = "KG"

# (code, name, share of grassroots unions, sector mix: public, SOE, non-state)
UPPER_LEVELS = [
    ("KG-RG", "LĐLĐ thành phố Rạch Giá", 150, (0.4, 0, 0.6)),
    ("KG-HT", "LĐLĐ thành phố Hà Tiên", 55, (0.6, 0, 0.4)),
    ("KG-PQ", "LĐLĐ thành phố Phú Quốc", 110, (0.35, 0, 0.65)),
    ("KG-KL", "LĐLĐ huyện Kiên Lương", 60, (0.5, 0, 0.5)),
    ("KG-HD", "LĐLĐ huyện Hòn Đất", 70, (0.7, 0, 0.3)),
    ("KG-TH", "LĐLĐ huyện Tân Hiệp", 60, (0.7, 0, 0.3)),
    ("KG-CT", "LĐLĐ huyện Châu Thành", 80, (0.45, 0, 0.55)),
    ("KG-GR", "LĐLĐ huyện Giồng Riềng", 70, (0.75, 0, 0.25)),
    ("KG-GQ", "LĐLĐ huyện Gò Quao", 60, (0.75, 0, 0.25)),
    ("KG-AB", "LĐLĐ huyện An Biên", 55, (0.75, 0, 0.25)),
    ("KG-AM", "LĐLĐ huyện An Minh", 50, (0.75, 0, 0.25)),
    ("KG-VT", "LĐLĐ huyện Vĩnh Thuận", 45, (0.8, 0, 0.2)),
    ("KG-UMT", "LĐLĐ huyện U Minh Thượng", 35, (0.8, 0, 0.2)),
    ("KG-GT", "LĐLĐ huyện Giang Thành", 25, (0.8, 0, 0.2)),
    ("KG-KH", "LĐLĐ huyện Kiên Hải", 20, (0.8, 0, 0.2)),
    ("KG-GD", "Công đoàn ngành Giáo dục", 420, (1.0, 0, 0)),
    ("KG-YT", "Công đoàn ngành Y tế", 95, (1.0, 0, 0)),
    ("KG-VC", "Công đoàn Viên chức tỉnh", 140, (1.0, 0, 0)),
]

# The three state-owned enterprises of the province (target 8 asks for all 3 of them).
STATE_ENTERPRISES = [
    ("KG-RG", "CĐCS Công ty TNHH MTV Xổ số kiến thiết Kiên Giang", 180),
    ("KG-RG", "CĐCS Công ty TNHH MTV Cấp thoát nước Kiên Giang", 320),
    ("KG-CT", "CĐCS Công ty TNHH MTV Lâm nghiệp Kiên Giang", 140),
]

PLACES = [
    "Vĩnh Thanh",
    "Vĩnh Lạc",
    "An Hòa",
    "Rạch Sỏi",
    "Vĩnh Hiệp",
    "Phi Thông",
    "Thạnh Lộc",
    "Minh Lương",
    "Bình An",
    "Mong Thọ",
    "Dương Đông",
    "An Thới",
    "Cửa Cạn",
    "Gành Dầu",
    "Hòn Đất",
    "Sóc Sơn",
    "Mỹ Lâm",
    "Tân Hiệp",
    "Thạnh Đông",
    "Giồng Riềng",
    "Ngọc Chúc",
    "Gò Quao",
    "Vĩnh Hòa Hưng",
    "Thứ Ba",
    "Đông Thái",
    "Thứ Mười Một",
    "Vân Khánh",
    "Vĩnh Thuận",
    "Thạnh Yên",
    "Tân Khánh Hòa",
    "Phú Mỹ",
    "Hòn Tre",
    "Lại Sơn",
    "Bình Sơn",
    "Dương Hòa",
    "Kiên Bình",
    "Hòa Điền",
    "Thuận Yên",
    "Mỹ Đức",
    "Tiên Hải",
    "Hòn Nghệ",
    "Tây Yên",
]
PUBLIC_KINDS = [
    "Trường Mầm non {}",
    "Trường Tiểu học {}",
    "Trường THCS {}",
    "Trường THPT {}",
    "Trạm Y tế xã {}",
    "UBND xã {}",
    "Bệnh viện Đa khoa khu vực {}",
    "Chi cục Thuế khu vực {}",
    "Kho bạc Nhà nước {}",
    "Trung tâm Văn hóa {}",
    "Phòng Tài nguyên và Môi trường {}",
    "Ban Quản lý dự án {}",
]
COMPANY_WORDS = [
    "Thành Công",
    "Hưng Phát",
    "Phú Quý",
    "Biển Xanh",
    "Minh Phát",
    "Kiên Hùng",
    "Tân Thành",
    "Hải Đăng",
    "Ngọc Trai",
    "Sao Mai",
    "Đại Dương",
    "Thuận Phát",
    "Mekong",
    "Hòn Thơm",
    "Nam Hải",
    "Trung Sơn",
    "Việt Úc",
    "Phú Cường",
    "An Phú",
    "Đông Hải",
]
COMPANY_KINDS = [
    "Công ty TNHH {}",
    "Công ty Cổ phần {}",
    "Công ty TNHH Thủy sản {}",
    "Công ty CP Xây dựng {}",
    "Công ty TNHH Du lịch {}",
    "Công ty TNHH May mặc {}",
    "Doanh nghiệp tư nhân {}",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Dương"]
GIVEN = ["Văn An", "Thị Bích", "Minh Châu", "Thanh Hải", "Thị Hoa", "Quốc Khánh", "Thị Lan", "Hoàng Nam"]

# Demo log-ins: (username, organisation code, role, given name, family name), with a person's
# name as Vietnamese write it: family name first (User.get_full_name), given name last.
DEMO_USERS = [
    ("tinh", PROVINCE_CODE, "provincial_staff", "Thị Mai", "Trần"),
    ("rachgia", "KG-RG", "upper_level_officer", "Văn Hùng", "Nguyễn"),
    ("giaoduc", "KG-GD", "upper_level_officer", "Thị Thu", "Lê"),
    ("cdcs_coquan", "KG-RG-001", "grassroots_officer", "Minh Tuấn", "Phạm"),
    ("cdcs_dnnn", "KG-RG-DNNN1", "grassroots_officer", "Thị Hồng", "Võ"),
    ("cdcs_doanhnghiep", "KG-RG-002", "grassroots_officer", "Quốc Bảo", "Huỳnh"),
]
# Demo addresses are under a reserved top-level domain (RFC 2606): mail to them reaches nobody.
DEMO_MAIL_DOMAIN = "demo.unionplan.example"


def demo_email(name):
    """The demo address of a user name or a unit code: ``rachgia@demo.unionplan.example``."""
    return f"{name.lower()}@{DEMO_MAIL_DOMAIN}"


def _grassroots_rows(rng):
    """Yield (upper code, code, name, sector, workforce, founded) for every grassroots union."""
    for upper_code, upper_name, count, (public, soe, _non_state) in UPPER_LEVELS:
        district = upper_name.split(" ", 3)[-1]
        for i in range(1, count + 1):
            code = f"{upper_code}-{i:03d}"
            # The first two of Rạch Giá are fixed: a public agency, then a non-state firm.
            if upper_code == "KG-RG" and i <= 2:
                sector = "public_agency" if i == 1 else "non_state_enterprise"
            else:
                sector = "public_agency" if rng.random() < public + soe else "non_state_enterprise"
            place = rng.choice(PLACES)
            if sector == "public_agency":
                name = "CĐCS " + rng.choice(PUBLIC_KINDS).format(place)
                workforce = rng.randint(8, 90)
            else:
                name = "CĐCS " + rng.choice(COMPANY_KINDS).format(rng.choice(COMPANY_WORDS) + " " + place)
                workforce = int(rng.lognormvariate(4.0, 0.9)) + 10
            if upper_code == "KG-RG" and i == 2:
                name, workforce = "CĐCS Công ty TNHH Thủy sản Biển Xanh Rạch Giá", 260
            # Most were founded years ago; a few this year (target 2).
            if sector == "non_state_enterprise" and rng.random() < 0.12:
                founded = datetime.date(2020, rng.randint(1, 11), rng.randint(1, 28))
            else:
                founded = datetime.date(rng.randint(1990, 2019), rng.randint(1, 12), rng.randint(1, 28))
            yield (
                upper_code,
                code,
                f"{name} ({district})" if sector == "public_agency" else name,
                sector,
                workforce,
                founded,
            )
    for n, (upper_code, name, workforce) in enumerate(STATE_ENTERPRISES, start=1):
        code = f"{upper_code}-DNNN{n}"
        yield upper_code, code, name, "state_enterprise", workforce, datetime.date(1995 + n, 1, 1)


@transaction.atomic
def load_demo_organisations():
    """Create the province, its 18 upper-level unions and ~1,600 grassroots unions.
    Returns the number of units created (0 on a second run)."""
    rng = random.Random(2020)
    created = 0
    province, was_created = Organisation.objects.get_or_create(
        code=PROVINCE_CODE,
        defaults={"name": "Liên đoàn Lao động tỉnh Kiên Giang", "kind": Organisation.Kind.PROVINCE},
    )
    created += was_created
    uppers = {}
    for code, name, _count, _mix in UPPER_LEVELS:
        upper, was_created = Organisation.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": Organisation.Kind.UPPER_LEVEL,
                "parent": province,
                "contact_person": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                "phone": f"0297 3{rng.randint(100000, 999999)}",
                "email": demo_email(code),
            },
        )
        created += was_created
        uppers[code] = upper
    existing = set(Organisation.objects.grassroots().values_list("code", flat=True))
    new_units = []
    for upper_code, code, name, sector, workforce, founded in _grassroots_rows(rng):
        members = max(1, int(workforce * rng.uniform(0.55, 0.98)))
        contact = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
        phone = f"09{rng.randint(10000000, 99999999)}"
        if code in existing:
            continue
        new_units.append(
            Organisation(
                code=code,
                name=name,
                kind=Organisation.Kind.GRASSROOTS,
                sector=sector,
                parent=uppers[upper_code],
                workforce=workforce,
                members=members,
                founded_on=founded,
                contact_person=contact,
                phone=phone,
                email=demo_email(code),
            )
        )
    if new_units:
        Organisation.objects.bulk_create(new_units, batch_size=500)
        # bulk_create bypasses save(): set the paths here, from the codes just created.
        saved = Organisation.objects.filter(code__in=[u.code for u in new_units]).select_related("parent")
        for unit in saved:
            unit.path = unit.parent.path + path_segment(unit.pk)
        Organisation.objects.bulk_update(saved, ["path"], batch_size=500)
        created += len(new_units)
    return created


def load_demo_users():
    """Create the demo log-ins (password ``unionplan-demo``); returns how many were created."""
    User = get_user_model()
    created = 0
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin", demo_email("admin"), DEMO_PASSWORD, first_name="Quản trị", last_name="Hệ thống"
        )
        created += 1
    units = {o.code: o for o in Organisation.objects.filter(code__in=[u[1] for u in DEMO_USERS])}
    for username, code, role, first, last in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            organisation=units[code],
            role=role,
            first_name=first,
            last_name=last,
            email=demo_email(username),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        created += 1
    return created
