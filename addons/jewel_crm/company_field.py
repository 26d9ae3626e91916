# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The company field that makes a shared Tryton model tenant-scoped"
from sql.conditionals import Coalesce
from sql.operators import Equal

from trytond.model import Exclude, fields
from trytond.pool import Pool
from trytond.pyson import Eval, Get, If, In
from trytond.transaction import Transaction


def tenant_company_field(required=False):
    "A company Many2One defaulting to the user's current company"
    return fields.Many2One(
        'company.company', "Company", required=required, ondelete='RESTRICT',
        domain=[
            ('id', If(In('company', Eval('context', {})), '=', '!='),
                Get(Eval('context', {}), 'company', -1)),
            ],
        help="The business this record belongs to.")


class TenantMixin:
    "Give a standard model the company of the current user"
    __slots__ = ()
    # Names of standard SQL constraints replaced by per-company ones
    _replaced_constraints = ()

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        table = cls.__table_handler__(module)
        for name in cls._replaced_constraints:
            table.drop_constraint(name)

    @classmethod
    def make_unique_per_company(cls, old_name, new_name, columns, message):
        "Replace a database-wide exclusion constraint by a per-company one"
        table = cls.__table__()
        cls._sql_constraints = [
            c for c in cls._sql_constraints if c[0] != old_name]
        cls._sql_constraints.append((new_name,
                Exclude(table, *((c, Equal) for c in columns(table)),
                    (Coalesce(table.company, -1), Equal)),
                message))
        if old_name:
            cls._replaced_constraints = (
                *cls._replaced_constraints, old_name)

    @classmethod
    def restrict_parent_to_company(cls):
        cls.parent.domain = [
            cls.parent.domain or [],
            ('company', '=', Eval('company', -1)),
            ]

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        follow_company(cls)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


def follow_company(Model):
    """Company-dependent values (multivalues) follow the company of
    Model's records: the fields of Model leading to them get the record's
    company in their context"""
    from trytond.modules.company.model import CompanyMultiValueMixin
    for field in Model._fields.values():
        target = _target_class(field)
        if (target and issubclass(target, CompanyMultiValueMixin)
                and 'company' not in field.context):
            field.context = {
                **field.context, 'company': Eval('company', -1)}
            field.depends = set(field.depends) | {'company'}


def _target_class(field):
    "The class a relation field points to, even before the pool is set up"
    pool = Pool()
    field = getattr(field, '_field', field)
    try:
        if isinstance(field, fields.Many2Many):
            relation = pool.get(field.relation_name)
            return pool.get(getattr(relation, field.target).model_name)
        if isinstance(field, (fields.Many2One, fields.One2Many)):
            return pool.get(field.model_name)
    except (KeyError, AttributeError, TypeError):
        pass
    return None
