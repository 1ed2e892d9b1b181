"""Numbers are read and written the Vietnamese way, and anything else is refused by name."""

import unicodedata
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from unionplan.numbers import (
    NumberFormatError,
    VietnameseDecimalField,
    VietnameseIntegerField,
    format_achievement,
    format_money,
    format_number,
    format_percent,
    number_for_input,
    number_from_cell,
    parse_decimal,
    parse_integer,
)

INTEGER_HINT = "Nhập số nguyên, dấu chấm ngăn hàng nghìn (ví dụ 5.821)."


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


# --- parse_integer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, number",
    [
        ("5821", 5821),
        ("5.821", 5821),
        ("15.000.000", 15_000_000),
        ("1.000.000.000.000.000", 10**15),
        ("0", 0),
        ("999", 999),
        ("007", 7),
        ("  5.821\t", 5821),
        ("\u00a05.821\n", 5821),
    ],
)
def test_integers_typed_the_vietnamese_way_are_read(text, number):
    assert parse_integer(text) == number


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_text_is_no_number(text):
    assert parse_integer(text) is None
    assert parse_decimal(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "1.2.3",  # saved as 123 before
        "12.34",  # a decimal point in a whole number, or a thousands group of two
        "1.2345",
        "1.23.456",
        "0.123",
        "1234.567",
        ".123",
        "123.",
        "1..000",
        "1_000",  # saved as 1000 before
        "1,000",
        "1,5",
        "١٢٣",  # Arabic-Indic, saved as 123 before
        "１２３",  # full-width, saved as 123 before
        "5.８21",
        "۱۲۳",  # Extended Arabic-Indic
        "१२३",  # Devanagari
        "+5",
        "--5",
        "- 5",
        "−5",  # minus sign U+2212
        "5 821",
        "5\u00a0821",
        "5e3",
        "0x10",
        "²",
        "NaN",
        "Infinity",
        "abc",
        "5.821đ",
        "1" * 61,
    ],
)
def test_anything_else_is_refused_as_a_whole_number(text):
    with pytest.raises(NumberFormatError) as refused:
        parse_integer(text)
    assert str(refused.value) == INTEGER_HINT
    assert refused.value.message == "nhập số nguyên, dấu chấm ngăn hàng nghìn (ví dụ 5.821)"


def test_the_error_is_a_value_error():
    assert issubclass(NumberFormatError, ValueError)


def test_a_minus_only_where_allowed():
    with pytest.raises(NumberFormatError) as refused:
        parse_integer("-5")
    assert refused.value.code == "negative"
    assert str(refused.value) == "Số không được âm."
    assert parse_integer("-5", allow_negative=True) == -5
    assert parse_integer("-15.000", allow_negative=True) == -15000
    assert parse_integer("-0", allow_negative=True) == 0


def test_only_text_is_parsed():
    with pytest.raises(TypeError):
        parse_integer(5821)


def test_messages_follow_the_language():
    with translation.override("en"):
        with pytest.raises(NumberFormatError) as refused:
            parse_integer("1.2.3")
        assert str(refused.value) == "Enter a whole number, with dots between thousands (for example 5.821)."


# --- parse_decimal --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, number",
    [
        ("15.000", Decimal("15000")),
        ("15000", Decimal("15000")),
        ("2,5", Decimal("2.5")),
        ("2,50", Decimal("2.50")),
        ("0,75", Decimal("0.75")),
        ("15.000.000,25", Decimal("15000000.25")),
        ("1.000.000.000.000.000", Decimal(10**15)),
        ("999.999.999.999.999,99", Decimal("999999999999999.99")),
    ],
)
def test_decimals_typed_the_vietnamese_way_are_read_exactly(text, number):
    parsed = parse_decimal(text)
    assert isinstance(parsed, Decimal)
    assert parsed == number


