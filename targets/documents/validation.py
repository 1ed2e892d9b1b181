"""Checking a federation's own report template before it replaces the default.

A .docx is a zip of XML parts: it is read under limits (its size, the parts, what they unpack
to and how much they are packed) with no DTD or entity declarations, no macros and no fields
that pull in other files or programs (DDE, INCLUDETEXT, INCLUDEPICTURE, LINK, IMPORT). Then
every placeholder must parse and be one of ``rendering.PLACEHOLDERS``, and the template must
fill in with a sample draft in the sandbox. A refusal (``TemplateRefused``) names the
placeholder and the reason; nothing is kept."""

import io
import re
import zipfile

from django.utils.translation import gettext as _
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from jinja2 import TemplateError, TemplateSyntaxError, meta

from .rendering import PLACEHOLDERS, ReportSandbox, render_docx

MB = 1024 * 1024
MAX_TEMPLATE_BYTES = 2 * MB
MAX_PARTS = 200
MAX_UNPACKED = 20 * MB
MAX_RATIO = 100
RATIO_FREE_BYTES = MB
# Fields that fetch other files or start programs when Word updates them.
FORBIDDEN_FIELDS = ("DDEAUTO", "DDE", "INCLUDETEXT", "INCLUDEPICTURE", "LINK", "IMPORT")
_FIELD = re.compile(r'(?:<w:instrText[^>]*>([^<]*)</w:instrText>)|(?:w:instr="([^"]*)")')
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_XML_TAG = re.compile(r"<[^>]+>")


class TemplateRefused(ValueError):
    """The template is refused; ``str(exc)`` is the message for the user."""


def _megabytes(size):
    return f"{size // MB}"


def _unreadable():
    return TemplateRefused(
        _(
            "The file could not be read as a Word document (.docx). "
            "Save it in Word as “Word Document (.docx)” and upload it again."
        )
    )


def check_package(data):
    """Refuse a file that is too large, not a .docx, packed like a zip bomb, or holding
    macros, XML declarations or fields that fetch files or start programs."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateRefused(_("The file is larger than %(limit)s MB.") % {"limit": _megabytes(MAX_TEMPLATE_BYTES)})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _unreadable() from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_PARTS:
            raise TemplateRefused(
                _("The file has more than %(limit)s parts: it is not an ordinary Word document.") % {"limit": MAX_PARTS}
            )
        unpacked = sum(m.file_size for m in members)
        packed = sum(m.compress_size for m in members)
        if unpacked > MAX_UNPACKED:
            raise TemplateRefused(
                _("The file unpacks to more than %(limit)s MB.") % {"limit": _megabytes(MAX_UNPACKED)}
            )
        if any(
            m.file_size > RATIO_FREE_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members
        ) or (unpacked > RATIO_FREE_BYTES and unpacked > MAX_RATIO * max(packed, 1)):
            raise TemplateRefused(
                _("The file is compressed far beyond an ordinary document: it is refused for safety.")
            )
        names = {m.filename for m in members}
        if "word/document.xml" not in names:
            raise _unreadable()
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise TemplateRefused(_("The file holds macros: save it as a Word document without macros (.docx)."))
        for member in members:
            if not member.filename.endswith((".xml", ".rels")):
                continue
            try:
                text = archive.read(member).decode("utf-8", errors="replace")
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:  # a damaged part, a wrong checksum
                raise _unreadable() from exc
            if "<!DOCTYPE" in text or "<!ENTITY" in text:
                raise TemplateRefused(
                    _("The file holds XML declarations (DOCTYPE or ENTITY): it is refused for safety.")
                )
            for match in _FIELD.finditer(text):
                instruction = (match.group(1) or match.group(2) or "").strip()
                word = instruction.split(" ", 1)[0].upper() if instruction else ""
                if word in FORBIDDEN_FIELDS:
                    raise TemplateRefused(
                        _("The file holds a field “%(field)s” that fetches other files or starts programs: remove it.")
                        % {"field": instruction[:80]}
                    )


def template_text(template):
    """The Jinja source docxtpl renders: the body, headers and footers, cleaned of the XML that
    Word puts inside placeholders, and the document's properties (also rendered)."""
    template.init_docx()
    docx = template.docx
    parts = [template.patch_xml(template.get_xml())]
    for relationship in docx.part.rels.values():
        if relationship.reltype in (RT.HEADER, RT.FOOTER) and not relationship.is_external:
            parts.append(template.patch_xml(relationship.target_part.blob.decode("utf-8", errors="replace")))
    props = docx.core_properties
    parts += [
        getattr(props, name) or "" for name in ("author", "comments", "identifier", "language", "subject", "title")
    ]
    return parts


def _reason(exc):
    """Jinja's words for what is wrong, without a closing full stop (the message adds one)."""
    return (getattr(exc, "message", None) or str(exc)).strip().rstrip(".")


def _line(source, lineno):
    lines = source.splitlines()
    if not lineno or lineno > len(lines):
        return ""
    return _XML_TAG.sub("", lines[lineno - 1]).strip()[:120]


