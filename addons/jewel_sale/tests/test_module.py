# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Table

from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from jewel_crm.tests.bounds import QuantityBoundsMixin
from jewel_crm.tests.static import StaticChecksOnce


class JewelSaleTestCase(
        StaticChecksOnce, QuantityBoundsMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test Jewel Sale module"
    module = 'jewel_sale'

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {
            ('stock.location', 'company'), ('party.party', 'company')}

    @with_transaction()
    def test_adopt_records(self):
        """A database where jewel_inventory holds selling: its records,
        models, fields and views pass to jewel_sale, jewel_inventory's stay"""
        from ..upgrade import adopt_records
        cursor = Transaction().connection.cursor()
        tables = {name: Table(name) for name in [
                'ir_model_data', 'ir_model', 'ir_model_field',
                'ir_ui_view', 'ir_action_report']}

        def modules():
            result = {}
            for name, table in tables.items():
                cursor.execute(*table.select(table.module, table.id))
                result[name] = dict((i, m) for m, i in cursor)
            return result
        before = modules()
        # as before the split
        for table in tables.values():
            cursor.execute(*table.update([table.module], ['jewel_inventory'],
                    where=table.module == 'jewel_sale'))
        adopt_records()
        after = modules()
        for name, rows in before.items():
            # the rows left to another module than before
            self.assertEqual({i: m for i, m in after[name].items()
                    if m != rows.get(i)}, {}, msg=name)

del ModuleTestCase
