# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Today's sales panel on the managers' dashboards of jewel_crm"
from trytond.pool import PoolMeta

PANELS = [
    # Daily Sales Compared without filters: today, per showroom, against
    # the same day last week and last year
    'jewel_sale.act_sales_comparison_graph',
    ]
# The managers read today's sales first, then the stock
BEFORE = 'jewel_inventory.act_stock_report'


class View(metaclass=PoolMeta):
    __name__ = 'ir.ui.view'

    @classmethod
    def _board_panels(cls):
        panels = super()._board_panels()
        for role in ['business_admin', 'store_manager']:
            board = f'jewel_crm.dashboard_{role}_view_board'
            actions = panels.get(board, [])
            index = (actions.index(BEFORE) if BEFORE in actions
                else len(actions))
            panels[board] = actions[:index] + PANELS + actions[index:]
        return panels