@pytest.mark.parametrize(
    "text",
    ["12.34", "2.5", "1.2.3", "1_000,5", ",5", "2,", "2,5,1", "1,000.00", "١٢٣", "１２３", "2,٥", "+2,5", "2 ,5"],
)
def test_decimals_refuse_everything_else(text):
    with pytest.raises(NumberFormatError) as refused:
        parse_decimal(text)
    assert str(refused.value) == (
        "Nhập số, dấu chấm ngăn hàng nghìn, dấu phẩy trước phần thập phân (ví dụ 15.000 hoặc 2,5)."
    )


def test_no_more_decimals_than_the_field_takes():
    assert parse_decimal("2,5", places=1) == Decimal("2.5")
    with pytest.raises(NumberFormatError) as refused:
        parse_decimal("2,555")
    assert refused.value.code == "decimal_places"
    assert str(refused.value) == "Chỉ ghi tối đa 2 chữ số sau dấu phẩy."


def test_no_decimals_at_all_reads_whole_numbers_only():
    assert parse_decimal("15.000", places=0) == Decimal(15000)
    with pytest.raises(NumberFormatError) as refused:
        parse_decimal("2,5", places=0)
    assert str(refused.value) == INTEGER_HINT


def test_negative_decimals_only_where_allowed():
    with pytest.raises(NumberFormatError):
        parse_decimal("-2,5")
    assert parse_decimal("-2,5", allow_negative=True) == Decimal("-2.5")


# --- number_from_cell -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, number",
    [
        (None, None),
        (5821, 5821),
        (5821.0, 5821),
        (1e15, 10**15),
        (Decimal("15000.00"), 15000),
        ("5.821", 5821),
        ("", None),
    ],
)
def test_a_cell_as_a_whole_number(value, number):
    read = number_from_cell(value)
    assert read == number
    assert read is None or type(read) is int


@pytest.mark.parametrize(
    "value, number",
    [
        (15000, Decimal(15000)),
        (2.5, Decimal("2.5")),
        (1234.56, Decimal("1234.56")),
        (15000.0, Decimal(15000)),
        (Decimal("2.50"), Decimal("2.50")),
        ("2,5", Decimal("2.5")),
    ],
)
def test_a_cell_as_a_decimal(value, number):
    read = number_from_cell(value, decimals=True)
    assert isinstance(read, Decimal)
    assert read == number


@pytest.mark.parametrize(
    "value",
    [5821.5, Decimal("2.5"), True, False, float("nan"), float("inf"), "1.2.3", "١٢٣", -3, -3.0],
)
def test_a_cell_that_is_no_whole_number_is_refused(value):
    with pytest.raises(NumberFormatError):
        number_from_cell(value)


def test_a_cell_with_more_decimals_than_the_field_takes_is_refused():
    with pytest.raises(NumberFormatError) as refused:
        number_from_cell(0.1 + 0.2, decimals=True)
    assert refused.value.code == "decimal_places"
    assert number_from_cell(2.555, decimals=True, places=3) == Decimal("2.555")


def test_a_date_cell_is_no_number():
    import datetime

    with pytest.raises(NumberFormatError):
        number_from_cell(datetime.date(2020, 1, 1))


def test_negative_cells_only_where_allowed():
    assert number_from_cell(-29, allow_negative=True) == -29
    assert number_from_cell("-2,5", decimals=True, allow_negative=True) == Decimal("-2.5")


# --- writing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, decimals, text",
    [
        (5821, None, "5.821"),
        (15_000_000, None, "15.000.000"),
        (10**15, None, "1.000.000.000.000.000"),
        (Decimal("15000.00"), None, "15.000"),
        (Decimal("120.44"), None, "120,44"),
        (Decimal("2.5"), 2, "2,50"),
        (999, None, "999"),
        (-5821, None, "-5.821"),
        (None, None, "–"),
        ("", None, "–"),
    ],
)
def test_format_number(value, decimals, text):
    assert format_number(value, decimals) == text


def test_format_number_follows_the_language():
    with translation.override("en"):
        assert format_number(5821) == "5,821"


