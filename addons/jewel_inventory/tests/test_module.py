# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from sql import Table

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

    @with_transaction()
    def test_settings_rows_copied_on_update(self):
        """The settings of an old database, a row per business, become the
        values of the singleton when the module is updated; a column that a
        later module adds to the values is copied too"""
        pool = Pool()
        Settings = pool.get('jewel.inventory.settings')
        Values = pool.get('jewel.inventory.settings.company')
        cursor = Transaction().connection.cursor()
        jaipur = create_company("Jaipur Gold")
        mumbai = create_company("Mumbai Diamonds", currency=jaipur.currency)

        # The tables as the module made them when settings were rows
        cursor.execute('DROP TABLE "%s"' % Values._table)
        cursor.execute('DROP TABLE "%s"' % Settings._table)
        cursor.execute('CREATE TABLE "%s" (id INTEGER PRIMARY KEY, '
            'company INTEGER NOT NULL, rate_variance NUMERIC, '
            'sales_rep_making_discount NUMERIC, '
            'store_manager_making_discount NUMERIC, '
            'approval_threshold NUMERIC, cash_limit NUMERIC, '
            'price_code_word VARCHAR, labels_price_code BOOLEAN, '
            'create_uid INTEGER, create_date TIMESTAMP, '
            'write_uid INTEGER, write_date TIMESTAMP)' % Settings._table)
        old = Table(Settings._table)
        cursor.execute(*old.insert([old.id, old.company, old.rate_variance,
                    old.sales_rep_making_discount,
                    old.store_manager_making_discount,
                    old.approval_threshold, old.cash_limit,
                    old.price_code_word, old.labels_price_code,
                    old.create_uid], [
                    [1, jaipur.id, Decimal(4), Decimal(5), Decimal(20),
                        Decimal(300000), Decimal(150000), 'BLACKHORSE',
                        True, 0],
                    [2, mumbai.id, Decimal(6), Decimal(10), Decimal(25),
                        Decimal(500000), Decimal(200000), None, False, 0],
                    ]))

        Settings.__register__('jewel_inventory')
        Values.__register__('jewel_inventory')
        Settings.create([{}])

        def values(company):
            Values._values_cache().clear()
            settings = Settings.get(company)
            # the selling rules' columns are jewel_sale's to copy
            return (settings.rate_variance,
                settings.price_code_word, settings.labels_price_code)
        self.assertEqual(values(jaipur), (4, 'BLACKHORSE', True))
        self.assertEqual(values(mumbai), (6, None, False))
        self.assertFalse(
            Settings.__table_handler__().column_exist('company'))

        # A module extending the values adds its column on a later update
        Values.__table_handler__().drop_column('price_code_word')
        Values.__register__('jewel_inventory')
        self.assertEqual(values(jaipur)[-2:], ('BLACKHORSE', True))
        self.assertEqual(values(mumbai)[-2:], (None, False))

        # An update of a migrated database copies nothing again
        settings = Settings.get(jaipur)
        settings.rate_variance = Decimal(7)
        settings.save()
        Settings.__register__('jewel_inventory')
        Values.__register__('jewel_inventory')
        self.assertEqual(values(jaipur)[0], 7)
        self.assertEqual(Values.search_count([]), 2)

    @with_transaction()
    def test_settings_per_business(self):
        """Each business reads and writes its own values of the settings;
        a user never reaches another business's values"""
        pool = Pool()
        Settings = pool.get('jewel.inventory.settings')
        Values = pool.get('jewel.inventory.settings.company')
        User = pool.get('res.user')
        jaipur = create_company("Jaipur Gold")
        mumbai = create_company("Mumbai Diamonds", currency=jaipur.currency)
        self.assertEqual(
            sorted(v.company.id for v in Values.search([])),
            sorted([jaipur.id, mumbai.id]))
        with set_company(jaipur):
            settings, = Settings.search([])
            Settings.write([settings], {'rate_variance': Decimal(5)})
            user, = User.create([{
                        'login': 'jaipur', 'name': "Jaipur",
                        'companies': [('add', [jaipur.id])],
                        'company': jaipur.id}])
        self.assertEqual(Settings.get(jaipur).rate_variance, 5)
        self.assertEqual(Settings.get(mumbai).rate_variance, 3)

        with Transaction().set_user(user.id), \
                Transaction().set_context(company=jaipur.id):
            self.assertEqual(Settings.get().rate_variance, 5)
            with self.assertRaises(AccessError):
                Settings.get(mumbai)
        with Transaction().set_user(user.id), \
                Transaction().set_context(company=mumbai.id):
            with self.assertRaises(AccessError):
                Settings(settings.id).rate_variance
            with self.assertRaises(AccessError):
                Settings.write([settings], {'rate_variance': Decimal(1)})
        self.assertEqual(Settings.get(mumbai).rate_variance, 3)


del ModuleTestCase
