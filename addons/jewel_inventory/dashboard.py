# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Today's sales, stock and workshop panels on the managers' and the
artisans' dashboards of jewel_crm"""
from trytond.pool import PoolMeta

PANELS = [
    # Daily Sales Compared without filters: today, per showroom, against
    # the same day last week and last year
    'jewel_inventory.act_sales_comparison_graph',
    'jewel_inventory.act_stock_report',
    'jewel_inventory.act_repair_board',
    'jewel_inventory.act_repair_overdue',
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
        # the karigar's day: the workshop's stages and the jobs given out
        board = 'jewel_crm.dashboard_artisan_view_board'
        panels[board] = panels.get(board, []) + [
            'jewel_inventory.act_repair_board',
            'jewel_inventory.act_artisan_job_form',
            ]
        return panels