def test_percent_and_achievement():
    assert format_percent(Decimal("85.33")) == "85,3%"
    assert format_percent(120.444, 2) == "120,44%"
    assert format_percent(None) == "–"
    assert format_achievement(Decimal("85.3")) == "đạt 85,3%"
    assert format_achievement(100) == "đạt 100,0%"
    assert format_achievement(112) == "vượt 12,0%"
    assert format_achievement(None) == "–"


@pytest.mark.parametrize(
    "value, text",
    [
        (15_000_000_000, "15 tỷ đồng"),
        (2_500_000_000, "2,5 tỷ đồng"),
        (2_345_678_900, "2,35 tỷ đồng"),
        (1_000_000_000, "1 tỷ đồng"),
        (999_999_999, "1 tỷ đồng"),  # rounds to 1.000 triệu, which is 1 tỷ
        (850_000_000, "850 triệu đồng"),
        (1_500_000, "1,5 triệu đồng"),
        (1_000_000, "1 triệu đồng"),
        (999_999, "999.999 đồng"),
        (15_000, "15.000 đồng"),
        (Decimal("15000.00"), "15.000 đồng"),
        (Decimal("15000.50"), "15.000,50 đồng"),
        (0, "0 đồng"),
        (10**15, "1.000.000 tỷ đồng"),
        (Decimal("2500000000.00"), "2,5 tỷ đồng"),
        (-2_500_000_000, "-2,5 tỷ đồng"),
        (None, "–"),
    ],
)
def test_money_the_way_reports_write_it(value, text):
    assert format_money(value) == text


def test_money_in_every_digit_on_demand():
    assert format_money(2_345_678_900, exact=True) == "2.345.678.900 đồng"
    assert format_money(10**15 + 1, exact=True) == "1.000.000.000.000.001 đồng"


def test_money_in_english():
    with translation.override("en"):
        assert format_money(2_500_000_000) == "2.5 billion đồng"


@pytest.mark.parametrize(
    "value, text",
    [
        (5821, "5.821"),
        (10**15, "1.000.000.000.000.000"),
        (Decimal("1234567.5"), "1.234.567,5"),
        (Decimal("15000.00"), "15.000"),
        (-29, "-29"),
        (None, ""),
        ("1.2.3", "1.2.3"),
    ],
)
def test_number_for_input_is_vietnamese_in_any_language(value, text):
    with translation.override("en"):
        assert number_for_input(value) == text


# --- form fields ----------------------------------------------------------------------------


class FigureForm(forms.Form):
    new_members = VietnameseIntegerField(label="Số hội viên mới", required=False, min_value=0, max_value=1_000_000)
    amount = VietnameseDecimalField(label="Số tiền", required=False, min_value=0, max_digits=18, decimal_places=2)
    change = VietnameseIntegerField(label="Tăng giảm", required=False)


