"""Login throttling that cannot be turned against a user, and malformed RPC
calls answered with a short user error, against real servers over HTTP.

Failed logins count per login and client address: many bad passwords from
address A throttle A for that login, the right password from address B is
accepted, and A stays throttled.  Without a proxy setting the client's own
X-Forwarded-For is ignored (no spoofing); with [web] num_proxies = 1 (a
reverse proxy in front of trytond) the address the proxy appends is used.
"""
import base64
import http.client
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from server import Server  # noqa: E402

from jewel import DEMO_PASSWORD  # noqa: E402

# Few attempts keep the test short: Tryton delays the answer to a failed
# login by up to 2**attempts seconds, so the default 5 would cost ~1 minute
# per throttled login.  The rule tested does not depend on the number.
MAX_ATTEMPT = 2

# What a raw Python or SQL error shows; a user error never does
INTERNALS = re.compile(
    r'Traceback|File "|psycopg|sqlite|Error:|TypeError|KeyError|ValueError'
    r'|AttributeError|IndexError|RecursionError|OverflowError|NoneType'
    r'|not subscriptable|object is not|has no attribute|invalid literal'
    r'|unhashable|SELECT |syntax error|site-packages|Decimal\(')


def http_post(server, path, payload, headers=None, source=None):
    """POST payload as JSON from the local address source; return (status,
    decoded JSON body or text)"""
    connection = http.client.HTTPConnection('127.0.0.1', server.port,
        timeout=120,
        source_address=(source, 0) if source else None)
    try:
        body = json.dumps(payload).encode()
        connection.request('POST', path, body=body, headers={
                'Content-Type': 'application/json', **(headers or {})})
        response = connection.getresponse()
        data = response.read().decode('utf-8', 'replace')
    finally:
        connection.close()
    try:
        return response.status, json.loads(data)
    except ValueError:
        return response.status, data


def login(server, login, password, source=None, forwarded_for=None):
    "common.db.login; return the HTTP status and the answer"
    headers = {}
    if forwarded_for:
        headers['X-Forwarded-For'] = forwarded_for
    return http_post(server, f'/{server.database}/rpc/', {
            'id': 1, 'method': 'common.db.login',
            'params': [login, {'password': password}, 'en']},
        headers=headers, source=source)


def start_server(**settings):
    server = Server()
    for key, value in settings.items():
        server.env[f'TRYTOND_{key}'] = str(value)
    return server.start()


class ThrottleMixin:
    "Throttling checks shared by the direct and the proxied layouts"

    def fail_until_throttled(self, user, **address):
        "Bad passwords from one address until it is refused (HTTP 429)"
        statuses = [login(self.server, user, 'not-the-password', **address)[0]
            for _ in range(MAX_ATTEMPT + 2)]
        # each bad password is refused (200 with no session: HTTP 401)
        self.assertEqual(statuses[:MAX_ATTEMPT + 1],
            [401] * (MAX_ATTEMPT + 1), statuses)
        self.assertEqual(statuses[-1], 429, statuses)

    def assert_logs_in(self, user, **address):
        status, answer = login(self.server, user, DEMO_PASSWORD, **address)
        self.assertEqual(status, 200, answer)
        user_id, key, _ = answer['result']
        self.assertIsInstance(user_id, int)
        self.assertTrue(key)
        return user_id, key

    def assert_throttled(self, user, password=DEMO_PASSWORD, **address):
        status, answer = login(self.server, user, password, **address)
        self.assertEqual(status, 429, answer)


# A normal result is as good as a short user error for these
ANY = None
MB = 'x' * 1_000_000
NUL = 'Ring\x00Box'
HUGE = 10 ** 30
DEEP = 120


