# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Workshop documents numbered from their sequence when created"
from trytond.pool import Pool


class NumberedMixin:
    """Set ``number`` from the jewel_workshop sequence whose XML id is
    ``_number_sequence`` when a record is created without one"""
    __slots__ = ()
    _number_sequence = None

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        return super().copy(records, default=default)

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            values['number'] = Sequence(ModelData.get_id(
                    'jewel_workshop', cls._number_sequence)).get()
        return values
