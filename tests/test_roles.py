"""Each role logs in and opens each of its menus the way the web client
does (action, views, first page of records) without an access error."""
import json
import os
import re
import sys
import unittest
from xml.etree import ElementTree

sys.path.insert(0, os.path.dirname(__file__))

from server import RPCError, ServerTestCase  # noqa: E402

from jewel import SAO  # noqa: E402
from jewel.demo import BUSINESSES, logins  # noqa: E402

# Menus of the Jewel CRM root each role must have, by menu name
EXPECTED_MENUS = {
    'business_admin': {"Customers", "Leads and Opportunities", "Sales",
        "Complaints", "Customer Invoices", "Products", "Showrooms",
        "Configuration"},
    'store_manager': {"Customers", "Leads and Opportunities", "Sales",
        "Complaints", "Customer Invoices", "Products", "Showrooms"},
    'sales_rep': {"Customers", "Leads and Opportunities", "Sales",
        "Complaints", "Products"},
    'telecaller': {"Customers", "Leads and Opportunities", "Complaints"},
    'artisan': {"Customers", "Products"},
    'accountant': {"Customers", "Sales", "Customer Invoices"},
    }
# What each feature adds to them
FEATURE_MENUS = [
    # segments and engagement (jewel_crm)
    {role: {"Engagement"} for role in EXPECTED_MENUS},
    # jewel_inventory
    {'business_admin': {"Inventory"}, 'store_manager': {"Inventory"},
        'sales_rep': {"Inventory"}, 'artisan': {"Inventory"}},
    # jewel_telecalling
    {'business_admin': {"Visits", "Telecalling"},
        'store_manager': {"Visits", "Telecalling"},
        'sales_rep': {"Visits"}, 'telecaller': {"My Call Queue"}},
    # jewel_whatsapp: every role but the artisan writes to customers
    {role: {"WhatsApp"} for role in EXPECTED_MENUS if role != 'artisan'},
    # reports and dashboards: a dashboard per role, reports for managers
    # and accountants
    {role: {"Dashboard"} for role in EXPECTED_MENUS},
    {role: {"Reports"} for role in
        ('business_admin', 'store_manager', 'accountant')},
    ]
for feature in FEATURE_MENUS:
    for role, menus in feature.items():
        EXPECTED_MENUS[role] |= menus


