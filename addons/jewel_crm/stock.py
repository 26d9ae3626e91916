# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC

from .company_field import TenantMixin, tenant_company_field


class Location(TenantMixin, metaclass=PoolMeta):
    """Warehouses are the showrooms of a company.

    Locations without company (customer, supplier, transit, the lost and
    found) stay shared by all tenants, as Tryton creates them once."""
    __name__ = 'stock.location'
    company = tenant_company_field()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.parent.domain = [
            cls.parent.domain or [],
            ['OR',
                ('company', '=', None),
                ('company', '=', Eval('company', -1)),
                ],
            ]
        cls.__rpc__['create_showroom'] = RPC(readonly=False)

    @classmethod
    def create_showroom(cls, name, company, code=None):
        """Create a showroom warehouse with its stock zone for company

        Return the id of the showroom."""
        company = int(company)
        showroom, = cls.create([{
                    'name': name,
                    'code': code,
                    'type': 'view',
                    'company': company,
                    'childs': [('create', [{
                                    'name': f"{name} Stock",
                                    'type': 'storage',
                                    'company': company,
                                    }])],
                    }])
        zone, = showroom.childs
        cls.write([showroom], {
                'type': 'warehouse',
                'input_location': zone.id,
                'output_location': zone.id,
                'storage_location': zone.id,
                })
        return showroom.id