def nested(depth, leaf):
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def malformed_calls(party, other, task, category):
    """(model, method, arguments, what the error must name or ANY,
    context or None for the user's); party, other: ids of two customers of
    the user's business, task: one of its tasks, category: a party category"""
    P, T = 'party.party', 'jewel.task'
    big_or = ['OR'] + [['name', '=', f'n{i:05}'] for i in range(20_000)]
    return [
        # search: the domain
        (P, 'search', ['not a domain', 0, None, None], 'domain'),
        (P, 'search', [42, 0, None, None], 'domain'),
        (P, 'search', [{'name': 'x'}, 0, None, None], 'domain'),
        (P, 'search', [[['name']], 0, None, None], 'name'),
        (P, 'search', [[['name', '=']], 0, None, None], 'name'),
        (P, 'search', [[['no_such_field', '=', 'x']], 0, None, None],
            'no_such_field'),
        (P, 'search', [[['name.no_such', '=', 'x']], 0, None, None],
            'name'),
        (P, 'search', [[['company.no_such', '=', 1]], 0, None, None],
            'no_such'),
        (P, 'search', [[['name', '==', 'x']], 0, None, None], '=='),
        (P, 'search', [[['name', 42, 'x']], 0, None, None], 'name'),
        (P, 'search', [[['name', None, 'x']], 0, None, None], 'name'),
        (P, 'search', [[[42, '=', 'x']], 0, None, None], 'domain'),
        (P, 'search', [[[None, '=', 'x']], 0, None, None], 'domain'),
        (P, 'search', [[['name', 'like', 42]], 0, None, None], 'name'),
        (P, 'search', [[['id', '=', 'abc']], 0, None, None], 'id'),
        (P, 'search', [[['id', '>', [1]]], 0, None, None], 'id'),
        (P, 'search', [[['id', 'in', 'abc']], 0, None, None], 'id'),
        (P, 'search', [[['id', 'in', 5]], 0, None, None], 'id'),
        (P, 'search', [[['id', 'in', [1, 'x']]], 0, None, None], 'id'),
        (P, 'search', [[['id', '=', HUGE]], 0, None, None], 'id'),
        (P, 'search', [[['company', '=', {'a': 1}]], 0, None, None],
            'company'),
        (P, 'search', [[['create_date', '>', 'yesterday']], 0, None, None],
            'create_date'),
        (P, 'search', [[['active', '=', 'maybe']], 0, None, None], 'active'),
        (P, 'search', [[['name', '=', NUL]], 0, None, None], 'NUL'),
        (P, 'search', [[['name', 'ilike', MB]], 0, None, None], 'name'),
        (P, 'search', [big_or, 0, None, None], '500'),
        (P, 'search', [nested(DEEP, ['name', '=', 'x']), 0, None, None],
            'deep'),
        (P, 'search', [[['name', '=', 'x'], 'XOR', ['name', '=', 'y']],
                0, None, None], 'XOR'),
        (P, 'search', [[['name', '=', 'x'], 'OR'], 0, None, None], 'OR'),
        (P, 'search', [['AND', 'OR'], 0, None, None], 'OR'),
        (P, 'search', [[['name', 'where', [['x', '=', 1]]]], 0, None, None],
            'name'),
        (P, 'search', [[['company', 'where', 'x']], 0, None, None],
            'company'),
        (P, 'search', [[['company', 'where', [['no_such', '=', 1]]]],
                0, None, None], 'no_such'),
        (P, 'search', [[['company', 'child_of', 'x', 'parent']],
                0, None, None], 'company'),
        (P, 'search', [[['company', 'child_of', [1], 42]], 0, None, None],
            'company'),
        (P, 'search', [[['company', '=', 1, 'extra']], 0, None, None], ANY),
        (T, 'search', [[['due_date', '=', 'soon']], 0, None, None],
            'due_date'),
        (T, 'search', [[['due_date', '=', '2026-13-45']], 0, None, None],
            'due_date'),
        (T, 'search', [[['overdue', '=', 'abc']], 0, None, None], 'overdue'),
        (T, 'search', [[['staff', '=', [1, 2]]], 0, None, None], 'staff'),
        # search: offset, limit, order
        (P, 'search', [[], 'abc', None, None], 'offset'),
        (P, 'search', [[], -5, None, None], 'offset'),
        (P, 'search', [[], 1.5, None, None], 'offset'),
        (P, 'search', [[], HUGE, None, None], 'offset'),
        (P, 'search', [[], 0, -1, None], 'limit'),
        (P, 'search', [[], 0, 'ten', None], 'limit'),
        (P, 'search', [[], 0, HUGE, None], 'limit'),
        (P, 'search', [[], 0, [10], None], 'limit'),
        (P, 'search', [[], 0, 10 ** 9, None], ANY),
        (P, 'search', [[], 0, None, 'name'], 'order'),
        (P, 'search', [[], 0, None, {'name': 'ASC'}], 'order'),
        (P, 'search', [[], 0, None, [['no_such', 'ASC']]], 'no_such'),
        (P, 'search', [[], 0, None, [['name', 'SIDEWAYS']]], 'SIDEWAYS'),
        (P, 'search', [[], 0, None, [['name']]], 'order'),
        (P, 'search', [[], 0, None, [[1, 'ASC']]], 'order'),
        (P, 'search', [[], 0, None, [['name', 'ASC; DROP TABLE party_party']]],
            'order'),
        (P, 'search', [[], 0, None, [['name ASC, id', 'ASC']]], 'name'),
        (P, 'search', [[], 0, None, [['name', 'DESC NULLS SOMETIMES']]],
            'order'),
        (P, 'search', [[], 0, None, None, 'count?'], ANY),
        # search_count and search_read
        (P, 'search_count', ['x'], 'domain'),
        (P, 'search_count', [[['no_such', '=', 1]]], 'no_such'),
        (P, 'search_count', [big_or], '500'),
        (P, 'search_count', [[], 'a'], 'offset'),
        (P, 'search_count', [[], 0, -3], 'limit'),
        (P, 'search_read', [[], 0, 5, None, ['no_such']], 'no_such'),
        (P, 'search_read', [[['name', '=', 1]], 0, 5, None, ['name']],
            'name'),
        (P, 'search_read', [[], 0, 5, None, 'name'], 'fields'),
        # read
        (P, 'read', ['abc', ['name']], 'ids'),
        (P, 'read', [[party, '2'], ['name']], 'ids'),
        (P, 'read', [[1.5], ['name']], 'ids'),
        (P, 'read', [[None], ['name']], 'ids'),
        (P, 'read', [[HUGE], ['name']], 'ids'),
        (P, 'read', [[-1], ['name']], ANY),
        (P, 'read', [{'a': 1}, ['name']], 'ids'),
        (P, 'read', [None, ['name']], 'ids'),
        (P, 'read', [[party], ['no_such']], 'no_such'),
        (P, 'read', [[party], 'name'], 'fields'),
        (P, 'read', [[party], [42]], 'fields'),
        (P, 'read', [[party], ['name.no_such']], 'name'),
        (P, 'read', [[party], ['company.no_such']], 'no_such'),
        (P, 'read', [[party], ['name' + '\x00']], 'name'),
        (P, 'read', [[party]], 'fields'),
        # write
        (P, 'write', ['abc', {'name': 'x'}], 'ids'),
        (P, 'write', [[str(party)], {'name': 'x'}], 'ids'),
        (P, 'write', [[[party]], {'name': 'x'}], 'ids'),
        (P, 'write', [None, {'name': 'x'}], 'ids'),
        (P, 'write', [{'id': party}, {'name': 'x'}], 'ids'),
        (P, 'write', [[HUGE], {'name': 'x'}], 'ids'),
        (P, 'write', [[party], 'name=x'], 'values'),
        (P, 'write', [[party], {'no_such': 1}], 'no_such'),
        (P, 'write', [[party], {'name': 42}], 'name'),
        (P, 'write', [[party], {'name': ['x']}], 'name'),
        (P, 'write', [[party], {'name': NUL}], 'NUL'),
        (P, 'write', [[party], {'name': MB}], 'name'),
        (P, 'write', [[party], {'id': other}], 'id'),
        (P, 'write', [[party], {'create_date': 'bad'}], 'create_date'),
        (P, 'write', [[party], {'categories': 'bad'}], 'categories'),
        (P, 'write', [[party], {'categories': [['add', ['x']]]}],
            'categories'),
        (P, 'write', [[party], {'categories': [['explode', [category]]]}],
            'categories'),
        (P, 'write', [[party], {'addresses': [['create', 'x']]}],
            'addresses'),
        (P, 'write', [[party], {'addresses': [['create', [{'no_such': 1}]]]}],
            'no_such'),
        (P, 'write', [[party], {'name': 'ok'}, [other]], 'write'),
        (P, 'write', [[party], {'name': 'ok'}, [other], 'x'], 'values'),
        (T, 'write', [[task], {'due_date': '2026-13-45'}], 'due_date'),
        (T, 'write', [[task], {'due_date': 20260101}], 'due_date'),
        (T, 'write', [[task], {'staff': 'abc'}], 'staff'),
        (T, 'write', [[task], {'staff': HUGE}], 'staff'),
        (T, 'write', [[task], {'staff': 1.5}], 'staff'),
        (T, 'write', [[task], {'priority': 'nonsense'}], 'priority'),
        (T, 'write', [[task], {'priority': 2}], 'priority'),
        (T, 'write', [[task], {'party': [party]}], 'party'),
        # create
        (P, 'create', ['x'], 'values'),
        (P, 'create', [{'name': 'x'}], 'values'),
        (P, 'create', [['name']], 'values'),
        (P, 'create', [[{'no_such': 1}]], 'no_such'),
        (P, 'create', [[{'name': 5}]], 'name'),
        (P, 'create', [[{'name': NUL}]], 'NUL'),
        (P, 'create', [[{'name': MB}]], 'name'),
        (P, 'create', [[{'name': 'ok', 'categories': 5}]], 'categories'),
        (T, 'create', [[{'name': 't', 'staff': 'me', 'priority': 'normal'}]],
            'staff'),
        # delete
        (P, 'delete', ['abc'], 'ids'),
        (P, 'delete', [[str(party)]], 'ids'),
        (P, 'delete', [[HUGE]], 'ids'),
        (P, 'delete', [{'a': 1}], 'ids'),
        (T, 'delete', [[[task]]], 'ids'),
        # fields_get, default_get
        (P, 'fields_get', ['name'], 'fields'),
        (P, 'fields_get', [[42]], 'fields'),
        (P, 'fields_get', [['no_such']], ANY),
        (P, 'default_get', ['name'], 'fields'),
        (P, 'default_get', [[42]], 'fields'),
        (P, 'default_get', [['no_such']], 'no_such'),
        # contexts
        (P, 'search', [[], 0, None, None], 422, 'not a context'),
        (P, 'search_count', [[]], ANY, {'company': 'abc'}),
        (P, 'search_count', [[]], ANY, {'company': HUGE}),
        (P, 'search_count', [[]], ANY, {'companies': 'abc'}),
        (P, 'search_count', [[]], ANY, {'language': 42}),
        (P, 'search_count', [[]], ANY, {'active_test': 'maybe'}),
        (P, 'search_count', [[]], ANY, {'_datetime': 'x'}),
        (P, 'read', [[party], ['name']], ANY, {'language': {'x': 1}}),
        ]