def test_the_form_reads_vietnamese_numbers():
    form = FigureForm({"new_members": "5.821", "amount": "1.000.000.000.000.000", "change": "-29"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"new_members": 5821, "amount": Decimal(10**15), "change": -29}
    assert type(form.cleaned_data["amount"]) is Decimal


def test_the_largest_money_the_column_holds_is_exact():
    form = FigureForm({"amount": "9.999.999.999.999.999,99"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("9999999999999999.99")


def test_empty_is_none():
    form = FigureForm({"new_members": " ", "amount": ""})
    assert form.is_valid()
    assert form.cleaned_data["new_members"] is None and form.cleaned_data["amount"] is None


@pytest.mark.parametrize(
    "field, text, message",
    [
        ("new_members", "1.2.3", "Số hội viên mới: nhập số nguyên, dấu chấm ngăn hàng nghìn (ví dụ 5.821)."),
        ("new_members", "1_000", "Số hội viên mới: nhập số nguyên, dấu chấm ngăn hàng nghìn (ví dụ 5.821)."),
        ("new_members", "١٢٣", "Số hội viên mới: nhập số nguyên, dấu chấm ngăn hàng nghìn (ví dụ 5.821)."),
        ("new_members", "１２３", "Số hội viên mới: nhập số nguyên, dấu chấm ngăn hàng nghìn (ví dụ 5.821)."),
        ("new_members", "-5", "Số hội viên mới: số không được âm."),
        ("new_members", "1.000.001", "Số hội viên mới: nhập số không lớn hơn 1.000.000."),
        (
            "amount",
            "12.34",
            "Số tiền: nhập số, dấu chấm ngăn hàng nghìn, dấu phẩy trước phần thập phân (ví dụ 15.000 hoặc 2,5).",
        ),
        ("amount", "2,555", "Số tiền: chỉ ghi tối đa 2 chữ số sau dấu phẩy."),
        ("amount", "10.000.000.000.000.000", "Số tiền: nhập số không lớn hơn 9.999.999.999.999.999,99."),
        ("amount", "-1", "Số tiền: số không được âm."),
    ],
)
def test_the_form_refuses_by_the_fields_name(field, text, message):
    form = FigureForm({field: text})
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_a_lower_bound_is_written_the_vietnamese_way():
    field = VietnameseIntegerField(label="Tăng giảm", min_value=-10_000)
    with pytest.raises(forms.ValidationError) as refused:
        field.clean("-10.001")
    assert refused.value.messages == ["Tăng giảm: nhập số không nhỏ hơn -10.000."]


def test_a_field_without_label_still_says_what_is_wrong():
    with pytest.raises(forms.ValidationError) as refused:
        VietnameseIntegerField().clean("1.2.3")
    assert refused.value.messages == [INTEGER_HINT]


def test_the_form_shows_its_numbers_the_way_it_reads_them():
    html = str(FigureForm(initial={"new_members": 15_000_000, "amount": Decimal("2500000.50")}))
    assert 'value="15.000.000"' in html
    assert 'value="2.500.000,50"' in html
    assert 'type="text"' in html and 'inputmode="numeric"' in html and 'inputmode="decimal"' in html


def test_a_refused_value_is_shown_back_as_typed():
    form = FigureForm({"new_members": "1.2.3"})
    assert 'value="1.2.3"' in str(form["new_members"])


def test_an_unchanged_form_has_not_changed():
    form = FigureForm(
        {"new_members": "5.821", "amount": "15.000"}, initial={"new_members": 5821, "amount": Decimal(15000)}
    )
    assert not form.has_changed()


# --- properties -----------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**15))
def test_every_formatted_integer_reads_back(number):
    with translation.override("vi"):
        assert parse_integer(format_number(number)) == number
        assert parse_decimal(format_number(number)) == number
    with translation.override("en"):
        assert parse_integer(number_for_input(number)) == number


@given(st.decimals(min_value=0, max_value=10**15, places=2))
def test_every_decimal_written_for_input_reads_back(number):
    assert parse_decimal(number_for_input(number)) == number


def is_foreign_digit(character):
    return unicodedata.category(character) == "Nd" and character not in "0123456789"


foreign_digits = st.characters(categories=["Nd"]).filter(lambda c: c not in "0123456789")


@given(st.text(alphabet="0123456789.,-", max_size=12), foreign_digits, st.text(alphabet="0123456789.,", max_size=12))
def test_any_non_ascii_digit_is_refused(before, digit, after):
    text = before + digit + after
    assert is_foreign_digit(digit)
    for parse in (parse_integer, parse_decimal):
        with pytest.raises(NumberFormatError):
            parse(text, allow_negative=True)
    with pytest.raises(NumberFormatError):
        number_from_cell(text, decimals=True, allow_negative=True)


@given(st.text(max_size=30))
def test_whatever_is_typed_is_a_number_or_a_refusal(text):
    """No text makes the parser fail otherwise than with NumberFormatError."""
    try:
        number = parse_decimal(text, allow_negative=True)
    except NumberFormatError:
        return
    assert number is None or number == parse_decimal(number_for_input(number), allow_negative=True)
