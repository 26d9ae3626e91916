"""The tenancy matrix: a user of Mumbai Diamond House, through JSON-RPC,
against every model that holds tenant data.

The models come from ``jewel_crm.tenancy.tenant_models``: every model with
a company field, ours and Tryton's, and the children scoped through their
parent.  A model added by a later issue is in the matrix as soon as it has
its company field; it must then also have demo records of both businesses.
A model that references a business's records without any company path
(a child line without ``__access__``) fails ``test_every_model_is_scoped``.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from server import RPCError, ServerTestCase  # noqa: E402

from jewel.demo import STAFF  # noqa: E402

# Standard models whose scoping this project adds or relies on: each must
# have demo records of both businesses so that the matrix proves something.
MUST_PROBE = {
    'party.party', 'party.address', 'party.contact_mechanism',
    'party.category', 'product.template', 'product.product',
    'product.category', 'stock.location', 'stock.lot', 'sale.sale',
    'sale.line', 'account.invoice', 'account.invoice.line',
    'sale.opportunity', 'sale.complaint', 'company.employee',
    'account.account', 'account.tax',
    }
OUR_MODULES = ('jewel_',)
# Child lines, stages and links of ours that the tester reached from the
# other business before they were scoped through their parent
CHILD_MODELS = [
    'jewel.repair.line', 'jewel.repair.stage', 'jewel.exchange.line',
    'jewel.piece.stone', 'jewel.artisan.job.line',
    'jewel.custom_order.stage', 'jewel.announcement.read',
    'jewel.whatsapp.campaign-jewel.tier', 'res.user-jewel.showroom',
    ]


def _records_per_business(database, businesses):
    """Return {model: {business: [ids]}} and the Many2One references
    {target model: [(model, field)]}, read with the server's own code as
    root (no RPC, no access rules)."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from jewel_crm.ir import PLATFORM_PREFIXES, guarded_references
    from jewel_crm.tenancy import tenant_models, unscoped_models

    pool = Pool(database)
    pool.init()
    records, references, owners = {}, {}, {}
    with Transaction().start(database, 0, readonly=True):
        unscoped = dict(unscoped_models(pool))
        Company = pool.get('company.company')
        companies = {c.party.name: c.id for c in Company.search([])}
        for name, path in tenant_models(pool):
            Model = pool.get(name)
            records[name] = {
                business: [r.id for r in Model.search(
                        [(path, '=', companies[business])],
                        limit=3, order=[('id', 'ASC')])]
                for business in businesses}
            owners[name] = _module_of(pool, name)
        for name, Model in pool.iterobject():
            if name.startswith(PLATFORM_PREFIXES):
                continue
            for fname, _ in guarded_references(Model):
                target = Model._fields[fname].model_name
                references.setdefault(target, []).append((name, fname))
    return records, references, owners, unscoped


def _module_of(pool, model_name):
    IrModel = pool.get('ir.model')
    models = IrModel.search([('name', '=', model_name)])
    return models[0].module if models else ''


