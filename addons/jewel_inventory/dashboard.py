# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The stock panels on the managers' dashboards of jewel_crm"
from trytond.pool import PoolMeta

PANELS = [
    'jewel_inventory.act_stock_report',
    ]


class View(metaclass=PoolMeta):
    __name__ = 'ir.ui.view'

    @classmethod
    def _board_panels(cls):
        panels = super()._board_panels()
        for role in ['business_admin', 'store_manager']:
            board = f'jewel_crm.dashboard_{role}_view_board'
            panels[board] = panels.get(board, []) + PANELS
        board = 'jewel_crm.dashboard_store_manager_view_board'
        panels[board].append('jewel_inventory.act_stock_low')
        return panels
