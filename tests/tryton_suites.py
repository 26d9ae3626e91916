"""make test-tryton: Tryton's own suites with the Jewel modules activated.

A peer installing our modules beside Tryton's runs the standard modules'
unit tests and scenario doctests on the same database as ours.  This runner
does so for the standard modules we build on (STANDARD): every database a
standard test activates gets the Jewel modules as well, through
trytond.tests.test_tryton.activate_module (unit tests) and
trytond.tests.tools.activate_modules (scenarios).

A standard test may break one of our deliberate rules (a sale's warehouse
belongs to its business, a product belongs to a business, ...).  Such a test
is adapted here, never in our modules: ADAPTED names it with the rule and the
hook that gives its records what the rule requires; SKIPPED names the tests
that cannot run with our modules and why.  docs/tryton-suites.md lists both.

SQLite only; activated databases are cached under var/test-cache (DB_CACHE)
keyed on our source, and JEWEL_TRYTON_JOBS (default 2) suites run at once.
Prints one closing line: 'N passed, N failed'.

    python tests/tryton_suites.py                 # every suite
    python tests/tryton_suites.py sale stock:unit # some of them
    python tests/tryton_suites.py sale -k scenario_sale_empty.rst
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))

STANDARD = ['party', 'product', 'company', 'sale', 'sale_opportunity',
    'sale_complaint', 'stock', 'stock_lot', 'account_invoice']
JEWEL = ['jewel_crm', 'jewel_inventory', 'jewel_workshop',
    'jewel_telecalling', 'jewel_whatsapp']
KINDS = ['unit', 'scenario']

# Standard tests that do not run with our modules: test id → reason.
# A test id is 'module:unit:<TestCase.test_method>' (or
# 'module:unit:<TestCase>' for all its tests) or 'module:scenario:<file.rst>'.
SKIPPED = {
    'account_invoice:scenario:scenario_invoice_payment_means.rst':
        "activates the bank module, which is not installed "
        "(it fails the same way without our modules)",
    'stock_lot:unit:StockLotTestCase':
        "activates the stock_split module, which is not installed "
        "(it fails the same way without our modules)",
    'account_invoice:unit:AccountInvoiceTestCase':
        "activates the bank module, which is not installed "
        "(it fails the same way without our modules)",
    'sale_complaint:unit:SaleComplaintTestCase':
        "activates the sale_promotion_coupon module, which is not installed "
        "(it fails the same way without our modules)",
    'sale_complaint:scenario:scenario_sale_complaint_promotion_coupon.rst':
        "activates the sale_promotion_coupon module, which is not installed "
        "(it fails the same way without our modules)",
    'stock_lot:scenario:scenario_stock_lot_move_add.rst':
        "activates the stock_split module, which is not installed "
        "(it fails the same way without our modules)",
    }

# Moves to or from customers and suppliers ask for an origin (a sale, a
# purchase) once sale and purchase are activated, as ours activate them
STANDARD_BESIDE = "sale and purchase, activated with ours, ask a move " \
    "to or from a customer or supplier for its origin"
# A product belongs to a business
BUSINESS_PRODUCT = "a product belongs to a business: the scenario, which " \
    "makes no company, is given one (create_company) before its products"
# A sale's warehouse belongs to its business
WAREHOUSE = "a sale's warehouse (showroom) belongs to its business " \
    "(jewel_crm/sale.py): the company the scenario makes (create_company) " \
    "is given the standard warehouse"
# Shared records of no business
SHARED_RECORDS = "the locations of no business (customer, supplier, " \
    "transit) are shared by all businesses and a platform administrator " \
    "sees the parties of no business: the company rules of stock.location " \
    "and party.party let records without company through " \
    "(jewel_crm/party.xml, stock.xml), as jewel_crm's own test skips them"
# A model's ids over RPC are whole numbers, as a client sends them
RPC_IDS = "our RPC guard takes record ids as whole numbers " \
    "(jewel_crm/rpc_guard.py)"


def no_origin_check():
    "Moves without origin as with the stock module alone"
    from unittest import mock
    from trytond.modules.stock.move import Move
    check_origin = Move.check_origin.__func__

    def check_origin_of_stock(cls, moves, types=None):
        return check_origin(cls, moves, set() if types is None else types)
    mock.patch.object(
        Move, 'check_origin', classmethod(check_origin_of_stock)).start()


def warehouse_of_business():
    """The company made by create_company has the standard warehouse: a
    sale's warehouse belongs to its business"""
    from unittest import mock

    from proteus import Model
    from trytond.modules.company.tests import tools
    create_company = tools.create_company

    def create_company_with_warehouse(party=None, currency=None, config=None):
        result = create_company(party=party, currency=currency, config=config)
        company = tools.get_company(config=config)
        Location = Model.get('stock.location', config=config)
        for warehouse in Location.find([
                    ('type', '=', 'warehouse'), ('company', '=', None)]):
            warehouse.company = company
            warehouse.save()
        return result
    mock.patch.object(
        tools, 'create_company', create_company_with_warehouse).start()


