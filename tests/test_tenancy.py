"""The tenancy matrix: a user of Mumbai Diamond House, through JSON-RPC,
against every model that holds tenant data.

The models come from ``jewel_crm.tenancy.tenant_models``: every model with
a company field, ours and Tryton's, and the children scoped through their
parent.  A model added by a later issue is in the matrix as soon as it has
its company field; it must then also have demo records of both businesses.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from server import RPCError, ServerTestCase  # noqa: E402

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


def _records_per_business(database, businesses):
    """Return {model: {business: [ids]}} and the Many2One references
    {target model: [(model, field)]}, read with the server's own code as
    root (no RPC, no access rules)."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from jewel_crm.ir import PLATFORM_PREFIXES, _guarded_references
    from jewel_crm.tenancy import tenant_models

    pool = Pool(database)
    pool.init()
    records, references, owners = {}, {}, {}
    with Transaction().start(database, 0, readonly=True):
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
            for fname, _ in _guarded_references(Model):
                target = Model._fields[fname].model_name
                references.setdefault(target, []).append((name, fname))
    return records, references, owners


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
        os.environ['TRYTOND_CONFIG'] = cls._server_config()
        from trytond import config
        config.update_etc(os.environ['TRYTOND_CONFIG'])
        cls.records, cls.references, cls.owners = _records_per_business(
            cls.server.database, [cls.A, cls.B])
        cls.intruder = cls.server.login('mumbai.admin')

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