class RoleMenusTestCase(ServerTestCase):
    "Every demo user opens every menu it is given"

    def open_menus(self, session):
        root, = session.model('ir.ui.menu', 'search',
            [('name', '=', "Jewel CRM"), ('parent', '=', None)], 0, None, None)
        menus = session.model('ir.ui.menu', 'search_read',
            [('parent', '=', root)], 0, None, None, ['name', 'action'])
        for menu in menus:
            if not menu['action']:
                yield menu['name'], []
                continue
            _, action_id = menu['action'].split(',')
            yield menu['name'], self.open_action(session, int(action_id))

    def open_action(self, session, action_id=None, action=None):
        "Open a window action as the web client does; return its records"
        from trytond.pyson import PYSONDecoder
        if action is None:
            action = session.model('ir.action.act_window', 'read',
                [action_id],
                ['res_model', 'pyson_domain', 'pyson_context', 'views'])[0]
        model = action['res_model']
        if not model:
            return self.open_board(session, action)
        context = PYSONDecoder(session.context).decode(
            action['pyson_context'] or '{}')
        domain = PYSONDecoder({**session.context, **context}).decode(
            action['pyson_domain'] or '[]')
        for view_id, view_type in action['views']:
            session.model(model, 'fields_view_get', view_id, view_type)
        return session.model(model, 'search_read', domain, 0, 20,
            None, ['rec_name'])

    def open_board(self, session, action):
        "A dashboard: its board view, then each action it shows"
        records = []
        for view_id, view_type in action['views']:
            self.assertEqual(view_type, 'board')
            arch = session.model('ir.ui.view', 'view_get', view_id)['arch']
            names = [a.get('name') for a in
                ElementTree.fromstring(arch).iter('action')]
            self.assertTrue(names)
            for name in names:
                # as sao's board does: the action by its XML id
                action = session.model('ir.action.act_window', 'get', name)
                records.extend(self.open_action(session, action=action))
        return records

    def test_web_client_draws_every_list_column(self):
        """Every column of every list view of Jewel CRM (menus, dashboards,
        lists inside forms) has a widget sao's lists know and a visual sao
        can decode: sao stops drawing the whole view (or its rows) at one
        it cannot (a date-time field needs widget="date" and
        widget="time")"""
        script = (SAO / 'dist' / 'tryton-sao.js').read_text()
        widgets = script[script.index(
                'Sao.View.TreeXMLViewParser.WIDGETS = {'):]
        known = set(re.findall(
                r"'([a-z0-9_]+)':", widgets[:widgets.index('};')]))
        self.assertIn('char', known)
        session = self.server.login('admin')
        views = session.model('ir.ui.view', 'search_read',
            [('type', '=', 'tree'), ('module', 'like', 'jewel%')],
            0, None, None, ['model', 'name'])
        self.assertGreater(len(views), 50)
        for view in views:
            result = session.model(
                view['model'], 'fields_view_get', view['id'], 'tree')
            for column in ElementTree.fromstring(result['arch']).iter(
                    'field'):
                widget = column.get('widget') or result['fields'][
                    column.get('name')]['type']
                with self.subTest(view=view['name'], field=column.get(
                            'name')):
                    self.assertIn(widget, known)
                    # sao decodes it as PYSON (JSON): an expression must
                    # come from view_attributes, not be written in the XML
                    if column.get('visual'):
                        json.loads(column.get('visual'))

    def test_each_role_opens_its_menus(self):
        for login, role, business in logins():
            if login == 'admin':
                continue
            with self.subTest(login=login):
                session = self.server.login(login)
                opened = dict(self.open_menus(session))
                self.assertEqual(set(opened), EXPECTED_MENUS[role])
                customers = {r['rec_name'] for r in opened["Customers"]}
                first_customer, = [b['customers'][0] for b in BUSINESSES
                    if b['name'] == business]
                self.assertIn(first_customer, customers)
                # staff and the business itself are not customers
                self.assertNotIn(business, customers)

    def test_telecaller_sees_no_amounts(self):
        "A telecaller sees customers but not what they owe or buy"
        session = self.server.login('jaipur.telecaller')
        customers = session.model('party.party', 'search', [], 0, 5, None)
        self.assertEqual(len(session.model(
                    'party.party', 'read', customers, ['name'])), 5)
        with self.assertRaises(RPCError):
            session.model('party.party', 'read', customers, ['receivable'])
        with self.assertRaises(RPCError):
            session.model(
                'party.party', 'read', customers, ['lifetime_value'])
        with self.assertRaises(RPCError):
            session.model('account.invoice', 'search', [], 0, 1, None)
        with self.assertRaises(RPCError):
            session.model('sale.sale', 'search', [], 0, 1, None)

    def test_telecaller_sees_own_leads_only(self):
        "A telecaller sees the leads and calls given to them, no team figures"
        session = self.server.login('jaipur.telecaller')
        manager = self.server.login('jaipur.manager')
        leads = session.model('jewel.telecalling.lead', 'search_read',
            [], 0, None, None, ['telecaller.login'])
        calls = session.model('jewel.call', 'search_read',
            [], 0, None, None, ['telecaller.login'])
        self.assertTrue(leads and calls)
        self.assertEqual({r['telecaller.']['login'] for r in leads + calls},
            {'jaipur.telecaller'})
        self.assertGreater(
            manager.model('jewel.telecalling.lead', 'search_count', []),
            len(leads))
        with self.assertRaises(RPCError):
            session.model('jewel.telecalling.performance', 'search',
                [], 0, None, None)

    def test_sales_rep_sees_no_cost_price(self):
        "Cost prices are hidden from sales reps, shown to managers"
        rep = self.server.login('jaipur.sales')
        manager = self.server.login('jaipur.manager')
        designs = manager.model('product.template', 'search', [], 0, 1, None)
        self.assertTrue(designs)
        with self.assertRaises(RPCError):
            rep.model('product.template', 'read', designs, ['cost_price'])
        self.assertIn('cost_price', manager.model(
                'product.template', 'read', designs, ['cost_price'])[0])

    def test_sales_rep_sees_own_showroom_sales(self):
        "A sales rep sees the sales of the showroom they work in"
        rep = self.server.login('jaipur.sales')
        sales = rep.model('sale.sale', 'search_read', [], 0, None, None,
            ['warehouse.rec_name'])
        self.assertTrue(sales)
        self.assertEqual(
            {s['warehouse.']['rec_name'] for s in sales}, {"[JMI] MI Road"})


if __name__ == '__main__':
    unittest.main()
