# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Malformed RPC calls answer with a short user error naming the argument.

The standard methods clients call on every model (search, search_count,
search_read, read, write, create, delete, copy, fields_get, default_get)
check the arguments a client sent before Tryton converts them into records
or SQL (rpc_check.py): their types, the fields they name, the shape and
size of domains and orders, ids and integers, NUL characters and lengths.
A search domain is bounded so that a 20,000-term OR is refused at once
instead of holding a server process.

The check sits in the RPC description of each method (trytond.rpc.RPC,
where Tryton itself checks the context and the size limits): it only sees
what came from a client (JSON-RPC, XML-RPC, proteus), never the calls the
server makes.  Every model gets it through a mixin registered on Model in
tryton.cfg; Tryton builds the mixed classes after its setup, so the mixin
puts the checking RPC entries in place when its class is created
(__init_subclass__).  What still escapes as a Python error is answered by
an error handler of the WSGI application (trytond.wsgi.app.error_handler)
with a short message naming the method, the details going to the log.
"""
import inspect

from trytond.exceptions import TrytonException
from trytond.i18n import gettext
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .rpc_access import check_ids, check_values, takes_values
from .rpc_check import MAX_FIELDS_LEVEL, Checker, MalformedCallError, show


# The checks of each method, with the method's arguments before the context

def check_search(checker, domain, offset=0, limit=None, order=None,
        count=False):
    checker.domain(domain)
    checker.integer(offset, 'offset', optional=True)
    checker.integer(limit, 'limit', optional=True)
    checker.order(order)
    checker.boolean(count, 'count')


def check_search_count(checker, domain, offset=0, limit=None):
    checker.domain(domain)
    checker.integer(offset, 'offset', optional=True)
    checker.integer(limit, 'limit', optional=True)


def check_search_read(checker, domain, offset=0, limit=None, order=None,
        fields_names=None):
    check_search_count(checker, domain, offset, limit)
    checker.order(order)
    checker.fields_names(fields_names, read=True, optional=True)


def check_read(checker, ids, fields_names):
    checker.ids(ids)
    checker.fields_names(fields_names, read=True)


def check_write(checker, *args):
    if not args or len(args) % 2:
        raise checker.error('write_pairs', count=len(args))
    for ids, values in zip(args[::2], args[1::2]):
        checker.ids(ids)
        checker.values(values)
        # before the model's own checks, whose errors name the records
        check_ids(checker, ids)


def check_create(checker, vlist):
    if not isinstance(vlist, (list, tuple)) or not all(
            isinstance(v, dict) for v in vlist):
        raise checker.error('vlist', argument='vlist', value=show(vlist))
    for values in vlist:
        checker.values(values, argument='vlist')


def check_delete(checker, ids):
    checker.ids(ids)
    # before the model's own checks, whose errors name the records
    check_ids(checker, ids)


def check_export_data(checker, ids, *args, **kwargs):
    checker.ids(ids)
    check_ids(checker, ids)


def check_copy(checker, ids, default=None):
    checker.ids(ids)
    if default is not None:
        if not isinstance(default, dict):
            raise checker.error('values', argument='default',
                value=show(default))
        for name in default:
            checker.field(checker.model, name, 'default')
        checker.text(default, 'default', 'default')


def check_fields_get(checker, fields_names=None, level=0):
    if fields_names is not None and (
            not isinstance(fields_names, (list, tuple))
            or not all(isinstance(n, str) for n in fields_names)):
        raise checker.error('fields_names', argument='fields_names',
            value=show(fields_names))
    checker.integer(level, 'level', maximum=MAX_FIELDS_LEVEL)


def check_default_get(checker, fields_names=None, with_rec_name=True,
        with_default=True):
    checker.fields_names(fields_names, optional=True)
    checker.boolean(with_rec_name, 'with_rec_name')
    checker.boolean(with_default, 'with_default')


CHECKS = {
    'search': check_search,
    'search_count': check_search_count,
    'search_read': check_search_read,
    'read': check_read,
    'write': check_write,
    'create': check_create,
    'delete': check_delete,
    'export_data': check_export_data,
    'copy': check_copy,
    'fields_get': check_fields_get,
    'default_get': check_default_get,
    }


class CheckedRPC(RPC):
    "An RPC entry checking what the client sent before converting it"
    __slots__ = ('method', 'check')

    @classmethod
    def wrap(cls, rpc, method, check):
        checked = cls.__new__(cls)
        for name in RPC.__slots__:
            setattr(checked, name, getattr(rpc, name))
        checked.method = method
        checked.check = check
        return checked

    def convert(self, obj, *args, **kwargs):
        arguments, context = list(args), kwargs.get('context')
        if 'context' not in kwargs and arguments:
            context = arguments.pop()
        language = None
        if isinstance(context, dict) and isinstance(
                context.get('language'), str):
            language = context['language']
        keywords = {k: v for k, v in kwargs.items() if k != 'context'}
        checker = Checker(obj, self.method)
        with Transaction().set_context(language=language):
            try:
                bound = inspect.signature(self.check).bind(
                    checker, *arguments, **keywords)
            except TypeError:
                parameters = list(
                    inspect.signature(self.check).parameters)[1:]
                raise checker.error('arguments',
                    arguments=', '.join(parameters))
            self.check(*bound.args, **bound.kwargs)
        return super().convert(obj, *args, **kwargs)


class RPCGuard:
    """Mixed into every model (tryton.cfg, register_mixin): its standard
    RPC methods check their arguments"""
    __slots__ = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        rpc = dict(getattr(cls, '__rpc__', {}))
        for method, check in CHECKS.items():
            if method in rpc and not isinstance(rpc[method], CheckedRPC):
                rpc[method] = CheckedRPC.wrap(rpc[method], method, check)
        for method, entry in rpc.items():
            if takes_values(method) and not isinstance(entry, CheckedRPC):
                rpc[method] = CheckedRPC.wrap(entry, method, check_values)
        cls.__rpc__ = rpc


def malformed_call_handler(app, request, exception):
    """Answer a Python error escaping a call with a short user error naming
    the method: its text and traceback are for the log (the dispatcher
    logged them), not for the client"""
    if (isinstance(exception, TrytonException) or app.dev
            # other routes (REST, webhooks) keep their own answers
            or not request.path.endswith('/rpc/')):
        return
    try:
        method = request.rpc_method
    except Exception:
        return
    database = (request.view_args or {}).get('database_name')
    if not database or not isinstance(method, str):
        return app.make_response(request, MalformedCallError(
                f"The call {show(method, 80)} could not be processed."))
    try:
        params = request.rpc_params
        context = params[-1] if isinstance(params, list) and params else {}
        language = context.get('language') if isinstance(
            context, dict) else None
        if not isinstance(language, str):
            language = None
        with Transaction().start(database, 0, readonly=True,
                context={'language': language}):
            error = MalformedCallError(gettext(
                    'jewel_crm.msg_rpc_malformed', method=show(method, 80)))
    except Exception:
        # no message table to translate from (e.g. a database being made)
        error = MalformedCallError(
            f"The call {show(method, 80)} could not be processed.")
    return app.make_response(request, error)


def register_error_handler():
    from trytond.wsgi import app
    if malformed_call_handler not in app.error_handlers:
        app.error_handler(malformed_call_handler)
