"""The performance report as CSV: the figures (value, numerator, denominator, formula), the ranking, the
trend per day and the distribution per category. Written as UTF-8 with a byte-order mark (`CSV_ENCODING`),
so Excel shows the Chinese names and formulas instead of mojibake."""
from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from app.metrics.figures import CTX, FIGURES_BY_KEY, NA, RANKING_KEYS, Report
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.platform.labels import localized_name

if TYPE_CHECKING:
    from app.refdata.model import RefData

CSV_ENCODING = "utf-8-sig"


def report_csv(rep: Report, refdata: RefData, language: str | None = None) -> str:
    """The report as CSV text: the figures (value, numerator, denominator, formula), the ranking, the
    trend per day and the distribution per category; names in `language` (Chinese or English)."""

    def unit_name(unit_id: str) -> str:
        return localized_name(refdata.unit(unit_id), language) if refdata.has_unit(unit_id) else unit_id

    t = lambda text: translate(CTX, text)  # noqa: E731
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    scope = t(QT_TRANSLATE_NOOP("Metrics", "City-wide")) if rep.unit_id is None else unit_name(rep.unit_id)
    if rep.unit_id is not None and rep.rollup:
        scope += " " + t(QT_TRANSLATE_NOOP("Metrics", "(with sub-units)"))
    source = t(QT_TRANSLATE_NOOP("Metrics", "server")) if rep.source == "server" else \
        t(QT_TRANSLATE_NOOP("Metrics", "console cache (offline)"))
    w.writerow([t(QT_TRANSLATE_NOOP("Metrics", "Period")), rep.period.start.isoformat(), rep.period.end.isoformat(),
                rep.period.timezone])
    w.writerow([t(QT_TRANSLATE_NOOP("Metrics", "Scope")), scope])
    w.writerow([t(QT_TRANSLATE_NOOP("Metrics", "Computed by")), source,
                rep.period.as_of.isoformat(timespec="seconds")])
    w.writerow([])
    w.writerow([t(QT_TRANSLATE_NOOP("Metrics", "Figure")), t(QT_TRANSLATE_NOOP("Metrics", "Value")),
                t(QT_TRANSLATE_NOOP("Metrics", "Numerator")), t(QT_TRANSLATE_NOOP("Metrics", "Denominator")),
                t(QT_TRANSLATE_NOOP("Metrics", "p90")), t(QT_TRANSLATE_NOOP("Metrics", "Formula"))])
    for f in rep.figures:
        if f.kind == "rate":
            value = "" if f.value is None else f"{f.value * 100:.2f}%"
        elif f.kind == "duration":
            value = "" if f.value is None else f"{f.value / 60:.1f} min"
        else:
            value = str(int(f.value or 0))
        p90 = f"{f.p90 / 60:.1f} min" if f.p90 is not None else ""
        w.writerow([t(f.label), value if f.value is not None or f.kind == "count" else t(NA),
                    "" if f.numerator is None else f.numerator, "" if f.denominator is None else f.denominator,
                    p90, t(f.formula)])
    w.writerow([])
    if rep.posts:
        w.writerow([t(QT_TRANSLATE_NOOP("Metrics", "Post")), t(QT_TRANSLATE_NOOP("Metrics", "Figure")),
                    t(QT_TRANSLATE_NOOP("Metrics", "Value")), t(QT_TRANSLATE_NOOP("Metrics", "Numerator")),
                    t(QT_TRANSLATE_NOOP("Metrics", "Denominator")), t(QT_TRANSLATE_NOOP("Metrics", "Formula"))])
        for post in rep.posts:
            for f in post.figures:
                w.writerow([t(post.label), t(f.label), _cell(f, t), "" if f.numerator is None else f.numerator,
                            "" if f.denominator is None else f.denominator, t(f.formula)])
        w.writerow([])
    w.writerow([t(QT_TRANSLATE_NOOP("Metrics", "Ranking")), t(FIGURES_BY_KEY[rep.ranking_by].label),
                rep.ranking_rule])
    w.writerow([t(QT_TRANSLATE_NOOP("Metrics", "Rank")), t(QT_TRANSLATE_NOOP("Metrics", "Unit"))]
               + [t(FIGURES_BY_KEY[k].label) for k in RANKING_KEYS]
               + [t(QT_TRANSLATE_NOOP("Metrics", "Peer group")), t(QT_TRANSLATE_NOOP("Metrics", "Not ranked because"))])
    for row in rep.ranking:
        figs = {f.key: f for f in row.figures}
        cells = [_cell(figs[k], t) for k in RANKING_KEYS]
        w.writerow(["—" if row.rank is None else row.rank, unit_name(row.unit_id), *cells, row.peer_group,
                    row.unranked_reason])
    w.writerow([])
    w.writerow([t(QT_TRANSLATE_NOOP("Metrics", "Day"))] + [t(FIGURES_BY_KEY[k].label) for k in
                                                          ("registered", "dispatched", "handled", "closed")])
    for p in rep.trend:
        w.writerow([p.day.isoformat(), p.registered, p.dispatched, p.handled, p.closed])
    w.writerow([])
    w.writerow([t(QT_TRANSLATE_NOOP("Metrics", "Category")), t(FIGURES_BY_KEY["registered"].label),
                t(FIGURES_BY_KEY["handled"].label), t(FIGURES_BY_KEY["closed"].label),
                t(QT_TRANSLATE_NOOP("Metrics", "Handling due")), t(QT_TRANSLATE_NOOP("Metrics", "Handled on time"))])
    for c in rep.categories:
        name = c.category_code
        if refdata.has_category(c.category_code):
            cat = refdata.category(c.category_code)
            name = f"{c.category_code} {localized_name(cat, language)}"
        w.writerow([name, c.registered, c.handled, c.closed, c.handling_due, c.handled_on_time])
    return out.getvalue()


def _cell(f, t) -> str:
    if f.kind == "count":
        return str(int(f.value or 0))
    return t(NA) if f.value is None else f"{f.value * 100:.2f}%"
