# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The fast-path guard (``jewel_crm.tenancy``): its checks on a real
database, and a scan of the addons' source so that no later code reads a
company or a showroom from the client's context without it."""
import ast
import unittest
from pathlib import Path

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
# the database of a module test without the module's generic checks again
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

from .test_module import as_user, create_showroom, create_user

ADDONS = Path(__file__).resolve().parents[2]
GUARD = ADDONS / 'jewel_crm' / 'tenancy.py'
# Context keys naming a business or a showroom
GUARDED_KEYS = {'company', 'companies', 'warehouse', 'showroom'}
# (file under addons/, function) reading such a key outside the guard,
# with the reason it is safe.  Add a place only with its reason.
ALLOWED = {
    ('jewel_crm/company_field.py', 'default_company'):
        "default of a stored record's company: the company record rule "
        "refuses creating it in another business (checked per row, the "
        "guard would cost a query per created row)",
    ('jewel_crm/showroom.py', 'default_showroom'):
        "default of a stored record's showroom: the tenant reference rule "
        "refuses a showroom of another business on create",
    ('jewel_inventory/stock.py', 'default_showroom'):
        "default of a piece's showroom: the tenant reference rule refuses "
        "a showroom of another business on create",
    }


def context_reads(path):
    """Yield (function name, line, key) of each read of a guarded key
    from a context: context.get('key'), context['key'] or
    context.get('key', default), whatever the context is called"""
    tree = ast.parse(path.read_text(), str(path))
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def function_of(node):
        while node in parents:
            node = parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node.name
        return '<module>'

    def is_context(node):
        text = ast.unparse(node)
        return 'context' in text.lower() or text in {'ctx'}

    for node in ast.walk(tree):
        key = None
        if (isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {'get', 'pop', 'setdefault'}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and is_context(node.func.value)):
            key = node.args[0].value
        elif (isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Load)
                and isinstance(node.slice, ast.Constant)
                and is_context(node.value)):
            key = node.slice.value
        if key in GUARDED_KEYS:
            yield function_of(node), node.lineno, key


class GuardScanTestCase(unittest.TestCase):
    "No company or showroom is read from the context outside the guard"

    def sources(self):
        for path in sorted(ADDONS.glob('jewel_*/**/*.py')):
            if 'tests' in path.relative_to(ADDONS).parts or path == GUARD:
                continue
            yield path

    def test_scan_finds_reads(self):
        "The scan sees each way of reading the context"
        import tempfile
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / 'sample.py'
            path.write_text(
                "def a():\n    return Transaction().context.get('company')\n"
                "def b(context):\n    return context['warehouse']\n"
                "def c():\n    ctx = {}\n    return ctx.get('showroom', 1)\n"
                "def d(context):\n    return context.get('to_date')\n")
            self.assertEqual(
                [(f, k) for f, _, k in context_reads(path)],
                [('a', 'company'), ('b', 'warehouse'), ('c', 'showroom')])

    def test_no_context_read_outside_guard(self):
        "Every read goes through jewel_crm.tenancy or is allow-listed"
        found, used = [], set()
        for path in self.sources():
            name = path.relative_to(ADDONS).as_posix()
            for function, line, key in context_reads(path):
                if (name, function) in ALLOWED:
                    used.add((name, function))
                    continue
                found.append(f"{name}:{line} {function}() reads "
                    f"context[{key!r}]: use jewel_crm.tenancy.guarded_*")
        self.assertEqual(found, [])
        self.assertEqual(set(ALLOWED) - used, set(),
            msg="allow-listed places that no longer read the context")


