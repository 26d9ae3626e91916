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

sys.path.insert(0, os.path.dirname(__file__))

from server import RPCError, ServerTestCase  # noqa: E402

A, B = "Jaipur Gold Palace", "Mumbai Diamond House"


def _as_root(database, function):
    "function(pool) in a read-only root transaction of the server database"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
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
        os.environ['TRYTOND_CONFIG'] = cls._server_config()
        from trytond import config
        config.update_etc(os.environ['TRYTOND_CONFIG'])
        cls.facts = cls.root(cls._facts)
        cls.sessions = {login: cls.server.login(login)
            for login in ['mumbai.admin', 'mumbai.manager']}

    @classmethod
    def _server_config(cls):
        saved = dict(os.environ)
        os.environ.update(cls.server.env)
        try:
            from jewel import effective_config
            return str(effective_config())
        finally:
            os.environ.clear()
            os.environ.update(saved)

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
        return facts

    def forged(self, session):
        "The session's context naming Jaipur's company and showroom"
        showroom = self.facts['A.showroom']
        return {**session.context, 'company': self.facts['A'],
            'companies': [self.facts['A']], 'warehouse': showroom,
            'showroom': showroom}

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


if __name__ == '__main__':
    unittest.main()
