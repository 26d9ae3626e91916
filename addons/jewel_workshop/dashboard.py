# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The workshop panels on the managers' and the artisans' dashboards of
jewel_crm"""
from trytond.pool import PoolMeta

PANELS = [
    'jewel_workshop.act_repair_board',
    'jewel_workshop.act_repair_overdue',
    ]
# The managers read the workshop right after the stock
AFTER = 'jewel_inventory.act_stock_report'


class View(metaclass=PoolMeta):
    __name__ = 'ir.ui.view'

    @classmethod
    def _board_panels(cls):
        panels = super()._board_panels()
        for role in ['business_admin', 'store_manager']:
            board = f'jewel_crm.dashboard_{role}_view_board'
            actions = panels.get(board, [])
            index = (actions.index(AFTER) + 1 if AFTER in actions
                else len(actions))
            panels[board] = actions[:index] + PANELS + actions[index:]
        # the karigar's day: the workshop's stages and the jobs given out
        board = 'jewel_crm.dashboard_artisan_view_board'
        panels[board] = panels.get(board, []) + [
            'jewel_workshop.act_repair_board',
            'jewel_workshop.act_artisan_job_form',
            ]
        return panels
