# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.model.exceptions import AccessError, ValidationError
from trytond.model.modelstorage import DomainValidationError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from jewel_crm.tests.bounds import QuantityBoundsMixin
from jewel_crm.tests.static import StaticChecksOnce


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


class JewelInventoryTestCase(
        StaticChecksOnce, QuantityBoundsMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test Jewel Inventory module"
    module = 'jewel_inventory'

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

    @with_transaction()
    def test_lot_weights_refused(self):
        "Any lot, piece or not, refuses negative weights and heavy stones"
        pool = Pool()
        Lot = pool.get('stock.lot')
        company = create_company("Jaipur Gold")
        with set_company(company):
            box = create_piece_design("Gift box")
            # a fresh lot per case: a refused write is undone by the
            # rollback of its request, not within this transaction
            lots = Lot.create([{'number': f"GB-000{i}", 'product': box.id,
                        'gross_weight': Decimal('5.000')}
                    for i in range(1, 5)])
            for lot, values, texts in zip(lots, [
                        {'gross_weight': Decimal(-5)},
                        {'stone_weight': Decimal('-0.100')},
                        {'fineness': 1200},
                        ], [
                        ['"-5"', '"Gross Weight (g)"', '"GB-0001"'],
                        ['"Stone Weight (g)"', '"GB-0002"'],
                        ['"Fineness (‰)"', '"GB-0003"'],
                        ]):
                with self.subTest(values=values):
                    with self.assertRaises(DomainValidationError) as raised:
                        Lot.write([lot], values)
                    for text in texts:
                        self.assertIn(text, raised.exception.message)
            lot = lots[-1]
            with self.assertRaises(ValidationError) as raised:
                Lot.write([lot], {'stone_weight': Decimal('5.500')})
            self.assertEqual(raised.exception.message,
                'The stones of piece "GB-0004" weigh 5.500 g, not less '
                'than its gross weight of 5.000 g.')
            lot, = Lot.create([{'number': "GB-0005", 'product': box.id,
                        'gross_weight': Decimal('5.000'),
                        'stone_weight': Decimal('0.400')}])
            self.assertEqual(lot.net_weight, Decimal('4.600'))

del ModuleTestCase