DIRECT = None


def setUpModule():
    "One server for the direct layout, shared by its login and RPC tests"
    global DIRECT
    DIRECT = start_server(SESSION__MAX_ATTEMPT=MAX_ATTEMPT)
    unittest.addModuleCleanup(DIRECT.stop)


class DirectLoginTestCase(ThrottleMixin, unittest.TestCase):
    """trytond reached directly (docker-compose.yml publishes its port):
    the address is the TCP peer, X-Forwarded-For is the client's own text"""

    @classmethod
    def setUpClass(cls):
        cls.server = DIRECT

    def test_other_address_logs_in(self):
        "Bad passwords from 127.0.0.1 do not lock the user out of 127.0.0.2"
        self.fail_until_throttled('jaipur.sales', source='127.0.0.1')
        # the right password from the throttled address is refused too
        self.assert_throttled('jaipur.sales', source='127.0.0.1')
        user_id, key = self.assert_logs_in('jaipur.sales', source='127.0.0.2')
        # the session works: the user reads its own name
        token = base64.b64encode(
            f'jaipur.sales:{user_id}:{key}'.encode()).decode()
        status, answer = http_post(self.server,
            f'/{self.server.database}/rpc/', {'id': 2,
                'method': 'model.res.user.read',
                'params': [[user_id], ['login'], {}]},
            headers={'Authorization': f'Session {token}'},
            source='127.0.0.2')
        self.assertEqual(answer['result'][0]['login'], 'jaipur.sales')
        # the success from 127.0.0.2 does not clear 127.0.0.1's attempts
        self.assert_throttled('jaipur.sales', source='127.0.0.1')
        # nor is 127.0.0.1 throttled for the other logins
        self.assert_logs_in('jaipur.accounts', source='127.0.0.1')

    def test_databases_not_listed(self):
        """The shipped configuration does not tell a visitor the names of
        the server's databases; the address names the one to log in to"""
        status, _ = http_post(self.server, '/rpc/', {
                'id': 1, 'method': 'common.db.list', 'params': []})
        self.assertEqual(status, 403)
        self.assert_logs_in('jaipur.manager', source='127.0.0.7')

    def test_admin_not_locked_out(self):
        "Nobody keeps admin out by failing its password from elsewhere"
        self.fail_until_throttled('admin', source='127.0.0.3')
        self.assert_logs_in('admin', source='127.0.0.4')
        self.assert_throttled('admin', source='127.0.0.3')

    def test_forwarded_for_not_trusted(self):
        """Without a proxy setting, a client cannot pass for another address
        with its own X-Forwarded-For header"""
        self.fail_until_throttled('mumbai.sales', source='127.0.0.5',
            forwarded_for='10.0.0.1')
        for spoofed in ['10.0.0.2', '127.0.0.6', '10.0.0.3, 127.0.0.6']:
            with self.subTest(spoofed=spoofed):
                self.assert_throttled('mumbai.sales', source='127.0.0.5',
                    forwarded_for=spoofed)
        self.assert_logs_in('mumbai.sales', source='127.0.0.6')