def with_business():
    """The scenario's database has a company: a product belongs to a
    business (jewel_crm/product.py, the template's company rule)"""
    from unittest import mock

    from trytond.modules.company.tests.tools import create_company
    from trytond.tests import tools
    activate_modules = tools.activate_modules

    def activate_modules_with_business(modules, *setup):
        return activate_modules(modules, create_company, *setup)
    mock.patch.object(
        tools, 'activate_modules', activate_modules_with_business).start()


def shared_without_company(test):
    """Parties and locations of no business have no company rule, as in
    jewel_crm's own test (JewelCrmTestCase._skip_company_rule)"""
    from unittest import mock
    TestCase = type(test)
    skip = TestCase._skip_company_rule.fget(test) | {
        ('stock.location', 'company'), ('party.party', 'company')}
    mock.patch.object(TestCase, '_skip_company_rule', skip).start()


def records_by_id(*sources):
    "The examples that give records to an RPC call give their ids"
    def rewrite(test):
        for example in test._dt_test.examples:
            for old, new in sources:
                example.source = example.source.replace(old, new)
    return rewrite


# Standard tests whose set-up is adapted to one of our rules or to the
# standard modules ours activate: test id → (reason, hook).  A hook runs
# before the test (a doctest's hook may also be given the test to rewrite
# the examples named in its reason).
ADAPTED = {
    **{f'stock:scenario:{name}.rst': (STANDARD_BESIDE, no_origin_check)
        for name in [
            'scenario_stock_average_cost_price',
            'scenario_stock_inventory',
            'scenario_stock_inventory_empty_quantity',
            'scenario_stock_move_in_future',
            'scenario_stock_product_quantities_by_warehouse',
            'scenario_stock_product_replace',
            'scenario_stock_recompute_average_cost_price',
            'scenario_stock_recompute_average_cost_price_production',
            'scenario_stock_reporting',
            'scenario_stock_reporting_inventory',
            'scenario_stock_reporting_margin',
            'scenario_stock_shipment_cron_assign',
            'scenario_stock_shipment_in',
            'scenario_stock_shipment_in_same_storage_input',
            'scenario_stock_shipment_out',
            'scenario_stock_shipment_out_return',
            'scenario_stock_shipment_out_return_same_storage_input',
            'scenario_stock_shipment_out_same_storage_output',
            ]},
    **{f'stock_lot:scenario:{name}.rst': (STANDARD_BESIDE, no_origin_check)
        for name in [
            'scenario_stock_lot_shipment_in',
            'scenario_stock_lot_shipment_out',
            'scenario_stock_lot_trace',
            ]},
    **{test: (BUSINESS_PRODUCT, with_business) for test in [
            'product:scenario:scenario_product_identifier.rst',
            'product:scenario:scenario_product_replace.rst',
            'stock_lot:scenario:scenario_stock_lot_number.rst',
            ]},
    **{f'sale:scenario:{name}.rst': (WAREHOUSE, warehouse_of_business)
        for name in [
            'scenario_sale',
            'scenario_sale_default_taxes',
            'scenario_sale_empty',
            'scenario_sale_line_cancelled',
            'scenario_sale_line_cancelled_on_invoice',
            'scenario_sale_line_cancelled_on_shipment',
            'scenario_sale_manual_invoice',
            'scenario_sale_manual_shipment',
            'scenario_sale_modify_header',
            'scenario_sale_quotation',
            'scenario_sale_reporting',
            ]},
    **{f'sale_opportunity:scenario:{name}.rst': (
            WAREHOUSE, warehouse_of_business)
        for name in [
            'scenario_sale_opportunity',
            'scenario_sale_opportunity_reporting',
            ]},
    'sale_complaint:scenario:scenario_sale_complaint.rst': (
        WAREHOUSE, warehouse_of_business),
    **{f'{module}:unit:{case}.test_company_rule': (
            SHARED_RECORDS, shared_without_company)
        for module, case in [
            ('company', 'CompanyTestCase'),
            ('sale', 'SaleTestCase'),
            ('stock', 'StockTestCase'),
            ('stock_lot', 'StockLotTestCase'),
            ('account_invoice', 'AccountInvoiceTestCase'),
            ]},
    'stock:scenario:scenario_stock_period.rst': (
        STANDARD_BESIDE + "; " + RPC_IDS + ": Move.write([move], ...) "
        "is given [move.id]",
        [no_origin_check, records_by_id(
                ('Move.write([move],', 'Move.write([move.id],'))]),
    }

