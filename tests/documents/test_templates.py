"""A federation's own report template (issue 25, item 3): uploaded in the admin, refused with
the placeholder and the reason when broken, used for the drafts when accepted; the sandbox
keeps everything but the placeholders out of reach; the default template is what its builder
makes, and the docs list every placeholder."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from targets.documents.default_template import DEFAULT_TEMPLATE, build_default_template
from targets.documents.models import ReportTemplate
from targets.documents.rendering import PLACEHOLDERS, render_docx
from targets.documents.validation import SAMPLE_CONTEXT, TemplateRefused, validate_template

from .helpers import document, document_text, draft

ROOT = Path(__file__).resolve().parent.parent.parent


def docx_with(*paragraphs):
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def refusal(data):
    with pytest.raises(TemplateRefused) as refused:
        validate_template(data)
    return str(refused.value)


def upload(client, federation, data, name="mau-rieng.docx"):
    return client.post(
        reverse("admin:targets_reporttemplate_add"),
        {"federation": federation.pk, "upload": SimpleUploadedFile(name, data)},
    )


def test_a_broken_placeholder_is_named_with_the_reason():
    message = refusal(docx_with("Kính gửi {{ issuer }}", "Kết quả: {{ headline | }}"))
    assert "{{ headline | }}" in message and "Không đọc được trường thay thế" in message


def test_a_placeholder_not_in_the_list_is_named():
    assert "“settings”" in refusal(docx_with("{{ settings.SECRET_KEY }}"))
    assert "“range”" in refusal(docx_with("{% for i in range(10) %}x{% endfor %}"))
    assert "“request”" in refusal(docx_with("{{ request.user }}"))


def test_an_unclosed_block_is_refused():
    message = refusal(docx_with("{%p for t in targets %}", "{{ t.name }}"))
    assert "Không đọc được trường thay thế" in message


def test_an_attribute_no_placeholder_has_is_refused():
    assert "Không điền được mẫu" in refusal(docx_with("{% for t in targets %}{{ t.password }}{% endfor %}"))


def test_the_sandbox_keeps_python_out_of_reach():
    """Attributes of Python objects and huge values are refused by the sandbox."""
    for text in (
        "{{ issuer.__class__.__mro__ }}",
        "{{ targets.__class__ }}",
        "{{ issuer * 1000000000 }}",
        "{{ 10 ** 100000 }}",
    ):
        assert "Không điền được mẫu" in refusal(docx_with(text)), text


def test_files_that_are_not_templates_are_refused():
    assert "Word" in refusal(b"not a zip at all") and "Không đọc được tệp" in refusal(b"PK")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (30 * 1024 * 1024) + b"</w:document>")
    assert "giải nén ra hơn 20 MB" in refusal(bomb.getvalue())
    small_bomb = io.BytesIO()
    with zipfile.ZipFile(small_bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (5 * 1024 * 1024) + b"</w:document>")
    assert "nén cao bất thường" in refusal(small_bomb.getvalue())
    assert "lớn hơn 2 MB" in refusal(b"x" * (2 * 1024 * 1024 + 1))
    macros = io.BytesIO(DEFAULT_TEMPLATE.read_bytes())
    with zipfile.ZipFile(macros, "a") as archive:
        archive.writestr("word/vbaProject.bin", b"\x00" * 10)
    assert "macro" in refusal(macros.getvalue())
    entity = io.BytesIO(DEFAULT_TEMPLATE.read_bytes())
    with zipfile.ZipFile(entity, "a") as archive:
        archive.writestr("customXml/item9.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    assert "DOCTYPE" in refusal(entity.getvalue())


def test_a_field_that_starts_a_program_is_refused():
    data = docx_with("x").replace(b"<w:t>x</w:t>", b"<w:t>x</w:t>")
    doc = Document(io.BytesIO(data))
    paragraph = doc.paragraphs[0]._p
    from docx.oxml import parse_xml

    paragraph.append(
        parse_xml(
            '<w:fldSimple xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'w:instr="DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe"><w:r><w:t>x</w:t></w:r></w:fldSimple>'
        )
    )
    out = io.BytesIO()
    doc.save(out)
    assert "DDEAUTO" in refusal(out.getvalue())


def test_the_default_template_passes_its_own_checks_and_fills_in():
    validate_template(DEFAULT_TEMPLATE.read_bytes())
    text = document_text(Document(io.BytesIO(render_docx(DEFAULT_TEMPLATE.read_bytes(), SAMPLE_CONTEXT))))
    assert "{{" not in text and "{%" not in text
    assert "LIÊN ĐOÀN LAO ĐỘNG TỈNH KIÊN GIANG" in text


def test_the_committed_default_template_is_what_its_builder_makes():
    """``manage.py build_report_template`` rebuilds the file; the committed one must not drift."""
    built = io.BytesIO()
    build_default_template().save(built)
    with zipfile.ZipFile(built) as fresh, zipfile.ZipFile(DEFAULT_TEMPLATE) as committed:
        assert sorted(fresh.namelist()) == sorted(committed.namelist())
        for name in fresh.namelist():
            assert fresh.read(name) == committed.read(name), name


def test_the_docs_list_every_placeholder():
    docs = (ROOT / "docs" / "report-template.md").read_text(encoding="utf-8")
    for name in PLACEHOLDERS:
        assert f"`{name}`" in docs, name


@pytest.mark.django_db
def test_an_admin_uploads_a_template_the_drafts_then_use(client, superuser, users, tree, resolution):
    client.force_login(superuser)
    province = tree["province"]
    response = upload(client, province, docx_with("MẪU RIÊNG {{ issuer }}", "{{ headline }}"))
    assert response.status_code == 302, response.content.decode()[:3000]
    template = ReportTemplate.objects.get()
    assert template.federation == province and template.uploaded_by == superuser and template.name == "mau-rieng.docx"
    client.force_login(users["province"])
    text = document_text(document(draft(client, province, period="half", year=2020)))
    assert "MẪU RIÊNG LIÊN ĐOÀN LAO ĐỘNG TỈNH KIÊN GIANG" in text and "Tính đến hết tháng 6/2020" in text


@pytest.mark.django_db
def test_a_refused_upload_names_the_placeholder_and_the_default_stays_in_use(
    client, superuser, users, tree, resolution
):
    client.force_login(superuser)
    response = upload(client, tree["province"], docx_with("{{ issuer }}", "{{ secret_key }}"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trường thay thế “secret_key” không nằm trong danh sách" in page
    assert not ReportTemplate.objects.exists()
    client.force_login(users["province"])
    text = document_text(document(draft(client, tree["province"], period="half", year=2020)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text  # the default template


@pytest.mark.django_db
def test_the_admin_offers_the_default_template(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("admin:targets_reporttemplate_default"))
    assert response.status_code == 200 and response.content == DEFAULT_TEMPLATE.read_bytes()


@pytest.mark.django_db
def test_a_kept_template_that_cannot_be_filled_in_falls_back_to_the_default_and_says_so(client, users, tree):
    """A template kept before a placeholder changed: the draft is still made, from the default,
    and the officer is told."""
    province = tree["province"]
    ReportTemplate.objects.create(federation=province, name="cu.docx", content=docx_with("{{ issuer.old_name }}"))
    client.force_login(users["province"])
    text = document_text(document(draft(client, province, period="year", year=2020)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    page = client.get(reverse("dashboard-unit", args=[province.pk])).content.decode()
    assert "Không điền được mẫu báo cáo “cu.docx” của liên đoàn: đã dùng mẫu mặc định." in page
