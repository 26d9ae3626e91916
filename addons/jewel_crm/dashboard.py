# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Panels that other modules add to the role dashboards.

Tryton 8.0 cannot record an inheriting view of a board: an extension view
must have no type and then needs a model, while a board's view_get only
applies extensions without model.  So a module adds panels to a board of
``dashboard.xml`` by extending ``View._board_panels``; they follow the
board's own panels, in module order, or the panel they name.
"""
from lxml import etree

from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access


class View(metaclass=PoolMeta):
    __name__ = 'ir.ui.view'

    @classmethod
    def _board_panels(cls):
        """{board view XML id: [act_window XML ids]} to add to boards; an
        entry may be (XML id, XML id of the board's panel it follows);
        extend with super()"""
        return {}

    def view_get(self, model=None):
        result = super().view_get(model=model)
        if self.type != 'board' or model or not self.id:
            return result
        panels = self._board_panels().get(self._xml_id())
        if not panels:
            return result
        parser = etree.XMLParser(remove_comments=True, resolve_entities=False)
        tree = etree.fromstring(result['arch'], parser=parser)
        shown = {a.get('name'): a for a in tree.iter('action')}
        for panel in panels:
            name, after = panel if isinstance(panel, tuple) else (panel, None)
            if name in shown:
                continue
            action = etree.Element('action', name=name)
            if after in shown:
                shown[after].addnext(action)
            else:
                tree.append(action)
            shown[name] = action
        return dict(result,
            arch=etree.tostring(tree, encoding='utf-8').decode('utf-8'))

    def _xml_id(self):
        ModelData = Pool().get('ir.model.data')
        with without_check_access():
            data = ModelData.search([
                    ('model', '=', self.__name__), ('db_id', '=', self.id),
                    ], limit=1)
        return f'{data[0].module}.{data[0].fs_id}' if data else None
