"""What the RPC-path tenancy matrix probes, found with the server's own code.

Run in the test process against the test server's database, as root and
without access rules, like ``_records_per_business`` in test_tenancy.py:
every probe comes from the pool (models, ``__rpc__``, buttons, on_change
fields, table queries, wizards and reports of our modules), so a model,
wizard or report added later is probed without editing the test.
"""
import hashlib
import inspect
from decimal import Decimal

OUR_MODULES = ('jewel_',)
# Strings shorter than this are too common to mean a leak ("Gold", "22K")
MIN_SECRET = 6
# Amounts below this are round figures that both businesses may share
MIN_AMOUNT = Decimal(100)
SECRET_FIELDS = ('rec_name', 'name', 'code', 'number', 'reference',
    'huid', 'phone', 'mobile', 'email', 'description', 'value')


def _pool(database):
    from trytond.pool import Pool
    # init() loads every module again: once per test process is enough
    if database not in _POOLS:
        _POOLS[database] = Pool(database)
        _POOLS[database].init()
    return _POOLS[database]


_POOLS = {}


def _our_models(pool, kind):
    "{name: module} of the ir.model/ir.action.* records of our modules"
    ModelData = pool.get('ir.model.data')
    if kind == 'model':
        IrModel = pool.get('ir.model')
        return {m.name: m.module for m in IrModel.search([])
            if (m.module or '').startswith(OUR_MODULES)}
    return {d.db_id: d.module for d in ModelData.search([
                ('model', '=', kind),
                ('module', 'like', 'jewel_%'),
                ])}


def _tenant_ids(pool, businesses, limit=None):
    from jewel_crm.tenancy import tenant_models
    Company = pool.get('company.company')
    companies = {c.party.name: c.id for c in Company.search([])}
    result = {}
    for name, path in tenant_models(pool):
        Model = pool.get(name)
        result[name] = {business: [r.id for r in Model.search(
                    [(path, '=', companies[business])],
                    limit=limit, order=[('id', 'ASC')])]
            for business in businesses}
    return companies, result


def _values(pool, model, ids):
    "Char and amount values of the records, read as root"
    from trytond.model import fields
    Model = pool.get(model)
    names = [f for f in SECRET_FIELDS if f in Model._fields]
    amounts = [n for n, f in Model._fields.items()
        if isinstance(f, fields.Numeric)
        and not isinstance(f, fields.Function)]
    strings, numbers = set(), set()
    for start in range(0, len(ids), 200):
        try:
            rows = Model.read(ids[start:start + 200], names + amounts)
        except Exception:
            rows = Model.read(ids[start:start + 200], ['rec_name'])
        for row in rows:
            for key, value in row.items():
                if isinstance(value, str):
                    strings.add(value.strip())
                elif isinstance(value, Decimal):
                    numbers.add(value.normalize())
    return strings, numbers


