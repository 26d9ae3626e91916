# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .showroom import ShowroomScoped


class Sale(ShowroomScoped, metaclass=PoolMeta):
    "Sales orders are scoped by the showroom (warehouse) they are sold from"
    __name__ = 'sale.sale'
    _showroom_field = 'warehouse'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.warehouse.domain = [
            cls.warehouse.domain,
            ('company', '=', Eval('company', -1)),
            ]