# Relative length of each suite, to start the longest first
EXPECTED = {
    'account_invoice:scenario': 300, 'stock:scenario': 300,
    'stock:unit': 250, 'account_invoice:unit': 200, 'sale:scenario': 170,
    'sale:unit': 150, 'product:unit': 140, 'party:scenario': 130,
    'company:unit': 120, 'stock_lot:scenario': 110, 'party:unit': 100,
    'product:scenario': 70,
    }


# ---------------------------------------------------------------- the child

def jewel_modules(modules):
    """Ours and those of modules that ours do not activate, in one order:
    the standard modules we build on are activated by ours, so every suite
    shares one cached database"""
    from trytond.modules import get_module_info
    activated, todo = set(), list(JEWEL)
    while todo:
        name = todo.pop()
        if name not in activated:
            activated.add(name)
            todo.extend(get_module_info(name).get('depends', []))
    return sorted(set(JEWEL) | (set(modules) - activated))


def patch_activation():
    from trytond.tests import test_tryton, tools

    activate_module = test_tryton.activate_module

    def activate_module_with_jewel(modules, lang='en'):
        if isinstance(modules, str):
            modules = [modules]
        return activate_module(jewel_modules(modules), lang=lang)
    test_tryton.activate_module = activate_module_with_jewel

    activate_modules = tools.activate_modules

    def activate_modules_with_jewel(modules, *setup):
        if isinstance(modules, str):
            modules = [modules]
        modules = jewel_modules(modules)
        name = '-'.join(sorted(modules))
        if setup:
            name += '--' + '|'.join(tools._func_name(f) for f in setup)
        cache = test_tryton.DB_CACHE
        if setup and cache and not os.path.exists(
                test_tryton._db_cache_file(cache, name)):
            # The set-up runs on a copy of the cached activation instead of
            # activating the modules again
            config = activate_modules(modules)
            for func in setup:
                func(config=config)
            test_tryton.backup_db_cache(name)
            return config
        return activate_modules(modules, *setup)
    tools.activate_modules = activate_modules_with_jewel


def test_id(module, kind, test):
    if hasattr(test, '_dt_test'):
        return f'{module}:scenario:{Path(test._dt_test.filename).name}'
    name = test.id().split('.')
    return f'{module}:unit:{name[-2]}.{name[-1]}'


def load(module, kind, patterns):
    import importlib
    import unittest
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = [p if '*' in p else f'*{p}*'
            for p in patterns]
    name = 'test_scenario' if kind == 'scenario' else 'test_module'
    try:
        package = importlib.import_module(
            f'trytond.modules.{module}.tests.{name}')
    except ModuleNotFoundError:
        return unittest.TestSuite()
    return loader.loadTestsFromModule(package)


def flatten(suite):
    import unittest
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from flatten(test)
        else:
            yield test


def adapt(test, hooks):
    "Run hooks before test; patches they start end with the test"
    from unittest import mock
    hooks = hooks if isinstance(hooks, list) else [hooks]

    def run_hooks():
        for hook in hooks:
            if hook.__code__.co_argcount:
                hook(test)
            else:
                hook()
    if hasattr(test, '_dt_test'):
        # doctest_teardown stops the patches
        set_up = test._dt_setUp

        def adapted_set_up(doctest):
            if set_up:
                set_up(doctest)
            run_hooks()
        test._dt_setUp = adapted_set_up
    else:
        method = getattr(test, test._testMethodName)

        def adapted(*args, **kwargs):
            run_hooks()
            try:
                return method(*args, **kwargs)
            finally:
                mock.patch.stopall()
        adapted.__doc__ = method.__doc__
        setattr(test, test._testMethodName, adapted)


