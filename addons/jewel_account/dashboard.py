# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The registers on the dashboards of jewel_crm: the Business Admin's
receivables and cash, the Accountant's board"""
from trytond.pool import PoolMeta

# (panel, the board's panel it follows)
BUSINESS_ADMIN = [
    ('jewel_account.act_receivable_ageing', 'jewel_crm.act_target_form'),
    ('jewel_account.act_cash_book_graph',
        'jewel_account.act_receivable_ageing'),
    ]
ACCOUNTANT = [
    'jewel_account.act_payment_due',
    'jewel_account.act_cash_book_graph',
    'jewel_account.act_tax_summary',
    ]


class View(metaclass=PoolMeta):
    __name__ = 'ir.ui.view'

    @classmethod
    def _board_panels(cls):
        panels = super()._board_panels()
        for board, added in [
                ('jewel_crm.dashboard_business_admin_view_board',
                    BUSINESS_ADMIN),
                ('jewel_crm.dashboard_accountant_view_board', ACCOUNTANT),
                ]:
            panels[board] = panels.get(board, []) + added
        return panels