class GuardTestCase(_DBTestCase):
    "The guard on a database of two businesses"
    module = 'jewel_crm'

    @staticmethod
    def businesses():
        jaipur = create_company("Jaipur Gold")
        mumbai = create_company("Mumbai Diamonds", currency=jaipur.currency)
        return jaipur, mumbai

    @with_transaction()
    def test_company(self):
        "Only the user's own companies pass; root and admins name any"
        from ..tenancy import guarded_company, check_context
        jaipur, mumbai = self.businesses()
        manager = create_user('manager', mumbai, 'store_manager')
        self.assertEqual(guarded_company(jaipur.id), jaipur.id)
        user, context = as_user(manager)
        with user, context:
            self.assertEqual(guarded_company(mumbai.id), mumbai.id)
            self.assertEqual(guarded_company(str(mumbai.id)), mumbai.id)
            self.assertIsNone(guarded_company(None))
            for forged in [jaipur.id, -1, 'x', [jaipur.id], True]:
                with self.subTest(forged=forged):
                    with self.assertRaises(AccessError):
                        guarded_company(forged)
            with self.assertRaises(AccessError):
                guarded_company(None, required=True)
            with Transaction().set_context(company=jaipur.id):
                with self.assertRaises(AccessError):
                    guarded_company()
                with self.assertRaises(AccessError):
                    check_context()
            with Transaction().set_context(
                    company=mumbai.id, companies=[mumbai.id, jaipur.id]):
                with self.assertRaises(AccessError):
                    check_context()
            with Transaction().set_context(company=mumbai.id):
                self.assertEqual(check_context(), mumbai.id)

    @with_transaction()
    def test_admin_names_any_company(self):
        "A member of Administration manages every business"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        from ..tenancy import guarded_company
        jaipur, mumbai = self.businesses()
        admin = create_user('platform', mumbai)
        User.write([admin], {'groups': [
                    ('add', [ModelData.get_id('res', 'group_admin')])]})
        user, context = as_user(admin)
        with user, context:
            self.assertEqual(guarded_company(jaipur.id), jaipur.id)
            with self.assertRaises(AccessError):
                guarded_company(10 ** 6)

    @with_transaction()
    def test_showroom(self):
        "Store staff name their showrooms, managers their business's"
        from ..tenancy import guarded_showroom
        jaipur, mumbai = self.businesses()
        with set_company(jaipur):
            mi_road = create_showroom("MI Road", jaipur.id)
        with set_company(mumbai):
            bandra = create_showroom("Bandra", mumbai.id)
            juhu = create_showroom("Juhu", mumbai.id)
        rep = create_user('rep', mumbai, 'sales_rep', showrooms=[bandra])
        manager = create_user('manager', mumbai, 'store_manager')
        user, context = as_user(rep)
        with user, context:
            self.assertEqual(guarded_showroom(bandra.id), bandra.id)
            for forged in [juhu.id, mi_road.id, 'x']:
                with self.subTest(forged=forged):
                    with self.assertRaises(AccessError):
                        guarded_showroom(forged)
            with Transaction().set_context(warehouse=mi_road.id):
                with self.assertRaises(AccessError):
                    guarded_showroom(key='warehouse')
        user, context = as_user(manager)
        with user, context:
            self.assertEqual(guarded_showroom(juhu.id), juhu.id)
            with self.assertRaises(AccessError):
                guarded_showroom(juhu.id, company=jaipur.id)
            with self.assertRaises(AccessError):
                guarded_showroom(mi_road.id)

    @with_transaction()
    def test_records(self):
        "Ids from the client: all readable or nothing"
        Party = Pool().get('party.party')
        from ..tenancy import guarded_records
        jaipur, mumbai = self.businesses()
        with set_company(jaipur):
            meera, = Party.create([{'name': "Meera"}])
        with set_company(mumbai):
            rohan, = Party.create([{'name': "Rohan"}])
        manager = create_user('manager', mumbai, 'store_manager')
        user, context = as_user(manager)
        with user, context:
            self.assertEqual(
                guarded_records(Party, [rohan.id]), [rohan])
            self.assertEqual(
                guarded_records('party.party', [rohan.id, rohan.id]),
                [rohan, rohan])
            for forged in [[meera.id], [rohan.id, meera.id], ['x']]:
                with self.subTest(forged=forged):
                    with self.assertRaises(AccessError):
                        guarded_records(Party, forged)