def discover(database, target, intruder):
    """Return the plan: the target's ids per model, the values that mean a
    leak, and every RPC path of the pool to probe."""
    from trytond.model import ModelSQL, ModelView, fields
    from trytond.transaction import Transaction
    from trytond.wizard import StateTransition, StateView

    from jewel_crm.ir import PLATFORM_PREFIXES, guarded_references

    pool = _pool(database)
    plan = {}
    with Transaction().start(database, 0, readonly=True):
        companies, every = _tenant_ids(pool, [target, intruder])
        plan['company'] = companies[target]
        plan['own_company'] = companies[intruder]
        Location = pool.get('stock.location')
        plan['warehouses'] = [w.id for w in Location.search([
                    ('type', '=', 'warehouse'),
                    ('company', '=', companies[target])])] or [None]
        plan['records'] = {m: {b: ids[:3] for b, ids in per.items()}
            for m, per in every.items()}

        # A leak is a value of the target that the intruder's business
        # does not have itself
        secrets, amounts = set(), set()
        own_strings, own_amounts = set(), set()
        for model, per in every.items():
            strings, numbers = _values(pool, model, per[target])
            secrets |= strings
            amounts |= numbers
            strings, numbers = _values(pool, model, per[intruder])
            own_strings |= strings
            own_amounts |= numbers
        # Company names are not a business's data: Tryton lists every
        # company (company.company has no record rule) and echoes the
        # context's company as the default of company fields
        Company = pool.get('company.company')
        for company in Company.search([]):
            own_strings.add(company.rec_name)
            own_strings.add(company.party.rec_name)
        plan['secrets'] = sorted(s for s in secrets - own_strings
            if len(s) >= MIN_SECRET and not s.isdigit())
        plan['amounts'] = sorted(str(a) for a in amounts - own_amounts
            if abs(a) >= MIN_AMOUNT)

        ours = _our_models(pool, 'model')
        plan['methods'] = {}
        plan['on_change'] = {}
        plan['table_queries'] = {}
        plan['references'] = {}
        plan['dotted'] = {}
        plan['history'] = {}
        for name, Model in pool.iterobject():
            if name.startswith(PLATFORM_PREFIXES):
                continue
            tenant = name in every
            if not (tenant or name in ours):
                continue
            if not issubclass(Model, ModelView):
                continue
            if tenant:
                # history_revisions fails before any read without history
                plan['history'][name] = bool(getattr(Model, '_history',
                        False))
                plan['methods'][name] = {
                    method: _arguments(Model, method, rpc)
                    for method, rpc in Model.__rpc__.items()}
                plan['references'][name] = [
                    (fname, field_target)
                    for fname, _ in guarded_references(Model)
                    for field_target in [Model._fields[fname].model_name]]
                plan['dotted'][name] = sorted(
                    f'{fname}.rec_name' for fname, field
                    in Model._fields.items()
                    if isinstance(field, (fields.Many2One, fields.One2Many,
                            fields.Many2Many))
                    and _target(field) in every)
            elif issubclass(Model, ModelSQL) and Model._is_table_query():
                plan['table_queries'][name] = sorted(
                    f for f, field in Model._fields.items()
                    if not isinstance(field, (fields.One2Many,
                            fields.Many2Many, fields.Binary))
                    and f not in ('create_uid', 'write_uid'))
            changes = sorted(f for f in Model._fields
                if hasattr(Model, f'on_change_{f}'))
            withs = sorted(f for f in Model._fields
                if hasattr(Model, f'on_change_with_{f}'))
            if changes or withs:
                plan['on_change'][name] = {
                    'on_change': changes,
                    'on_change_with': withs,
                    'references': {f: field.model_name
                        for f, field in Model._fields.items()
                        if isinstance(field, fields.Many2One)
                        and field.model_name in every},
                    }

        ActionWizard = pool.get('ir.action.wizard')
        wizards = []
        for action in ActionWizard.browse(
                list(_our_models(pool, 'ir.action.wizard'))):
            Wizard = pool.get(action.wiz_name, type='wizard')
            states = {}
            for state_name, state in Wizard.states.items():
                if isinstance(state, StateView):
                    View = pool.get(state.model_name)
                    states[state_name] = {
                        'kind': 'view',
                        'buttons': [b.state for b in state.buttons],
                        'references': {f: field.model_name
                            for f, field in View._fields.items()
                            if isinstance(field, fields.Many2One)
                            and field.model_name in every},
                        'multi': {f: _target(field)
                            for f, field in View._fields.items()
                            if isinstance(field, (fields.One2Many,
                                    fields.Many2Many))
                            and _target(field) in every},
                        }
                elif isinstance(state, StateTransition):
                    states[state_name] = {'kind': 'transition'}
            wizards.append({
                    'name': action.wiz_name,
                    'action': action.action.id,
                    'model': action.model or None,
                    'start': Wizard.start_state,
                    'end': Wizard.end_state,
                    'states': states,
                    })
        plan['wizards'] = sorted(wizards, key=lambda w: w['name'])

        ActionReport = pool.get('ir.action.report')
        reports = []
        for action in ActionReport.browse(
                list(_our_models(pool, 'ir.action.report'))):
            try:
                pool.get(action.report_name, type='report')
            except KeyError:
                continue
            reports.append({
                    'name': action.report_name,
                    'action': action.action.id,
                    'model': action.model or None,
                    })
        plan['reports'] = sorted(reports, key=lambda r: r['name'])
    return plan


