# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What a well-formed argument of a client's call is, field by field.

The Checker knows the shapes Tryton accepts (domains, orders, field names,
values and one2many/many2many actions) and the bounds the databases need:
ids and integers within PostgreSQL's integer, strings without NUL
(PostgreSQL cannot hold it), Char values of a sane length, search domains
of a bounded size and depth.  Each error names the argument and the field.
rpc_guard.py calls it before Tryton converts the arguments.
"""
import datetime as dt
from decimal import Decimal

from trytond.const import OPERATORS
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.pool import Pool

# SQLite refuses an expression deeper than 1000 and an OR of n conditions
# is n deep: 500 terms leave room for the rules and filters Tryton adds
MAX_DOMAIN_TERMS = 500
MAX_DOMAIN_DEPTH = 16
# Char fields without a size: longer values are a client's mistake
MAX_CHAR_LENGTH = 10_000
# PostgreSQL's integer: ids, many2one values, offsets and limits
MAX_INTEGER = 2 ** 31 - 1
MAX_BIGINT = 2 ** 63 - 1
MAX_FIELDS_LEVEL = 10

# The pseudo fields read() accepts besides the model's fields
READ_EXTRAS = {'_timestamp', '_write', '_delete', '__name__'}
# Fields Tryton maintains itself
NOT_WRITABLE = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date'}
LIKE_OPERATORS = {'like', 'not like', 'ilike', 'not ilike'}
TREE_OPERATORS = {'child_of', 'not child_of', 'parent_of', 'not parent_of'}
ORDER_DIRECTIONS = {f'{direction}{nulls}'
    for direction in ['ASC', 'DESC']
    for nulls in ['', ' NULLS FIRST', ' NULLS LAST']}
ACTIONS = {'create', 'write', 'delete', 'add', 'remove', 'copy'}
RELATIONAL = {'many2one', 'one2one', 'one2many', 'many2many'}
NUMBERS = {'integer', 'bigint', 'float', 'numeric'}
# Types a LIKE pattern means something for
LIKE_TYPES = {'char', 'text', 'selection', 'multiselection', 'reference',
    'dict', 'html', 'sha'} | RELATIONAL


class MalformedCallError(UserError):
    pass


def show(value, width=40):
    "A value as shown in a message: short, control characters escaped"
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + '...'


def is_integer(value, maximum=MAX_INTEGER):
    return (isinstance(value, int) and not isinstance(value, bool)
        and 0 <= value <= maximum)


def is_number(value, maximum=None):
    if isinstance(value, bool) or not isinstance(
            value, (int, float, Decimal)):
        return False
    if maximum is not None:
        return -maximum - 1 <= value <= maximum
    return True


def parses(parse, value):
    try:
        parse(value)
    except (TypeError, ValueError):
        return False
    return True


def is_date(value):
    if isinstance(value, str):
        return parses(dt.date.fromisoformat, value)
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def is_datetime(value):
    if isinstance(value, str):
        return parses(dt.datetime.fromisoformat, value)
    return isinstance(value, dt.datetime)


def is_time(value):
    if isinstance(value, str):
        return parses(dt.time.fromisoformat, value)
    return isinstance(value, dt.time)


def strings(value, limit=100_000):
    "The strings inside a value (keys included), bounded for safety"
    stack, seen = [value], 0
    while stack and seen < limit:
        item = stack.pop()
        seen += 1
        if isinstance(item, str):
            yield item
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())


class Checker:
    "Checks the arguments of one call to a model; errors name the argument"

    def __init__(self, model, method):
        self.model = model
        self.method = f'{model.__name__}.{method}'

    def error(self, message, **values):
        return MalformedCallError(gettext(
                f'jewel_crm.msg_rpc_{message}', method=self.method, **values))

    def ids(self, ids, argument='ids'):
        # the ids of a table query (a report's rows) may exceed integer
        if (not isinstance(ids, (list, tuple))
                or not all(isinstance(i, int) and is_number(i, MAX_BIGINT)
                    for i in ids)):
            raise self.error('ids', argument=argument, max=MAX_BIGINT)

    def integer(self, value, argument, maximum=MAX_INTEGER, optional=False):
        if value is None and optional:
            return
        if not is_integer(value, maximum):
            raise self.error('integer', argument=argument, max=maximum,
                value=show(value))

    def boolean(self, value, argument):
        if not isinstance(value, bool):
            raise self.error('boolean', argument=argument, value=show(value))

    def field(self, model, path, argument, reference=None):
        """The model and field path names from model, following relations
        (the field is None past a dict or an unnamed reference)"""
        start = model
        names = path.split('.') if isinstance(path, str) else [path]
        for position, name in enumerate(names):
            field = model._fields.get(name) if isinstance(name, str) else None
            if field is None or '\x00' in name:
                raise self.error('unknown_field', argument=argument,
                    field=show(path), model=start.__name__)
            if position == len(names) - 1:
                return model, field
            if field._type == 'reference' and reference:
                model = self.target_model(reference, argument)
            elif hasattr(field, 'get_target') and field._type != 'reference':
                model = field.get_target()
            elif field._type in {'dict', 'reference'}:
                return model, None
            else:
                raise self.error('unknown_field', argument=argument,
                    field=show(path), model=start.__name__)

    def target_model(self, name, argument):
        try:
            return Pool().get(name) if isinstance(name, str) else None
        except KeyError:
            raise self.error('unknown_model', argument=argument,
                model=show(name))

    def text(self, value, name, argument, maximum=None):
        for string in strings(value):
            if '\x00' in string:
                raise self.error('nul', argument=argument, field=name)
            if maximum is not None and len(string) > maximum:
                raise self.error('too_long', argument=argument, field=name,
                    length=len(string), max=maximum)

    # Domains

    def domain(self, domain, argument='domain'):
        if not isinstance(domain, (list, tuple)):
            raise self.error('domain', argument=argument, term=show(domain))
        terms = 0
        stack = [(self.model, domain, 1)]
        while stack:
            model, node, depth = stack.pop()
            if depth > MAX_DOMAIN_DEPTH:
                raise self.error('domain_too_deep', argument=argument,
                    max=MAX_DOMAIN_DEPTH)
            for position, term in enumerate(node):
                terms += 1
                if terms > MAX_DOMAIN_TERMS:
                    raise self.error('domain_too_big', argument=argument,
                        max=MAX_DOMAIN_TERMS)
                if isinstance(term, str):
                    if position or term not in {'AND', 'OR'}:
                        raise self.error('domain', argument=argument,
                            term=show(term))
                elif not isinstance(term, (list, tuple)):
                    raise self.error('domain', argument=argument,
                        term=show(term))
                elif (term and isinstance(term[0], str)
                        and term[0] not in {'AND', 'OR'}):
                    nested = self.condition(model, term, argument)
                    if nested:
                        stack.append((*nested, depth + 1))
                else:
                    stack.append((model, term, depth + 1))

    def condition(self, model, condition, argument):
        """Check [field, operator, value(, model or parent field)]; return
        the (model, domain) a where condition nests"""
        name = condition[0]
        if len(condition) < 3 or len(condition) > 4:
            raise self.error('condition', argument=argument, field=name,
                condition=show(condition))
        operator, value = condition[1], condition[2]
        if not isinstance(operator, str) or operator not in OPERATORS:
            raise self.error('operator', argument=argument, field=name,
                operator=show(operator))
        extra = condition[3] if len(condition) > 3 else None
        if extra is not None and not isinstance(extra, str):
            raise self.error('condition', argument=argument, field=name,
                condition=show(condition))
        reference = extra if operator not in TREE_OPERATORS else None
        target, field = self.field(model, name, argument, reference)
        self.text(value, name, argument, MAX_CHAR_LENGTH)
        if field is None:
            return
        if operator in {'where', 'not where'}:
            if (not isinstance(value, (list, tuple))
                    or field._type not in RELATIONAL | {'reference'}):
                raise self.error('value', argument=argument, field=name,
                    model=model.__name__, value=show(value))
            if field._type == 'reference':
                nested = self.target_model(extra, argument)
            else:
                nested = field.get_target()
            return (nested, value) if nested else None
        if operator in TREE_OPERATORS:
            # ids of the records whose tree is searched
            values = value if isinstance(value, (list, tuple)) else [value]
            if (not all(is_integer(v) for v in values)
                    or (field._type not in RELATIONAL
                        and name.rsplit('.', 1)[-1] != 'id')):
                raise self.error('value', argument=argument, field=name,
                    model=model.__name__, value=show(value))
            if extra is not None:
                # the parent field, on the records of the tree
                tree = (field.get_target() if field._type in RELATIONAL
                    else target)
                self.field(tree, extra, argument)
            return
        if operator in LIKE_OPERATORS:
            if field._type not in LIKE_TYPES or not isinstance(value, str):
                raise self.error('value', argument=argument, field=name,
                    model=model.__name__, value=show(value))
            return
        if operator in {'in', 'not in'}:
            values = value
            if not isinstance(values, (list, tuple)):
                raise self.error('value', argument=argument, field=name,
                    model=model.__name__, value=show(value))
        else:
            values = [value]
        for item in values:
            if item is not None and not self.searchable(field, item):
                raise self.error('value', argument=argument, field=name,
                    model=model.__name__, value=show(item))

    def searchable(self, field, value):
        "Whether the field can be compared with the value"
        type_ = field._type
        if type_ in RELATIONAL:
            # a string searches the record names
            return is_integer(value) or isinstance(value, str)
        if type_ == 'multiselection':
            return isinstance(value, str) or (isinstance(value, (list, tuple))
                and all(isinstance(v, str) for v in value))
        if type_ in {'dict', 'binary', 'reference'}:
            return True
        return self.storable(field, value)

    def storable(self, field, value):
        "Whether the value fits a non-relational field"
        type_ = field._type
        if type_ in {'char', 'text', 'html', 'sha'}:
            return isinstance(value, str)
        if type_ == 'selection':
            selection = field.selection
            if isinstance(selection, (list, tuple)):
                kinds = {type(k) for k, _ in selection if k is not None}
                return type(value) in (kinds or {str})
            return isinstance(value, str)
        if type_ == 'multiselection':
            return (isinstance(value, (list, tuple))
                and all(isinstance(v, str) for v in value))
        if type_ == 'boolean':
            return isinstance(value, bool)
        if type_ == 'integer':
            return is_number(value, MAX_INTEGER)
        if type_ == 'bigint':
            return is_number(value, MAX_BIGINT)
        if type_ in NUMBERS:
            return is_number(value)
        if type_ == 'date':
            return is_date(value)
        if type_ in {'datetime', 'timestamp'}:
            return is_datetime(value)
        if type_ == 'time':
            return is_time(value)
        if type_ == 'timedelta':
            return isinstance(value, dt.timedelta) or is_number(value)
        if type_ == 'binary':
            return isinstance(value, (bytes, bytearray, str))
        if type_ == 'dict':
            return isinstance(value, dict)
        if type_ == 'reference':
            return isinstance(value, (str, list, tuple))
        return True

    def order(self, order, argument='order'):
        if order is None:
            return
        if not isinstance(order, (list, tuple)):
            raise self.error('order', argument=argument, value=show(order))
        for item in order:
            if (not isinstance(item, (list, tuple)) or len(item) != 2
                    or not isinstance(item[0], str)):
                raise self.error('order', argument=argument,
                    value=show(item))
            name, direction = item
            self.field(self.model, name, argument)
            # no direction is ascending, as in Tryton
            if direction and (not isinstance(direction, str)
                    or direction.upper() not in ORDER_DIRECTIONS):
                raise self.error('order', argument=argument,
                    value=show(direction))

    # Field names and values

    def fields_names(self, names, argument='fields_names', read=False,
            optional=False):
        if names is None and optional:
            return
        if (not isinstance(names, (list, tuple))
                or not all(isinstance(n, str) for n in names)):
            raise self.error('fields_names', argument=argument,
                value=show(names))
        for name in names:
            if read and name in READ_EXTRAS:
                continue
            if read and name.endswith(':string'):
                name = name[:-len(':string')]
            if read:
                # sao asks the meta fields of x2many targets: 'lines._write'
                prefix, _, last = name.rpartition('.')
                if prefix and last in READ_EXTRAS:
                    name = prefix
                self.field(self.model, name, argument)
            elif name not in self.model._fields:
                raise self.error('unknown_field', argument=argument,
                    field=show(name), model=self.model.__name__)

    def values(self, values, model=None, argument='values'):
        model = model or self.model
        if not isinstance(values, dict):
            raise self.error('values', argument=argument, value=show(values))
        for name, value in values.items():
            field = model._fields.get(name) if isinstance(name, str) else None
            if field is None or '\x00' in name:
                raise self.error('unknown_field', argument=argument,
                    field=show(name), model=model.__name__)
            if name in NOT_WRITABLE:
                raise self.error('not_writable', argument=argument,
                    field=name, model=model.__name__)
            self.value(model, name, field, value, argument)

    def value(self, model, name, field, value, argument):
        type_ = field._type
        if type_ in {'one2many', 'many2many'}:
            self.actions(field, name, value, argument)
            return
        maximum = None
        if type_ == 'char':
            # also below a Char's own size: Tryton's message shows the value
            size = field.size if isinstance(field.size, int) else None
            maximum = min(size or MAX_CHAR_LENGTH, MAX_CHAR_LENGTH)
        self.text(value, name, argument, maximum)
        if value is None:
            return
        if type_ in {'many2one', 'one2one'}:
            valid = is_integer(value)
        elif type_ in {'integer', 'bigint'}:
            # a whole number: a search may compare with 1.5, a record not
            # store it
            valid = isinstance(value, int) and self.storable(field, value)
        else:
            valid = self.storable(field, value)
        if not valid:
            raise self.error('value', argument=argument, field=name,
                model=model.__name__, value=show(value))

    def actions(self, field, name, actions, argument):
        "The actions of a one2many or many2many value"
        if not actions:
            return
        target = field.get_target()

        def ids(value):
            return (isinstance(value, (list, tuple))
                and all(is_integer(i) for i in value))
        valid = isinstance(actions, (list, tuple))
        for action in actions if valid else []:
            if (not isinstance(action, (list, tuple)) or not action
                    or action[0] not in ACTIONS):
                valid = False
                break
            kind, args = action[0], list(action[1:])
            if kind == 'create':
                valid = len(args) == 1 and isinstance(args[0], (list, tuple))
                for values in args[0] if valid else []:
                    self.values(values, target, argument)
            elif kind == 'write':
                valid = (args and not len(args) % 2
                    and all(ids(i) for i in args[::2]))
                for values in args[1::2] if valid else []:
                    self.values(values, target, argument)
            elif kind == 'copy':
                valid = (1 <= len(args) <= 2 and ids(args[0])
                    and (len(args) == 1
                        or isinstance(args[1], (dict, type(None)))))
            else:
                valid = len(args) == 1 and ids(args[0])
            if not valid:
                break
        if not valid:
            raise self.error('actions', argument=argument, field=name,
                value=show(actions))