def check_placeholders(data):
    """Every placeholder parses and is in ``PLACEHOLDERS``; the template fills in with a sample."""
    env = ReportSandbox()
    try:
        template = DocxTemplate(io.BytesIO(data))
        parts = template_text(template)
    except TemplateRefused:
        raise
    except Exception as exc:
        raise _unreadable() from exc
    for source in parts:
        # One placeholder at a time first, so that the message names the one that is broken.
        for match in _TAG.finditer(source):
            tag = _XML_TAG.sub("", match.group(0))
            if not tag.startswith("{{"):
                continue
            try:
                env.parse(tag)
            except TemplateSyntaxError as exc:
                raise TemplateRefused(
                    _("The placeholder “%(placeholder)s” cannot be read: %(reason)s.")
                    % {"placeholder": tag[:120], "reason": _reason(exc)}
                ) from exc
        try:
            parsed = env.parse(source)
        except TemplateSyntaxError as exc:
            # docxtpl puts each paragraph on a line of its own: the line names the placeholder.
            line = _line(source.replace("<w:p>", "\n<w:p>").replace("<w:p ", "\n<w:p "), exc.lineno) or _line(
                source, exc.lineno
            )
            raise TemplateRefused(
                _("The placeholder “%(placeholder)s” cannot be read: %(reason)s.")
                % {"placeholder": line or "?", "reason": _reason(exc)}
            ) from exc
        unknown = sorted(meta.find_undeclared_variables(parsed) - set(PLACEHOLDERS))
        if unknown:
            raise TemplateRefused(
                _(
                    "The placeholder “%(placeholder)s” is not one a report template may use "
                    "(see the list of placeholders)."
                )
                % {"placeholder": unknown[0]}
            )
    try:
        render_docx(data, SAMPLE_CONTEXT)
    except TemplateError as exc:
        raise TemplateRefused(_("The template cannot be filled in: %(reason)s.") % {"reason": _reason(exc)}) from exc
    except Exception as exc:
        raise TemplateRefused(
            _("The template cannot be filled in: %(reason)s.") % {"reason": type(exc).__name__}
        ) from exc


def validate_template(data):
    """Raise ``TemplateRefused`` unless ``data`` is a .docx template that may replace the default."""
    check_package(data)
    check_placeholders(data)


# A draft with every placeholder and one item in every list, for a trial fill-in.
_ROW = {
    "number": "1",
    "name": "Kết nạp đoàn viên mới",
    "unit_of_measure": "đoàn viên",
    "figure": "5.821",
    "achieved": "7.011",
    "percent": "vượt 20,4%",
    "status": "Vượt",
    "last_year": "6.000",
}
SAMPLE_CONTEXT = {
    "superior": "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM",
    "issuer": "LIÊN ĐOÀN LAO ĐỘNG TỈNH KIÊN GIANG",
    "number": "Số:        /BC-LĐLĐ",
    "place_and_date": "Kiên Giang, ngày 03 tháng 12 năm 2020",
    "title": "BÁO CÁO",
    "subtitle": "Sơ kết 6 tháng đầu năm thực hiện Nghị quyết về thực hiện nhiệm vụ công tác công đoàn năm 2020",
    "period": "6 tháng đầu năm 2020",
    "next_period": "6 tháng cuối năm 2020",
    "month": 6,
    "year": 2020,
    "as_of": "Số liệu tính đến hết ngày 30/06/2020, chỉ tính các báo cáo đã được duyệt.",
    "provisional": "",
    "resolution": {
        "title": "Nghị quyết về thực hiện nhiệm vụ công tác công đoàn năm 2020",
        "reference": "",
        "issuing_body": "Ban Chấp hành Liên đoàn Lao động tỉnh Kiên Giang",
        "issued_on": "04/02/2020",
        "theme": "Nâng cao chất lượng hoạt động công đoàn cơ sở",
        "year": 2020,
    },
    "unit": {"name": "Liên đoàn Lao động tỉnh Kiên Giang", "code": "KG"},
    "headline": "Tính đến hết tháng 6/2020: 12/16 chỉ tiêu đạt và vượt, 4 chỉ tiêu chậm tiến độ.",
    "targets": [_ROW],
    "last_year_heading": "Cùng kỳ 2019",
    "tasks": [
        {
            "number": "1",
            "title": "Thực hiện Nghị quyết Đại hội",
            "done": "10",
            "in_progress": "5",
            "not_started": "1",
            "units": "16",
            "summary": "10 đơn vị báo cáo đã hoàn thành, 5 đơn vị đang thực hiện, 1 đơn vị chưa triển khai.",
            "narratives": [{"unit": "CĐCS Trường Tiểu học A", "month": "6", "text": "Quán triệt Nghị quyết."}],
        }
    ],
    "behind": [{**_ROW, "status": "Chậm tiến độ", "need": "cần 120/tháng"}],
    "branches_behind": [{"number": "1", "name": "Kết nạp đoàn viên mới", "units": "LĐLĐ huyện A (thiếu 12)"}],
    "reporting": {
        "sentence": "Tháng 6/2020: 1.712/1.850 đơn vị đã báo cáo (92,5%); 138 đơn vị chưa báo cáo.",
        "branches": [{"name": "LĐLĐ huyện A", "unreported": "12", "expected": "80"}],
        "units": ["CĐCS Công ty B"],
        "more": "và 137 đơn vị khác",
    },
    "directions": ["Nhiệm vụ trọng tâm 6 tháng cuối năm 2020"],
    "recipients": ["Tổng Liên đoàn Lao động Việt Nam (để báo cáo);", "Lưu: VT."],
    "signer_on_behalf": "TM. BAN THƯỜNG VỤ",
    "signer_title": "CHỦ TỊCH",
    "prepared_on": "03/12/2020",
    "file_kind": "so-ket-6-thang",
}