class TenancyMatrixTestCase(ServerTestCase):
    "Business B cannot reach business A's records through RPC"
    A, B = "Jaipur Gold Palace", "Mumbai Diamond House"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.configure_in_process()
        (cls.records, cls.references, cls.owners,
            cls.unscoped) = _records_per_business(
            cls.server.database, [cls.A, cls.B])
        cls.intruder = cls.server.login('mumbai.admin')

    def probed(self):
        for model, ids in sorted(self.records.items()):
            if ids[self.A]:
                yield model, ids[self.A]

    def test_every_scoped_model_is_probed(self):
        "Every model we scope has demo records of both businesses"
        needed = MUST_PROBE | {m for m, o in self.owners.items()
            if o.startswith(OUR_MODULES)}
        missing = sorted(m for m in needed
            if not (self.records.get(m, {}).get(self.A)
                and self.records.get(m, {}).get(self.B)))
        self.assertEqual(missing, [],
            msg="add demo records of both businesses for these models")

    def test_every_model_is_scoped(self):
        """Every stored model of the pool that references a business's
        records has a company path (its company, its parent by __access__
        or TENANT_PARENTS) or is shared data by tenancy.SHARED_MODELS"""
        self.assertEqual(self.unscoped, {},
            msg="scope these models through their parent (__access__)")
        for model in CHILD_MODELS:
            with self.subTest(model=model):
                self.assertIn(model, self.records)

    def test_child_lines_hidden_from_every_role(self):
        "No role of B finds, reads, writes or deletes A's child lines"
        for suffix, _, _ in STAFF:
            session = self.server.login(f'mumbai.{suffix}')
            for model in CHILD_MODELS:
                ids = self.records[model][self.A]
                with self.subTest(role=suffix, model=model):
                    try:
                        found = session.model(model, 'search',
                            [('id', 'in', ids)], 0, None, None)
                    except RPCError:
                        found = []  # no access to the model at all
                    self.assertEqual(found, [])
                    for method, args in [('read', (ids, ['id'])),
                            ('write', (ids, {})), ('delete', (ids,))]:
                        with self.assertRaises(RPCError):
                            session.model(model, method, *args)
        # and B's own lines stay readable to B
        own = self.records['jewel.repair.line'][self.B]
        rows = self.intruder.model(
            'jewel.repair.line', 'read', own, ['amount'])
        self.assertEqual([r['id'] for r in rows], own)

    def users(self, session, login_pattern):
        return {u['login']: u['id'] for u in session.model('res.user',
                'search_read', [('login', 'like', login_pattern)],
                0, None, None, ['login'])}

    def test_users_of_other_business_hidden(self):
        "Staff of B list B's users and themselves, never A's"
        admin = self.server.login('admin')
        jaipur = self.users(admin, 'jaipur.%')
        mumbai = self.users(admin, 'mumbai.%')
        self.assertEqual(len(jaipur), len(STAFF))
        self.assertEqual(len(mumbai), len(STAFF))
        for suffix, _, _ in STAFF:
            login = f'mumbai.{suffix}'
            session = self.server.login(login)
            with self.subTest(login=login):
                self.assertEqual(self.users(session, 'jaipur.%'), {})
                self.assertEqual(self.users(session, 'mumbai.%'), mumbai)
                self.assertEqual(session.model('res.user', 'search_count',
                        [('id', 'in', list(jaipur.values()))]), 0)
                with self.assertRaises(RPCError):
                    session.model('res.user', 'read',
                        [jaipur['jaipur.sales']], ['name'])
                me, = session.model('res.user', 'read',
                    [session.user_id], ['login', 'name'])
                self.assertEqual(me['login'], login)
                preferences = session.call(
                    'model.res.user.get_preferences', False)
                self.assertEqual(preferences['name'], me['name'])

    def test_user_reference_guarded(self):
        "B's admin cannot give a reminder or a task of B to A's user"
        # the platform admin looks users up in every business
        admin = self.server.login('admin')
        jaipur_rep = self.users(admin, 'jaipur.sales')['jaipur.sales']
        mumbai_rep = self.users(admin, 'mumbai.sales')['mumbai.sales']
        for model, fname in [('jewel.reminder', 'user'),
                ('jewel.task', 'staff')]:
            own = self.records[model][self.B][:1]
            with self.subTest(model=model):
                with self.assertRaises(RPCError):
                    self.intruder.model(
                        model, 'write', own, {fname: jaipur_rep})
                stored, = self.intruder.model(model, 'read', own, [fname])
                self.assertNotEqual(stored[fname], jaipur_rep)
                # the same write to one of B's users is accepted
                self.intruder.model(model, 'write', own, {fname: mumbai_rep})
                stored, = self.intruder.model(model, 'read', own, [fname])
                self.assertEqual(stored[fname], mumbai_rep)
        task, = self.intruder.model('jewel.task', 'read',
            self.records['jewel.task'][self.B][:1], ['party'])
        values = {'name': "Call the customer", 'party': task['party']}
        with self.assertRaises(RPCError):
            self.intruder.model('jewel.task', 'create',
                [{**values, 'staff': jaipur_rep}])
        # the same task for one of B's users is created
        created = self.intruder.model('jewel.task', 'create',
            [{**values, 'staff': mumbai_rep}])
        self.intruder.model('jewel.task', 'delete', created)
        self.assertEqual(self.intruder.model('jewel.task', 'search_count',
                [('staff', '=', jaipur_rep)]), 0)

    def test_whatsapp_secrets_for_business_admin_only(self):
        "Only B's Business Admin reads B's WhatsApp token and secrets"
        account = self.records['jewel.whatsapp.account'][self.B][:1]
        secrets = ['verify_token', 'app_secret', 'access_token']
        row, = self.intruder.model(
            'jewel.whatsapp.account', 'read', account, ['verify_token'])
        self.assertEqual(row['verify_token'], 'demo-mumbai-verify')
        for suffix in ['manager', 'sales', 'telecaller', 'accounts']:
            session = self.server.login(f'mumbai.{suffix}')
            with self.subTest(role=suffix):
                row, = session.model(
                    'jewel.whatsapp.account', 'read', account, ['name'])
                self.assertTrue(row['name'])
                for secret in secrets:
                    with self.assertRaises(RPCError):
                        session.model('jewel.whatsapp.account', 'read',
                            account, [secret])
                    with self.assertRaises(RPCError):
                        session.model('jewel.whatsapp.account', 'write',
                            account, {secret: 'guessed'})
                form = session.model('jewel.whatsapp.account',
                    'fields_view_get', None, 'form')
                self.assertFalse(set(secrets) & set(form['fields']))
        row, = self.intruder.model(
            'jewel.whatsapp.account', 'read', account, ['verify_token'])
        self.assertEqual(row['verify_token'], 'demo-mumbai-verify')

    def test_search_and_count(self):
        "B finds and counts none of A's records"
        for model, ids in self.probed():
            with self.subTest(model=model):
                domain = [('id', 'in', ids)]
                try:
                    found = self.intruder.model(
                        model, 'search', domain, 0, None, None)
                    count = self.intruder.model(model, 'search_count', domain)
                except RPCError:
                    continue  # no access to the model at all
                self.assertEqual((found, count), ([], 0))

    def test_read(self):
        "B cannot read A's records"
        for model, ids in self.probed():
            with self.subTest(model=model):
                with self.assertRaises(RPCError):
                    self.intruder.model(model, 'read', ids, ['id'])

    def test_write(self):
        "B cannot write A's records"
        for model, ids in self.probed():
            with self.subTest(model=model):
                with self.assertRaises(RPCError):
                    self.intruder.model(model, 'write', ids, {})

    def test_delete(self):
        "B cannot delete A's records"
        for model, ids in self.probed():
            with self.subTest(model=model):
                with self.assertRaises(RPCError):
                    self.intruder.model(model, 'delete', ids)

    def test_reference_from_own_record(self):
        "B cannot point one of its own records at A's record"
        tried = 0
        for target, ids in self.probed():
            for model, fname in self.references.get(target, []):
                own = self.records.get(model, {}).get(self.B)
                if not own:
                    continue
                with self.subTest(model=model, field=fname, target=target):
                    tried += 1
                    with self.assertRaises(RPCError):
                        self.intruder.model(
                            model, 'write', own[:1], {fname: ids[0]})
                break
        self.assertGreater(tried, 10)

    def test_own_records_usable(self):
        "The same user reads and writes its own business's customers"
        ids = self.records['party.party'][self.B]
        rows = self.intruder.model('party.party', 'read', ids, ['name'])
        self.assertEqual(len(rows), len(ids))
        self.intruder.model('party.party', 'write', ids, {})


if __name__ == '__main__':
    unittest.main()
