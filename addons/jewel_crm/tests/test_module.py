# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.model.modelstorage import DomainValidationError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from jewel_crm.tests.bounds import QuantityBoundsMixin
from jewel_crm.tests.static import StaticChecksOnce


def create_user(login, company, role=None, showrooms=()):
    pool = Pool()
    User = pool.get('res.user')
    user, = User.create([{
                'login': login,
                'name': login,
                'companies': [('add', [company.id])],
                'company': company.id,
                'showrooms': [('add', [s.id for s in showrooms])],
                }])
    if role:
        User.add_role([user], role)
    return user


def as_user(user):
    "Act as user through the access checks of an RPC call"
    User = Pool().get('res.user')
    transaction = Transaction()
    with transaction.set_user(user.id):
        context = User.get_preferences(context_only=True)
    return transaction.set_user(user.id), transaction.set_context(
        context, _check_access=True)


def create_showroom(name, company):
    Location = Pool().get('stock.location')
    return Location(Location.create_showroom(name, company))


class JewelCrmTestCase(
        StaticChecksOnce, QuantityBoundsMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test Jewel CRM module"
    module = 'jewel_crm'

    @property
    def _skip_company_rule(self):
        # Shared locations (customer, supplier, transit) have no company,
        # so the location rule also lets through records without company.
        # A platform admin also sees the parties of no business yet (the
        # party of a business being created), so the party rule is wider.
        return super()._skip_company_rule | {
            ('stock.location', 'company'), ('party.party', 'company')}

    @with_transaction()
    def test_company_owns_its_party(self):
        "The party of a business belongs to the business"
        company = create_company("Jaipur Gold")
        self.assertEqual(company.party.company, company)

    @with_transaction()
    def test_party_default_company(self):
        "A customer is created in the user's current business"
        Party = Pool().get('party.party')
        company = create_company("Jaipur Gold")
        with set_company(company):
            party, = Party.create([{'name': "Meera"}])
        self.assertEqual(party.company, company)

    @with_transaction()
    def test_variant_reads_template_company_values(self):
        "A variant reads its template's company-dependent fields in the template's business"
        pool = Pool()
        Category = pool.get('product.category')
        Template = pool.get('product.template')
        Product = pool.get('product.product')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', "Unit")])
        jaipur = create_company("Jaipur Gold")
        mumbai = create_company("Mumbai Diamonds", currency=jaipur.currency)
        with set_company(jaipur):
            category, = Category.create([{
                        'name': "Jewellery", 'accounting': True}])
            template, = Template.create([{
                        'name': "Ring", 'default_uom': unit.id,
                        'account_category': category.id,
                        'products': [('create', [{}])],
                        }])
        variant, = template.products
        with set_company(mumbai):
            variant = Product(variant.id)
            self.assertEqual(variant.company, jaipur)
            self.assertEqual(
                variant.account_category._context.get('company'), jaipur.id)
            self.assertEqual(
                Template(template.id).account_category._context.get(
                    'company'), jaipur.id)

    @with_transaction()
    def test_customers_isolated(self):
        "A user only finds the customers of their business"
        Party = Pool().get('party.party')
        jaipur = create_company("Jaipur Gold")
        mumbai = create_company("Mumbai Diamonds", currency=jaipur.currency)
        with set_company(jaipur):
            meera, = Party.create([{'name': "Meera"}])
        with set_company(mumbai):
            Party.create([{'name': "Rohan"}])
        rep = create_user('rep', mumbai, 'sales_rep')
        user_ctx, access_ctx = as_user(rep)
        with user_ctx, access_ctx:
            names = {p.name for p in Party.search([])}
            self.assertEqual(names, {"Rohan", "Mumbai Diamonds"})
            with self.assertRaises(AccessError):
                Party.read([meera.id], ['name'])

    @with_transaction()
    def test_reference_other_tenant(self):
        "A record cannot point to another business's record"
        pool = Pool()
        Party = pool.get('party.party')
        Category = pool.get('party.category')
        Address = pool.get('party.address')
        Sale = pool.get('sale.sale')
        jaipur = create_company("Jaipur Gold")
        mumbai = create_company("Mumbai Diamonds", currency=jaipur.currency)
        with set_company(jaipur):
            meera, = Party.create([{'name': "Meera"}])
            bridal, = Category.create([{'name': "Bridal"}])
        with set_company(mumbai):
            rohan, = Party.create([{'name': "Rohan"}])
            solitaire, = Category.create([{'name': "Solitaire"}])
        rep = create_user('rep', mumbai, 'sales_rep')
        user_ctx, access_ctx = as_user(rep)
        with user_ctx, access_ctx:
            Party.write([Party(rohan.id)], {
                    'categories': [('add', [solitaire.id])]})
            self.assertEqual(
                [c.name for c in Party(rohan.id).categories], ["Solitaire"])
            # Each refusal below is rolled back by the RPC layer
            with self.assertRaises(AccessError):
                Address.create([{'party': meera.id, 'city': "Pune"}])
            with self.assertRaises(AccessError):
                Sale.create([{'party': meera.id}])
            with self.assertRaises((AccessError, DomainValidationError)):
                Party.write([Party(rohan.id)], {
                        'categories': [('add', [bridal.id])]})

    @with_transaction()
    def test_showroom_scoped_sales(self):
        "Store staff see the sales of their showrooms, managers see all"
        pool = Pool()
        Party = pool.get('party.party')
        Sale = pool.get('sale.sale')
        jaipur = create_company("Jaipur Gold")
        with set_company(jaipur):
            mi_road = create_showroom("MI Road", jaipur)
            vaishali = create_showroom("Vaishali Nagar", jaipur)
            meera, = Party.create([{'name': "Meera"}])
            Sale.create([
                    {'party': meera.id, 'warehouse': mi_road.id,
                        'description': "MI Road sale"},
                    {'party': meera.id, 'warehouse': vaishali.id,
                        'description': "Vaishali sale"},
                    ])
        rep = create_user('rep', jaipur, 'sales_rep', showrooms=[mi_road])
        manager = create_user('manager', jaipur, 'store_manager')
        for user, expected in [
                (rep, {"MI Road sale"}),
                (manager, {"MI Road sale", "Vaishali sale"}),
                ]:
            user_ctx, access_ctx = as_user(user)
            with user_ctx, access_ctx:
                self.assertEqual(
                    {s.description for s in Sale.search([])}, expected)

    @with_transaction()
    def test_unknown_role(self):
        "An unknown role is refused with a clear message"
        User = Pool().get('res.user')
        with self.assertRaises(UserError):
            User.role_groups('jeweller')

    @with_transaction()
    def test_import_rereads_rows_read_for_another_business(self):
        """Rows read before the import knew its business (the launcher
        starts them while Tryton loads) are read again if the business
        reads phones or lead sources otherwise"""
        from ..customer_import import (
            CustomerImporter)
        from ..customer_rows import (
            ParsedRows, RowParser)
        Party = Pool().get('party.party')
        company = create_company("Jaipur Gold")
        header = ['name', 'mobile', 'lead_source']
        rows = [(2, ["Asha", '98290 12345', 'instagram'])]
        elsewhere = RowParser.of('US', [(-1, 'instagram', "Instagram")])
        with set_company(company):
            importer = CustomerImporter(company, 'asha.csv')
            self.assertNotEqual(importer.parser, elsewhere)
            importer.check_and_write(header, rows,
                parsed_rows=ParsedRows(elsewhere, header, rows))
            self.assertEqual(importer.rejected, [])
            asha, = Party.search([('name', '=', "Asha")])
            self.assertEqual(asha.lead_source.code, 'instagram')
            self.assertEqual(asha.mobile, '098290 12345')

    @with_transaction()
    def test_rule_links_follow_condition_and_deletions(self):
        """A rule takes its tag from whom it no longer selects, and the
        tags it gave go with their customer, tag or rule even when deleted
        by SQL (on PostgreSQL they are kept apart from the
        tags set by hand, without foreign keys)"""
        from trytond import backend
        from ..tag_rule_link import _RuleLinks
        pool = Pool()
        Party = pool.get('party.party')
        Category = pool.get('party.category')
        Rule = pool.get('jewel.tag.rule')
        Relation = pool.get('party.party-party.category')
        company = create_company("Jaipur Gold")
        with set_company(company):
            parties = Party.create([{'name': n, 'is_customer': True}
                    for n in ["Asha", "Meera", "Rohit"]])
            tags = Category.create([{'name': n} for n in ["All", "Also"]])
            rules = Rule.create([{'name': t.name, 'tag': t.id,
                        'condition': 'purchases >= 0'} for t in tags])
            Rule.apply_all(rules)
        links = _RuleLinks.table()
        cursor = Transaction().connection.cursor()

        def given():
            cursor.execute(*links.select(links.party, links.jewel_rule,
                    where=links.jewel_rule != None,  # noqa: E711
                    order_by=[links.jewel_rule, links.party]))
            return cursor.fetchall()
        asha, meera, rohit = parties
        also, all_ = rules[1], rules[0]
        self.assertEqual(len(given()), 6)
        self.assertEqual(
            len(Relation.search([('jewel_rule', '!=', None)])), 6)
        # a rule takes its tag from whom it no longer selects only
        Party.write([rohit], {'community': "Jain"})
        Rule.write([also], {'condition': 'community = "jain"'})
        with set_company(company):
            self.assertEqual(Rule.apply_all([also]), [(0, 2)])
            Rule.write([also], {'condition': 'purchases >= 0'})
            self.assertEqual(Rule.apply_all([also]), [(2, 0)])
        self.assertEqual(len(given()), 6)
        if backend.name != 'postgresql':
            return
        for table, record in [
                ('party_party', asha), ('jewel_tag_rule', also)]:
            cursor.execute('DELETE FROM "%s" WHERE id = %%s' % table,
                (record.id,))
        self.assertEqual(given(), [
                (meera.id, all_.id), (rohit.id, all_.id)])
        cursor.execute('DELETE FROM party_category WHERE id = %s',
            (tags[0].id,))
        self.assertEqual(given(), [])

    @with_transaction()
    def test_bulk_import_analyzes_its_tables(self):
        "An import of many customers refreshes the planner's statistics"
        from trytond import backend
        from jewel_crm.customer_import import CustomerImporter
        from jewel_crm.statistics import ANALYZE_MIN_ROWS
        company = create_company("Bulk Jewels")
        cursor = Transaction().connection.cursor()

        def party_rows_known():
            if backend.name == 'postgresql':
                cursor.execute("SELECT reltuples FROM pg_class "
                    "WHERE relname = 'party_party'")
                return cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM sqlite_master "
                "WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT stat FROM sqlite_stat1 "
                "WHERE tbl = 'party_party'")
            return max((int(stat.split()[0]) for stat, in cursor),
                default=0)
        count = ANALYZE_MIN_ROWS + 10
        self.assertLess(party_rows_known(), count)
        # (line, cells) as read from a file
        rows = [(n + 2, [f"Bulk Customer {n}", f"+91 98290 {n:05d}"])
            for n in range(count)]
        with set_company(company):
            importer = CustomerImporter(company, 'bulk.csv')
            importer.check_and_write(['name', 'mobile'], rows)
        self.assertEqual(importer.rejected, [])
        self.assertEqual(importer.written, count)
        self.assertGreaterEqual(party_rows_known(), count)

    @with_transaction()
    def test_forms_served_from_view_cache(self):
        "Every form, inline lists included, is built once then cached"
        from trytond.model import ModelView
        pool = Pool()
        View = pool.get('ir.ui.view')
        cache = ModelView._fields_view_get_cache
        models = sorted({v.model for v in View.search([
                        ('type', '=', 'form'), ('inherit', '=', None)])
                if v.model})
        self.assertIn('party.party', models)
        rebuilt = []
        for name in models:
            try:
                Model = pool.get(name)
            except KeyError:
                continue
            Model.fields_view_get(view_type='form')
            misses = cache.miss
            Model.fields_view_get(view_type='form')
            if cache.miss != misses:
                rebuilt.append(name)
        self.assertEqual(rebuilt, [])

del ModuleTestCase
