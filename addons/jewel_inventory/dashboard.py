# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The Store Manager dashboard of jewel_crm shows the Low Stock list.

Tryton 8.0 cannot inherit a board view in XML: an inheriting view must
have no type, a view without type needs a model, and a board's inheriting
views are looked up with no model.  So the board's architecture gets the
panel here, when it is read.
"""
from lxml import etree

from trytond.pool import Pool, PoolMeta

PANELS = {
    ('jewel_crm', 'dashboard_store_manager_view_board'): [
        'jewel_inventory.act_stock_low'],
    }


class View(metaclass=PoolMeta):
    __name__ = 'ir.ui.view'

    def view_get(self, model=None):
        result = super().view_get(model=model)
        panels = self._jewel_panels()
        if panels:
            tree = etree.fromstring(result['arch'])
            present = {a.get('name') for a in tree.iter('action')}
            for name in panels:
                if name not in present:
                    etree.SubElement(tree, 'action', name=name)
            result = {**result,
                'arch': etree.tostring(tree, encoding='unicode')}
        return result

    def _jewel_panels(self):
        ModelData = Pool().get('ir.model.data')
        for xml_id, panels in PANELS.items():
            if self.id == ModelData.get_id(*xml_id):
                return panels
        return []