# Arguments given to an RPC method from its parameter names, pointing at
# the target's records; an unknown parameter gets None.
def _arguments(Model, method, rpc):
    "Return the kind of call and the parameter names after the records"
    function = getattr(Model, method, None)
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    names = [p.name for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        and p.default is inspect.Parameter.empty
        and p.name not in ('self', 'cls')]
    instantiate = rpc.instantiate
    if isinstance(instantiate, slice):
        instantiate = 'slice'
    return {'instantiate': instantiate, 'readonly': rpc.readonly,
        'parameters': names}


class Rows:
    """The target's rows of every tenant model, read from the database as
    root: ``changes()`` names the models whose target rows were created,
    changed or deleted since the last call, and those where a record of
    another tenant now points at one of the target's records."""

    def __init__(self, database, target):
        from jewel_crm.tenancy import tenant_models
        self.database = database
        self.target = target
        self.pool = _pool(database)
        with self._transaction():
            self.paths = dict(tenant_models(self.pool))
            self.company = _tenant_ids(self.pool, [target])[0][target]
            self.ids = {m: set(self._search(m, [])) for m in self.paths}
            self.tables = self._tables()
            self.digests = {m: self._digest(m) for m in self.paths}
            self.crossing = {m: self._crossing(m) for m in self.paths}

    def _transaction(self):
        from trytond.transaction import Transaction
        return Transaction().start(self.database, 0, readonly=True)

    def _cursor(self):
        from trytond.transaction import Transaction
        return Transaction().connection.cursor()

    def _search(self, model, domain):
        Model = self.pool.get(model)
        return [r.id for r in Model.search(
                [(self.paths[model], '=', self.company)] + domain,
                order=[('id', 'ASC')])]

    def _tables(self):
        "A digest of every row of the tables: the cheap test of a change"
        cursor = self._cursor()
        digests = {}
        for model in self.paths:
            table = self.pool.get(model)._table
            if table not in digests:
                cursor.execute(f'SELECT * FROM "{table}" ORDER BY id')
                digests[table] = hashlib.sha256(
                    repr(cursor.fetchall()).encode()).hexdigest()
        return digests

    def _digest(self, model):
        "The target's rows, those known at the start and any new one"
        known = max(self.ids[model], default=0)
        ids = self.ids[model] | set(self._search(model, [('id', '>', known)]))
        cursor = self._cursor()
        cursor.execute(
            f'SELECT * FROM "{self.pool.get(model)._table}" ORDER BY id')
        column = [d[0] for d in cursor.description].index('id')
        rows = [row for row in cursor if row[column] in ids]
        return hashlib.sha256(repr(rows).encode()).hexdigest()

    def _crossing(self, model):
        "Records of other tenants pointing at the target's records"
        from jewel_crm.ir import guarded_references
        Model = self.pool.get(model)
        found = set()
        for fname, _ in guarded_references(Model):
            target = Model._fields[fname].model_name
            if target not in self.ids or not self.ids[target]:
                continue
            for record in Model.search([
                        (fname, 'in', list(self.ids[target])),
                        ['OR',
                            (self.paths[model], '!=', self.company),
                            (self.paths[model], '=', None)],
                        ]):
                found.add((record.id, fname))
        return found

    def changes(self):
        "Return ([models changed], [models with new crossing references])"
        changed, crossing = [], []
        with self._transaction():
            tables = self._tables()
            for model in sorted(self.paths):
                table = self.pool.get(model)._table
                if tables[table] == self.tables[table]:
                    continue
                digest = self._digest(model)
                if digest != self.digests[model]:
                    changed.append(model)
                    self.digests[model] = digest
                found = self._crossing(model)
                if found - self.crossing[model]:
                    crossing.append(model)
                self.crossing[model] = found
            self.tables = tables
        return changed, crossing


def _target(field):
    "The model name a relation field leads to"
    try:
        return field.get_target().__name__
    except Exception:
        return None


def _id_column(cursor):
    return [d[0] for d in cursor.description].index('id')
