"""Charts drawn on the server as inline SVG: no JavaScript, no network, readable in black
and white (lines told apart by dash pattern and markers, not by colour)."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from targets.rollup.pace import expected_figure
from unionplan.numbers import format_number

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 44, 36


def _n(number):
    """A coordinate with one decimal (a dot, whatever the language)."""
    return f"{number:.1f}"


def _nice_ceiling(value):
    """A round number at or above ``value`` for the top of the axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude) if step * magnitude >= 1 else 1
    return 10 * magnitude


def progress_chart(expected, cumulative, figure, title=""):
    """Cumulative achievement (solid, square markers) for months 1..len(cumulative), against
    the figure (dotted) and the expected curve (dashed, circle markers) over the whole year:
    ``expected`` holds the share of the figure expected by the end of months 0..12 (the
    year's rhythm, reaching the whole figure at the due month)."""
    top = _nice_ceiling(max([figure or 0, *cumulative, 1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(month):
        return LEFT + plot_w * month / 12

    def y(value):
        return TOP + plot_h - plot_h * float(value) / top

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" class="progress-chart" role="img" '
            'aria-label="{}" font-family="sans-serif" font-size="11">',
            WIDTH,
            HEIGHT,
            title,
        ),
        format_html("<title>{}</title>", title),
    ]
    # Grid and axis labels.
    for i in range(5):
        value = Decimal(top) * i / 4
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ccc" stroke-width="0.5"/>'
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                _n(y(value)),
                WIDTH - RIGHT,
                _n(y(value)),
                LEFT - 6,
                _n(y(value) + 4),
                format_number(value, 0 if value == int(value) else 1),
            )
        )
    parts.append(
        format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle">{}</text>',
            ((_n(x(m)), HEIGHT - BOTTOM + 16, _("M%(m)s") % {"m": m}) for m in range(1, 13)),
        )
    )
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000"/>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000"/>',
            LEFT,
            TOP,
            LEFT,
            TOP + plot_h,
            LEFT,
            TOP + plot_h,
            WIDTH - RIGHT,
            TOP + plot_h,
        )
    )
    if figure:
        # The figure, and the pace expected to reach it (by the due month, or by December).
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000" stroke-width="1.5" stroke-dasharray="2 3"/>',
                LEFT,
                _n(y(figure)),
                WIDTH - RIGHT,
                _n(y(figure)),
            )
        )
        curve = [(x(m), y(Decimal(figure) * share)) for m, share in enumerate(expected)]
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="#555" stroke-width="1.5" stroke-dasharray="8 4" '
                'class="expected-curve"/>',
                " ".join(f"{px:.1f},{py:.1f}" for px, py in curve),
            )
        )
        parts.append(
            format_html_join(
                "",
                '<circle cx="{}" cy="{}" r="2.5" fill="#fff" stroke="#555"><title>{}</title></circle>',
                (
                    (_n(px), _n(py), _("Expected by month %(m)s: %(v)s") % {"m": m, "v": format_number(v)})
                    for m, (px, py), v in (
                        (m, curve[m], expected_figure(figure, expected[m])) for m in range(1, len(curve))
                    )
                ),
            )
        )
    if cumulative:
        points = [(x(0), y(0))] + [(x(m), y(v)) for m, v in enumerate(cumulative, start=1)]
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="#000" stroke-width="2.5"/>',
                " ".join(f"{px:.1f},{py:.1f}" for px, py in points),
            )
        )
        parts.append(
            format_html_join(
                "",
                '<rect x="{}" y="{}" width="6" height="6" fill="#000"><title>{}</title></rect>',
                (
                    (_n(px - 3), _n(py - 3), _("Month %(m)s: %(v)s") % {"m": m, "v": format_number(v)})
                    for m, ((px, py), v) in enumerate(zip(points[1:], cumulative, strict=True), start=1)
                ),
            )
        )
    # Legend.
    legend = [
        ('stroke="#000" stroke-width="2.5"', _("Achieved (cumulative, approved)")),
        ('stroke="#555" stroke-width="1.5" stroke-dasharray="8 4"', _("Expected")),
        ('stroke="#000" stroke-width="1.5" stroke-dasharray="2 3"', _("Figure")),
    ]
    offset = LEFT
    for style, label in legend:
        parts.append(
            format_html(
                '<line x1="{}" y1="16" x2="{}" y2="16" {}/><text x="{}" y="20">{}</text>',
                offset,
                offset + 24,
                mark_safe(style),  # a constant above, never user input
                offset + 30,
                label,
            )
        )
        offset += 40 + 6 * len(label)
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


SMALL_WIDTH, SMALL_HEIGHT, SMALL_PAD = 200, 64, 4
# The achieved line per verdict: dark colours (4.5:1 against white); the verdict is also
# written beside the chart, so that colour is never the only sign.
SMALL_LINE = {
    "exceeded": "#146c43",
    "achieved": "#146c43",
    "on_track": "#0a58ca",
    "behind": "#b02a37",
    "not_achieved": "#212529",
    "no_figure": "#6c757d",
}


def small_multiple(expected, cumulative, figure, status, label):
    """One target in a thumbnail: cumulative achieved (solid, a dot at the last month)
    against the expected line (dashed) and the figure (dotted), months 1 to 12 on a shared
    scale of the figure; ``label`` is what a screen reader hears instead."""
    top = max([figure or 0, *cumulative, 1]) * 1.08
    plot_w, plot_h = SMALL_WIDTH - 2 * SMALL_PAD, SMALL_HEIGHT - 2 * SMALL_PAD

    def x(month):
        return SMALL_PAD + plot_w * month / 12

    def y(value):
        return SMALL_PAD + plot_h - plot_h * float(value) / float(top)

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" class="small-multiple" role="img" '
            'aria-label="{}">',
            SMALL_WIDTH,
            SMALL_HEIGHT,
            label,
        ),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#495057" stroke-width="1"/>',
            SMALL_PAD,
            _n(y(0)),
            SMALL_WIDTH - SMALL_PAD,
            _n(y(0)),
        ),
    ]
    if figure:
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000" stroke-width="1" stroke-dasharray="2 2"/>',
                SMALL_PAD,
                _n(y(figure)),
                SMALL_WIDTH - SMALL_PAD,
                _n(y(figure)),
            )
        )
        curve = " ".join(f"{x(m):.1f},{y(Decimal(figure) * share):.1f}" for m, share in enumerate(expected))
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="#495057" stroke-width="1.5" stroke-dasharray="5 3"/>',
                curve,
            )
        )
    if cumulative:
        points = [(x(0), y(0))] + [(x(m), y(v)) for m, v in enumerate(cumulative, start=1)]
        colour = SMALL_LINE.get(str(status), "#000")
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>'
                '<circle cx="{}" cy="{}" r="3.5" fill="{}"/>',
                " ".join(f"{px:.1f},{py:.1f}" for px, py in points),
                colour,
                _n(points[-1][0]),
                _n(points[-1][1]),
                colour,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))
