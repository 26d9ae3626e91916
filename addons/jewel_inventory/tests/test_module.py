# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


def create_piece_design(name):
    pool = Pool()
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    unit, = Uom.search([('name', '=', "Unit")])
    template, = Template.create([{
                'name': name,
                'type': 'goods',
                'default_uom': unit.id,
                'products': [('create', [{}])],
                }])
    return template.products[0]


class JewelInventoryTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Jewel Inventory module"
    module = 'jewel_inventory'
    extras = ['jewel_crm']

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {
            ('stock.location', 'company'), ('party.party', 'company'),
            ('jewel.piece.stone', 'piece_company')}

    @with_transaction()
    def test_piece_belongs_to_business(self):
        "A piece is created in the user's business and hidden from others"
        pool = Pool()
        Lot = pool.get('stock.lot')
        User = pool.get('res.user')
        jaipur = create_company("Jaipur Gold")
        mumbai = create_company("Mumbai Diamonds", currency=jaipur.currency)
        with set_company(jaipur):
            ring = create_piece_design("Kundan ring")
            piece, = Lot.create([{'number': "JG-0001", 'product': ring.id}])
        self.assertEqual(piece.company, jaipur)

        with set_company(mumbai):
            user, = User.create([{
                        'login': 'mumbai', 'name': "Mumbai",
                        'companies': [('add', [mumbai.id])],
                        'company': mumbai.id}])
            User.add_role([user], 'sales_rep')
        transaction = Transaction()
        with transaction.set_user(user.id), \
                transaction.set_context(company=mumbai.id,
                    _check_access=True):
            self.assertEqual(Lot.search([]), [])
            with self.assertRaises(AccessError):
                Lot.read([piece.id], ['number'])


del ModuleTestCase