class ProxiedLoginTestCase(ThrottleMixin, unittest.TestCase):
    """trytond behind one reverse proxy ([web] num_proxies = 1): the client
    address is the one the proxy appends to X-Forwarded-For; the proxy is
    played by the test, always from 127.0.0.1"""

    @classmethod
    def setUpClass(cls):
        cls.server = start_server(SESSION__MAX_ATTEMPT=MAX_ATTEMPT,
            WEB__NUM_PROXIES=1)
        cls.addClassCleanup(cls.server.stop)

    def test_other_address_logs_in(self):
        "A throttled address does not lock admin out of another"
        self.fail_until_throttled('admin', forwarded_for='203.0.113.7')
        self.assert_logs_in('admin', forwarded_for='198.51.100.20')
        self.assert_throttled('admin', forwarded_for='203.0.113.7')

    def test_client_part_of_header_ignored(self):
        """Only the address the proxy appended counts: what the client put
        before it in the header does not escape the throttle"""
        self.fail_until_throttled('mumbai.telecaller',
            forwarded_for='10.1.1.1, 203.0.113.9')
        self.assert_throttled('mumbai.telecaller',
            forwarded_for='198.51.100.22, 203.0.113.9')
        self.assert_logs_in('mumbai.telecaller',
            forwarded_for='203.0.113.9, 198.51.100.22')