def child(module, kind, patterns):
    import unittest
    patch_activation()
    tests = list(flatten(load(module, kind, patterns)))
    suite = unittest.TestSuite()
    for test in tests:
        tid = test_id(module, kind, test)
        case = f'{module}:{kind}:{type(test).__name__}'
        if case in SKIPPED:
            # the class is skipped: its set-up activates the module missing
            type(test).__unittest_skip__ = True
            type(test).__unittest_skip_why__ = SKIPPED[case]
        elif tid in SKIPPED:
            setattr(test, test._testMethodName, unittest.skip(
                    SKIPPED[tid])(getattr(test, test._testMethodName)))
        elif tid in ADAPTED:
            adapt(test, ADAPTED[tid][1])
        suite.addTest(test)
    result = unittest.TextTestRunner(
        stream=sys.stderr, verbosity=2).run(suite)
    report = {'ran': result.testsRun,
        'failed': sorted(test_id(module, kind, t)
            for t, _ in result.failures + result.errors),
        'skipped': sorted(test_id(module, kind, t)
            for t, _ in result.skipped),
        'tests': [test_id(module, kind, t) for t in tests],
        }
    print('REPORT ' + json.dumps(report))
    return 0 if result.wasSuccessful() else 1


# --------------------------------------------------------------- the parent

def run_suite(module, kind, patterns, env):
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, __file__, '--child', f'{module}:{kind}',
            *sum((['-k', p] for p in patterns), [])],
        cwd=ROOT, env=env, capture_output=True, text=True)
    output = result.stderr + result.stdout
    match = re.search(r'^REPORT (.*)$', result.stdout, re.M)
    report = json.loads(match.group(1)) if match else {
        'ran': 0, 'failed': [f'{module}:{kind}'], 'skipped': [],
        'tests': []}
    report['seconds'] = time.monotonic() - started
    adapted = [t for t in report['tests']
        if t in ADAPTED and t not in report['skipped']]
    report['adapted'] = adapted
    failed = len(report['failed'])
    skipped = len(report['skipped'])
    print(f"[tryton] {module}:{kind}: {report['ran']} ran, "
        f"{report['ran'] - failed - skipped} passed ({len(adapted)} adapted)"
        f", {skipped} skipped, {failed} failed "
        f"({report['seconds']:.0f} s) {'ok' if not failed else 'FAILED'}",
        flush=True)
    if failed or result.returncode:
        log = ROOT / 'test-artifacts' / f'tryton-{module}-{kind}.log'
        log.parent.mkdir(exist_ok=True)
        log.write_text(output)
        for tid in sorted(set(report['failed'])):
            print(f"    FAILED {tid}")
        print(f"    log: {log.relative_to(ROOT)}", flush=True)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--child')
    parser.add_argument('-k', dest='patterns', action='append', default=[],
        help="only the tests whose name matches")
    parser.add_argument('suites', nargs='*',
        help="module or module:kind (unit, scenario); default: all")
    args = parser.parse_args()
    if args.child == 'warm':
        patch_activation()
        from trytond.tests.tools import activate_modules
        activate_modules(JEWEL)
        return 0
    elif args.child:
        module, kind = args.child.split(':')
        return child(module, kind, args.patterns)

    suites = []
    for module in STANDARD:
        for kind in KINDS:
            if (not args.suites or module in args.suites
                    or f'{module}:{kind}' in args.suites):
                suites.append((module, kind))
    suites.sort(key=lambda s: -EXPECTED.get(f'{s[0]}:{s[1]}', 30))
    started = time.monotonic()
    from run import backend_env
    env = backend_env('sqlite')
    # One activation for all, before the suites copy it
    warm = subprocess.run([sys.executable, __file__, '--child', 'warm'],
        cwd=ROOT, env=env, capture_output=True, text=True)
    if warm.returncode:
        print(warm.stderr[-6000:])
        print("0 passed, 1 failed: the Jewel modules do not activate")
        return 1
    jobs = int(os.environ.get('JEWEL_TRYTON_JOBS', 2))
    with ThreadPoolExecutor(max(min(jobs, len(suites)), 1)) as pool:
        reports = list(pool.map(
                lambda s: run_suite(*s, args.patterns, env), suites))
    ran = sum(r['ran'] for r in reports)
    failed = sum(len(r['failed']) for r in reports)
    skipped = sum(len(r['skipped']) for r in reports)
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"make test-tryton: sqlite in {time.monotonic() - started:.0f} s "
        f"({usage.ru_utime + usage.ru_stime:.0f} s of processor)")
    print(f"{ran - failed - skipped} passed, {failed} failed, "
        f"{skipped} skipped")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
