"""A forged context over JSON-RPC: users of Mumbai Diamond House naming
Jaipur Gold Palace's company (and a Jaipur showroom) in the context they
send, against every fast path that reads the context and then runs
set-based SQL (imports, auto-tag rules, repricing, lead assignment, rate
import, campaigns, reports and their XLSX export).

Each forged call must be an RPC error with nothing of Jaipur read, counted
or written (checked as root in the database, not from the answer alone);
the same calls with the user's own context still work.
"""
import base64
import datetime as dt
import os
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))

from server import RPCError, ServerTestCase  # noqa: E402

A, B = "Jaipur Gold Palace", "Mumbai Diamond House"


_pools = {}


def _as_root(database, function):
    "function(pool) in a read-only root transaction of the server database"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    if database not in _pools:
        # loading the pool takes seconds: once for the class
        _pools[database] = Pool(database)
        _pools[database].init()
    pool = _pools[database]
    with Transaction().start(database, 0, readonly=True):
        return function(pool)


def _binary(data):
    "bytes as Tryton's JSON-RPC encodes them"
    return {'__class__': 'bytes', 'base64': base64.b64encode(data).decode()}


class ForgedContextTestCase(ServerTestCase):
    "Mumbai's users cannot aim a fast path at Jaipur through the context"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.configure_in_process()
        cls.facts = cls.root(cls._facts)
        cls.sessions = {login: cls.server.login(login)
            for login in ['mumbai.admin', 'mumbai.manager']}


    @classmethod
    def root(cls, function):
        return _as_root(cls.server.database, function)

    @staticmethod
    def _facts(pool):
        "Ids and values of both businesses the tests aim at"
        Company = pool.get('company.company')
        Location = pool.get('stock.location')
        Mechanism = pool.get('party.contact_mechanism')
        facts = {}
        for company in Company.search([]):
            key = 'A' if company.party.name == A else 'B'
            facts[key] = company.id
            facts[key + '.showroom'] = Location.search([
                    ('type', '=', 'warehouse'),
                    ('company', '=', company.id)], order=[('id', 'ASC')])[0].id
            mechanism, = Mechanism.search([
                    ('party.company', '=', company.id),
                    ('party.is_customer', '=', True),
                    ('type', '=', 'mobile'),
                    ], order=[('id', 'ASC')], limit=1)
            facts[key + '.phone'] = mechanism.value_compact
            facts[key + '.customer'] = (
                mechanism.party.name, mechanism.party.code)
        Rule = pool.get('jewel.tag.rule')
        Lead = pool.get('jewel.telecalling.lead')
        User = pool.get('res.user')
        Campaign = pool.get('jewel.whatsapp.campaign')
        Purity = pool.get('jewel.purity')
        ModelData = pool.get('ir.model.data')
        facts['B.rule'] = Rule.search([('company', '=', facts['B'])])[0].id
        facts['B.leads'] = [l.id for l in Lead.search([
                    ('company', '=', facts['B']),
                    ('state', 'in', ['unassigned', 'assigned'])])]
        for key in ['A', 'B']:
            facts[key + '.telecaller'] = User.search([
                    ('companies', '=', facts[key]),
                    ('groups', '=', ModelData.get_id(
                            'jewel_crm', 'group_telecaller'))])[0].id
        facts['B.campaign'] = Campaign.search([
                ('company', '=', facts['B']), ('state', '=', 'draft')])[0].id
        facts['A.purity'] = Purity.search([
                ('company', '=', facts['A'])])[0].rec_name
        facts['reports'] = sorted(name for name, Model in pool.iterobject()
            if getattr(Model, '_xlsx_columns', None)
            and callable(getattr(Model, 'table_query', None))
            and Model._is_table_query())
        # table queries of the context's company without an XLSX export
        facts['views'] = ['jewel.telecalling.performance']
        return facts

    def jaipur_state(self):
        """What a forged call could change or create in Jaipur's book:
        prices of pieces and quotation lines, tag rule runs, rates, scores,
        leads' telecallers, campaign messages"""
        A = self.facts['A']

        def read(pool):
            Lot = pool.get('stock.lot')
            Line = pool.get('sale.line')
            Run = pool.get('jewel.tag.rule.run')
            Rate = pool.get('jewel.metal_rate')
            Score = pool.get('jewel.customer.score')
            Lead = pool.get('jewel.telecalling.lead')
            Message = pool.get('jewel.whatsapp.message')
            return {
                'lots': sorted((l.id, l.priced_at, l.sale_price)
                    for l in Lot.search([('company', '=', A)])),
                'lines': sorted((l.id, l.priced_at, l.unit_price)
                    for l in Line.search([('sale.company', '=', A)])),
                'runs': Run.search_count([]),
                'rates': Rate.search_count([]),
                'scores': sorted((s.id, s.computed_at)
                    for s in Score.search([('company', '=', A)])),
                'leads': sorted((l.id, l.telecaller and l.telecaller.id)
                    for l in Lead.search([])),
                'messages': Message.search_count([]),
                }
        return self.root(read)

    def assertRefused(self, session, method, *args, context=None,
            writes=True):
        """The call with the forged context is an RPC error that reveals
        no Jaipur customer, and changes nothing (checked unless the call
        cannot write)"""
        self.reset(session)
        before = self.jaipur_state() if writes else None
        with self.assertRaises(RPCError) as raised:
            result = self.call(session, context or self.forged(session),
                method, *args)
            self.fail(f"{method} answered {str(result)[:300]}")
        name, code = self.facts['A.customer']
        self.assertNotIn(name, str(raised.exception))
        if writes:
            self.assertEqual(self.jaipur_state(), before)
        return raised.exception

    def forged(self, session):
        "The session's context naming Jaipur's company and showroom"
        showroom = self.facts['A.showroom']
        return {**session.context, 'company': self.facts['A'],
            'companies': [self.facts['A']], 'warehouse': showroom,
            'showroom': showroom}

    def reset(self, session):
        "Nothing to reset: a forged context leaves nothing behind"

    def call(self, session, context, method, *args):
        return self.server.call(method, [*args, context],
            session=session.token)

    def wizard(self, session, context, name, steps):
        """Run wizard name through steps [(state, data)]; return the last
        answer.  The session is deleted even when a step fails."""
        session_id, _, _ = self.call(
            session, context, f'wizard.{name}.create')
        try:
            result = None
            for state, data in steps:
                result = self.call(session, context, f'wizard.{name}.execute',
                    session_id, data, state)
            return result
        finally:
            self.call(session, context, f'wizard.{name}.delete', session_id)

    def parties_named(self, name):
        def search(pool):
            Party = pool.get('party.party')
            return [(p.name, p.company.id) for p in Party.search(
                    [('name', '=', name)])]
        return self.root(search)

    # Import Customers

    def _import_steps(self, data, filename='customers.csv'):
        start = {'file': _binary(data), 'filename': filename,
            'on_error': 'valid_only'}
        return start, [('start', {}), ('check', {'start': start})]

    def test_forged_context_leaves_nothing_behind(self):
        """After a call naming Jaipur's company and showroom, the user's
        next calls with their own context see their own business, and a
        sales rep's showrooms stay their own (Tryton caches a user's
        companies and showrooms per user, not per call)"""
        sales = self.server.login('mumbai.sales')
        parties = self.call(sales, sales.context,
            'model.party.party.search', [('is_customer', '=', True)],
            0, None, None)
        self.assertTrue(parties)
        showrooms = self.call(sales, sales.context,
            'model.res.user.read', [sales.user_id], ['showrooms'])
        try:
            found = self.call(sales, self.forged(sales),
                'model.party.party.search', [('is_customer', '=', True)],
                0, None, None)
        except RPCError:
            found = []
        # at most the rep's own customers, never Jaipur's
        self.assertLessEqual(set(found), set(parties))
        self.assertEqual(self.call(sales, sales.context,
                'model.party.party.search', [('is_customer', '=', True)],
                0, None, None), parties)
        # a showroom of its own business the rep does not work in
        other, = self.root(lambda pool: [l.id for l in pool.get(
                    'stock.location').search([
                        ('type', '=', 'warehouse'),
                        ('company', '=', self.facts['B']),
                        ('id', 'not in', showrooms[0]['showrooms']),
                        ], limit=1)])
        category = self.root(lambda pool: pool.get(
                'jewel.jewellery_category').search([
                    ('company', '=', self.facts['B'])], limit=1)[0].id)
        manager = self.sessions['mumbai.manager']
        minimum, = self.call(manager, manager.context,
            'model.jewel.stock.minimum.create', [{
                    'company': self.facts['B'], 'showroom': other,
                    'category': category, 'minimum': 1}])
        try:
            # the rep names that showroom as current once
            try:
                self.call(sales, {**sales.context, 'warehouse': other},
                    'model.jewel.stock.minimum.search', [], 0, None, None)
            except RPCError:
                pass
            self.assertEqual(self.call(sales, sales.context,
                    'model.jewel.stock.minimum.search',
                    [('id', '=', minimum)], 0, None, None), [])
        finally:
            self.call(manager, manager.context,
                'model.jewel.stock.minimum.delete', [minimum])

    def test_import_check_forged(self):
        "The check step reveals no Jaipur customer for Jaipur's phones"
        phone = self.facts['A.phone']
        name, code = self.facts['A.customer']
        data = f'name,mobile\nProbe Check,{phone}\n'.encode()
        for login, session in self.sessions.items():
            with self.subTest(login=login):
                _, steps = self._import_steps(data)
                with self.assertRaises(RPCError) as raised:
                    result = self.wizard(session, self.forged(session),
                        'jewel.customer.import', steps)
                    self.fail(f"check answered {result}")
                self.assertNotIn(name, str(raised.exception))
                self.assertNotIn(code, str(raised.exception))

    def test_import_forged(self):
        "Importing with Jaipur's company in the context creates nothing"
        for login, session in self.sessions.items():
            with self.subTest(login=login):
                probe = f"Forged Import {login}"
                data = f'name,mobile\n{probe},+919812300{len(login):03d}\n'
                start, steps = self._import_steps(data.encode())
                steps.append(('import_', {'start': start}))
                with self.assertRaises(RPCError):
                    self.wizard(session, self.forged(session),
                        'jewel.customer.import', steps)
                self.assertEqual(self.parties_named(probe), [])

    def test_import_own_business(self):
        "The same import with the user's own context imports into Mumbai"
        session = self.sessions['mumbai.manager']
        self.reset(session)
        probe = "Own Import Probe"
        phone = self.facts['A.phone']
        data = (f'name,mobile\n{probe},+919812399001\n'
            f'Reuses Jaipur Phone,{phone}\n').encode()
        start, steps = self._import_steps(data)
        checked = self.wizard(session, session.context,
            'jewel.customer.import', steps)
        # Jaipur's customer is no duplicate of a Mumbai one
        self.assertEqual(checked['view']['defaults']['rejected'], 0)
        steps.append(('import_', {'start': start}))
        self.wizard(session, session.context, 'jewel.customer.import', steps)
        self.assertEqual(self.parties_named(probe), [(probe, self.facts['B'])])

    # Auto-tag rules

    def test_tag_rule_preview_forged(self):
        "The preview counts no Jaipur customer"
        values = {'company': self.facts['A'], 'condition': 'purchases >= 0',
            'name': "Probe"}
        for login, session in self.sessions.items():
            with self.subTest(login=login):
                self.assertRefused(session,
                    'model.jewel.tag.rule.on_change_with', values,
                    ['matching_count'])
                # Jaipur's company among the values, the context the user's
                self.assertRefused(session,
                    'model.jewel.tag.rule.on_change_with', values,
                    ['matching_count'], context=session.context)

    def test_tag_rule_run_forged(self):
        "Run Now under Jaipur's context is refused"
        for login, session in self.sessions.items():
            with self.subTest(login=login):
                self.assertRefused(session, 'model.jewel.tag.rule.run',
                    [self.facts['B.rule']])

    def test_tag_rule_own_business(self):
        "Preview and Run Now work for Mumbai's own rule"
        session = self.sessions['mumbai.manager']
        self.reset(session)
        values = {'company': self.facts['B'],
            'condition': 'purchases >= 0', 'name': "Probe"}
        preview = self.call(session, session.context,
            'model.jewel.tag.rule.on_change_with', values, ['matching_count'])
        self.assertGreater(preview['matching_count'], 0)
        self.call(session, session.context, 'model.jewel.tag.rule.run',
            [self.facts['B.rule']])
        runs = self.root(lambda pool: pool.get('jewel.tag.rule.run').search(
                [('rule', '=', self.facts['B.rule'])]))
        self.assertTrue(runs)

    # Repricing

    def test_reprice_forged(self):
        "Repricing tags and quotations under Jaipur's context is refused"
        for login, session in self.sessions.items():
            with self.subTest(login=login):
                self.reset(session)
                session_id, _, _ = self.call(session, session.context,
                    'wizard.jewel.sale.reprice.create')
                self.assertRefused(session, 'wizard.jewel.sale.reprice.execute',
                    session_id, {}, 'reprice')

    def test_reprice_own_business(self):
        "The manager reprices Mumbai's tags; Jaipur's stay as they were"
        session = self.sessions['mumbai.manager']
        self.reset(session)
        before = self.jaipur_state()
        result = self.wizard(session, session.context, 'jewel.sale.reprice',
            [('reprice', {})])
        self.assertGreater(result['view']['defaults']['pieces'], 0)
        self.assertEqual(self.jaipur_state()['lots'], before['lots'])

    # Leads

    def assign_steps(self, telecaller):
        return [('start', {}), ('assign', {'start': {
                        'telecallers': [telecaller],
                        'strategy': 'balanced'}})]

    def test_assign_forged(self):
        "Assigning under Jaipur's context, to either business's telecaller"
        leads = self.facts['B.leads']
        for login, session in self.sessions.items():
            for telecaller in ['A.telecaller', 'B.telecaller']:
                with self.subTest(login=login, telecaller=telecaller):
                    active = {'active_model': 'jewel.telecalling.lead',
                        'active_ids': leads, 'active_id': leads[0]}
                    context = {**self.forged(session), **active}
                    self.reset(session)
                    session_id, _, _ = self.call(session,
                        {**session.context, **active},
                        'wizard.jewel.telecalling.lead.assign.create')
                    self.assertRefused(session,
                        'wizard.jewel.telecalling.lead.assign.execute',
                        session_id, self.assign_steps(
                            self.facts[telecaller])[1][1], 'assign',
                        context=context)

    def test_assign_own_business(self):
        "The manager gives Mumbai's leads to Mumbai's telecaller"
        session = self.sessions['mumbai.manager']
        self.reset(session)
        leads = self.facts['B.leads']
        context = {**session.context, 'active_model': 'jewel.telecalling.lead',
            'active_ids': leads, 'active_id': leads[0]}
        self.wizard(session, context, 'jewel.telecalling.lead.assign',
            self.assign_steps(self.facts['B.telecaller']))
        telecallers = self.root(lambda pool: {
                l.telecaller.id for l in pool.get(
                    'jewel.telecalling.lead').browse(leads)})
        self.assertEqual(telecallers, {self.facts['B.telecaller']})

    # Metal rates

    def rate_file(self):
        when = dt.datetime.now().strftime('%Y-%m-%d %H:%M')
        return (f'date,purity,sell,buy\n{when},{self.facts["A.purity"]},'
            '1.00,1.00\n').encode()

    def test_rate_import_forged(self):
        "Importing rates under Jaipur's context creates none"
        start = {'file': _binary(self.rate_file()), 'filename': 'rates.csv',
            'confirm_variance': True}
        for login, session in self.sessions.items():
            with self.subTest(login=login):
                self.reset(session)
                session_id, _, _ = self.call(session, session.context,
                    'wizard.jewel.metal_rate.import.create')
                self.assertRefused(session,
                    'wizard.jewel.metal_rate.import.execute',
                    session_id, {'start': start}, 'import_')

    # Per-business settings

    SETTINGS = [
        ('jewel.inventory.settings', 'cash_limit', Decimal(12345)),
        ('jewel.telecalling.configuration', 'call_attempts', 7),
        ]

    def settings_values(self, model, field):
        "{company: value} of the values rows of settings model, as root"
        def read(pool):
            Values = pool.get(model + '.company')
            return {v.company.id: getattr(v, field) for v in Values.search(
                    [])}
        return self.root(read)

    @staticmethod
    def _rpc(value):
        "value as JSON-RPC sends it"
        if isinstance(value, Decimal):
            return {'__class__': 'Decimal', 'decimal': str(value)}
        return value

    @staticmethod
    def _python(value):
        "value of a JSON-RPC answer"
        if isinstance(value, dict) and value.get('__class__') == 'Decimal':
            return Decimal(value['decimal'])
        return value

    def test_settings_forged(self):
        """A singleton's per-business values are neither read nor written
        for Jaipur under a context naming Jaipur; the user's own context
        reads and writes Mumbai's values only"""
        session = self.sessions['mumbai.admin']
        for model, field, value in self.SETTINGS:
            with self.subTest(model=model):
                settings, = self.call(session, session.context,
                    f'model.{model}.search', [], 0, None, None)
                before = self.settings_values(model, field)
                self.assertRefused(session, f'model.{model}.read',
                    [settings], [field], writes=False)
                self.assertRefused(session, f'model.{model}.write',
                    [settings], {field: self._rpc(value)}, writes=False)
                self.assertEqual(self.settings_values(model, field), before)

                own, = self.call(session, session.context,
                    f'model.{model}.read', [settings], [field])
                self.assertEqual(self._python(own[field]),
                    before[self.facts['B']])
                self.call(session, session.context, f'model.{model}.write',
                    [settings], {field: self._rpc(value)})
                try:
                    after = self.settings_values(model, field)
                    self.assertEqual(after[self.facts['B']], value)
                    self.assertEqual(after[self.facts['A']],
                        before[self.facts['A']])
                finally:
                    self.call(session, session.context,
                        f'model.{model}.write', [settings],
                        {field: self._rpc(before[self.facts['B']])})

    # Scores

    def test_score_recompute_forged(self):
        "The recompute is the cron's: no client reaches it"
        for login, session in self.sessions.items():
            with self.subTest(login=login):
                self.assertRefused(session,
                    'model.jewel.customer.score.recompute_all')

    # Campaigns

    def test_campaign_launch_forged(self):
        "Launching a campaign under Jaipur's context sends to nobody"
        session = self.sessions['mumbai.admin']
        self.assertRefused(session, 'model.jewel.whatsapp.campaign.launch',
            [self.facts['B.campaign']])
        state = self.root(lambda pool: pool.get('jewel.whatsapp.campaign')(
                self.facts['B.campaign']).state)
        self.assertEqual(state, 'draft')

    # Reports

    def test_reports_forged(self):
        "Each report and its XLSX export refuse Jaipur's company"
        for login, session in self.sessions.items():
            for model in self.facts['reports']:
                with self.subTest(login=login, model=model):
                    self.assertRefused(session,
                        f'model.{model}.search_read', [], 0, None, None,
                        ['id'], writes=False)
                    self.assertRefused(session,
                        'report.jewel.reporting.xlsx.execute', [],
                        {'model': model}, writes=False)
            for model in self.facts['views']:
                with self.subTest(login=login, model=model):
                    self.assertRefused(session,
                        f'model.{model}.search_read', [], 0, None, None,
                        ['id'], writes=False)

    def test_reports_forged_showroom(self):
        "A Jaipur showroom as the filter of Mumbai's reports is refused"
        session = self.sessions['mumbai.manager']
        context = {**session.context, 'showroom': self.facts['A.showroom']}
        self.assertRefused(session, 'model.jewel.report.sales.search_read',
            [], 0, None, None, ['id'], context=context, writes=False)

    def test_printouts_forged(self):
        "The printed reports refuse Jaipur's company"
        session = self.sessions['mumbai.admin']
        for report in ['jewel.metal_rate.board', 'jewel.report.daily_summary']:
            with self.subTest(report=report):
                self.assertRefused(session, f'report.{report}.execute', [],
                    {'model': 'jewel.report.sales_comparison'}, writes=False)

    def test_reports_own_business(self):
        "Mumbai's owner reads and exports each report of Mumbai"
        session = self.sessions['mumbai.admin']
        self.reset(session)
        for model in self.facts['reports']:
            with self.subTest(model=model):
                rows = self.call(session, session.context,
                    f'model.{model}.search_read', [], 0, None, None,
                    ['company'])
                self.assertTrue(all(r['company'] in {self.facts['B'], None}
                        for r in rows), rows)
                kind, data, _, _ = self.call(session, session.context,
                    'report.jewel.reporting.xlsx.execute', [],
                    {'model': model})
                self.assertEqual(kind, 'xlsx')
        for model in self.facts['views']:
            with self.subTest(model=model):
                rows = self.call(session, session.context,
                    f'model.{model}.search_read', [], 0, None, None,
                    ['company'])
                self.assertTrue(all(r['company'] == self.facts['B']
                        for r in rows), rows)


if __name__ == '__main__':
    unittest.main()