class MalformedRPCTestCase(unittest.TestCase):
    """A corpus of malformed JSON-RPC calls by a store manager: each answer
    is a short user error naming the field or argument (or a normal
    result where marked ANY), and nothing is written"""

    @classmethod
    def setUpClass(cls):
        cls.server = DIRECT
        cls.session = cls.server.login('jaipur.manager')
        party, other = cls.session.model('party.party', 'search',
            [('is_customer', '=', True)], 0, 2, [('id', 'ASC')])
        task, = cls.session.model('jewel.task', 'search', [], 0, 1, None)
        category, = cls.session.model('party.category', 'search', [],
            0, 1, None)
        cls.ids = {'party': party, 'other': other, 'task': task,
            'category': category}

    def call(self, model, method, args, context=None):
        params = [*args,
            self.session.context if context is None else context]
        return http_post(self.server, f'/{self.server.database}/rpc/',
            {'id': 1, 'method': f'model.{model}.{method}', 'params': params},
            headers={'Authorization': f'Session {self.session.token}'})

    def result(self, model, method, *args, context=None):
        status, answer = self.call(model, method, args, context)
        self.assertEqual(status, 200, answer)
        self.assertIn('result', answer, answer)
        return answer['result']

    def stored(self):
        """What the corpus could write: counts, last change and the records
        it targets"""
        inactive = dict(self.session.context, active_test=False)
        stored = {}
        for model in ['party.party', 'party.address', 'party.category',
                'jewel.task']:
            stored[model] = (
                self.result(model, 'search_count', [], context=inactive),
                self.result(model, 'search_read', [], 0, 1,
                    [['write_date', 'DESC NULLS LAST'], ['id', 'DESC']],
                    ['write_date'], context=inactive))
        stored['parties'] = self.result('party.party', 'read',
            [self.ids['party'], self.ids['other']],
            ['name', 'categories', 'addresses', 'write_date'])
        stored['task'] = self.result('jewel.task', 'read', [self.ids['task']],
            ['name', 'due_date', 'staff', 'priority', 'party', 'write_date'])
        return stored

    def check_answer(self, expect, status, answer):
        if isinstance(expect, int):
            self.assertEqual(status, expect, answer)
            self.assertNotRegex(str(answer), INTERNALS)
            return
        if status != 200:
            # an HTTP refusal (e.g. 413) is fine where a result is
            self.assertIsNone(expect, f"HTTP {status}: {answer}")
            self.assertTrue(400 <= status < 500, answer)
            self.assertNotRegex(str(answer), INTERNALS)
            return
        if 'result' in answer:
            self.assertIsNone(expect, "the malformed call was accepted")
            return
        error = answer['error']
        self.assertEqual(error[0], 'UserError', error)
        message, description = error[1][0], error[1][1] or ''
        self.assertLessEqual(len(message), 300, message)
        self.assertNotRegex(message + description, INTERNALS)
        if expect is not None:
            self.assertIn(expect.lower(), (message + description).lower())

    def test_malformed_calls(self):
        "Each malformed call: a short user error, nothing written"
        before = self.stored()
        for model, method, args, expect, *context in malformed_calls(
                **self.ids):
            shown = json.dumps(args)
            with self.subTest(call=f'{model}.{method}',
                    args=shown if len(shown) < 120 else shown[:117] + '...'):
                status, answer = self.call(model, method, args, *context)
                self.check_answer(expect, status, answer)
        self.assertEqual(self.stored(), before)

    def test_wellformed_calls(self):
        "Calls of the forms clients send are still answered and stored"
        P, T = 'party.party', 'jewel.task'
        party, category = self.ids['party'], self.ids['category']
        date = {'__class__': 'date', 'year': 2026, 'month': 12, 'day': 31}
        # 499 terms: just within the bound of 500
        near_bound = ['OR'] + [['name', '=', f'n{i:03}'] for i in range(498)]
        searches = [
            (P, [['OR', ['name', 'ilike', '%a%'], ['code', '=', 'x']],
                    ['company.party.name', '!=', None]],
                [['name', 'ASC NULLS LAST'], ['id', None]]),
            (P, [['company', 'where', [['party.name', 'ilike', '%']]]], None),
            (P, [['categories', 'child_of', [category], 'parent']], None),
            (P, [['id', 'in', list(range(1, 5000))]], [['company.id', 'DESC']]),
            (P, near_bound, None),
            (T, [['due_date', '<=', date], ['staff', '!=', None],
                    ['priority', 'in', ['1', '2']]], None),
            ]
        for model, domain, order in searches:
            with self.subTest(model=model, domain=str(domain)[:80]):
                self.assertIsInstance(
                    self.result(model, 'search', domain, 0, 10, order), list)
        row, = self.result(P, 'read', [party], ['name', 'company.rec_name',
                'rec_name', '_timestamp', 'categories', 'addresses'])
        self.assertTrue(row['company.']['rec_name'])
        # what sao reads for a form with a list of lines
        row, = self.result(P, 'read', [party], ['addresses',
                'addresses.rec_name', 'addresses._timestamp',
                'addresses._write', 'addresses._delete'])
        self.assertIn('addresses.', row)
        self.assertTrue(self.result(P, 'search_read', [['id', '=', party]],
                0, 1, None, ['name', 'company.rec_name']))
        self.assertIn('name', self.result(P, 'fields_get', ['name']))
        self.assertIn('company', self.result(P, 'default_get',
                ['name', 'company']))

        # a record written and created through the checked entries
        self.result(P, 'write', [party],
            {'categories': [['add', [category]]]})
        self.assertIn(category, self.result(P, 'read', [party],
                ['categories'])[0]['categories'])
        self.result(P, 'write', [party],
            {'categories': [['remove', [category]]]})
        self.assertNotIn(category, self.result(P, 'read', [party],
                ['categories'])[0]['categories'])
        staff = self.session.user_id
        task, = self.result(T, 'create', [{'name': "Call back", 'staff': staff,
                    'party': party, 'due_date': date, 'priority': '2'}])
        stored, = self.result(T, 'read', [task],
            ['name', 'staff', 'party', 'due_date', 'priority'])
        self.assertEqual((stored['name'], stored['staff'], stored['party'],
                stored['priority']), ("Call back", staff, party, '2'))
        self.result(T, 'delete', [task])
        self.assertEqual(
            self.result(T, 'search', [['id', '=', task]], 0, None, None), [])


if __name__ == '__main__':
    unittest.main()
