# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Which customer invoices the reports count, shared by the customer
reports of this module and the accountant's registers of jewel_account."""
from sql import Literal
from sql.operators import Concat, Exists

from trytond.pool import Pool
from trytond.pyson import Eval

# The states of an invoice that is in the books
POSTED = ('posted', 'paid')
# The keywords of a report's party field: a party is company-dependent
# (multivalue receivable accounts...)
PARTY = dict(context={'company': Eval('company', -1)}, depends={'company'})


def sold_from(invoice, showroom):
    """Condition: the invoice bills a sale of the showroom (or True when no
    showroom is chosen)"""
    if not showroom:
        return Literal(True)
    pool = Pool()
    line = pool.get('account.invoice.line').__table__()
    sale_line = pool.get('sale.line').__table__()
    sale = pool.get('sale.sale').__table__()
    return Exists(line
        .join(sale_line, condition=line.origin == Concat(
                'sale.line,', sale_line.id))
        .join(sale, condition=sale_line.sale == sale.id)
        .select(line.id, where=(line.invoice == invoice.id)
            & (sale.warehouse == showroom)))
