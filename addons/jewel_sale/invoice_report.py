# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The printed tax invoice shows the jewellery content the law asks for"
from trytond.pool import Pool, PoolMeta


class TaxInvoiceReport(metaclass=PoolMeta):
    __name__ = 'jewel.tax_invoice'

    @classmethod
    def line_details(cls, line):
        details = super().line_details(line)
        if not line.piece:
            return details
        lang = _lang(line)
        currency = line.invoice.currency

        def weight(value):
            return f'{cls.format_number(value, lang, 3)} g'

        def money(value):
            return cls.format_currency(value, lang, currency)
        details.extend([
                ("HSN", line.hsn_code or ''),
                ("Tag", line.piece.number),
                ("Gross weight", weight(line.gross_weight)),
                ("Net weight", weight(line.net_weight)),
                ("Purity (karat, fineness)", line.purity_label or ''),
                ])
        if line.huid:
            details.append(("HUID", line.huid))
        if line.hallmark_charge:
            details.append(("Hallmark charge", money(line.hallmark_charge)))
        if line.stones_carat:
            details.append(("Stones", '%s ct, value %s' % (
                        cls.format_number(line.stones_carat, lang, 3),
                        money(line.stones_value or 0))))
            for text in (line.stones_description or '').splitlines():
                details.append(("Stone", text))
        return details


def _lang(line):
    Lang = Pool().get('ir.lang')
    return line.invoice.party.lang or Lang.get()
