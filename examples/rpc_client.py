#!/usr/bin/env python3
"""Jewel CRM from another program: list customers over XML-RPC and JSON-RPC.

Only the Python standard library is needed.  Run against make run:

    python examples/rpc_client.py
    python examples/rpc_client.py --login mumbai.sales
    JEWEL_PORT=8001 python examples/rpc_client.py     # JEWEL_PORT=8001 make run

Each protocol logs in with common.db.login, which returns
(user id, session key, bus URL); every later call sends the header

    Authorization: Session base64(login:user_id:session_key)

and passes the user's context (from model.res.user.get_preferences) as the
last argument, so the server applies the user's company: a Jaipur login sees
only Jaipur's customers.
"""
import argparse
import base64
import http.client
import itertools
import json
import os
import socket
import sys
import urllib.error
import urllib.request
import xmlrpc.client

DEMO_PASSWORD = 'Jewel@Demo2026'
FIELDS = ['name', 'company.rec_name']
TIMEOUT = 60


class ClientError(Exception):
    "An error told to the user in one line"


class NotFound(ClientError):
    "HTTP 404: no such database on the server (or not a Tryton URL)"


def session_header(login, user_id, key):
    token = base64.b64encode(f'{login}:{user_id}:{key}'.encode()).decode()
    return f'Session {token}'


def customers(call, context, limit):
    """Count and read the customers with call(method, *params).

    The business, its staff and its artisans are parties too; customers are
    the parties marked as customers."""
    domain = [('is_customer', '=', True)]
    count = call('model.party.party.search_count', domain, 0, None, context)
    parties = call('model.party.party.search_read',
        domain, 0, limit or None, None, FIELDS, context)
    return count, parties


# --- XML-RPC ---------------------------------------------------------------

class SessionTransport(xmlrpc.client.Transport):
    "An XML-RPC transport that sends the Tryton session header"

    def __init__(self, authorization=None, **kwargs):
        super().__init__(**kwargs)
        self.authorization = authorization

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = TIMEOUT
        return connection

    def send_headers(self, connection, headers):
        if self.authorization:
            headers = [*headers, ('Authorization', self.authorization)]
        super().send_headers(connection, headers)


class SafeSessionTransport(SessionTransport, xmlrpc.client.SafeTransport):
    pass


def _xmlrpc_proxy(url, authorization=None):
    transport = (SafeSessionTransport if url.startswith('https:')
        else SessionTransport)(authorization)
    return xmlrpc.client.ServerProxy(url, transport=transport,
        allow_none=True, use_builtin_types=True)


def _xmlrpc_call(proxy, method, *params):
    try:
        return getattr(proxy, method)(*params)
    except xmlrpc.client.Fault as fault:
        if method == 'common.db.login':
            raise ClientError("login refused")
        raise ClientError(f"{method} failed: "
            f"{str(fault.faultString).strip().splitlines()[-1]}")
    except xmlrpc.client.ProtocolError as error:
        if error.errcode == 404:
            raise NotFound()
        if method == 'common.db.login' or error.errcode in {401, 403}:
            raise ClientError(f"login refused (HTTP {error.errcode})")
        raise ClientError(
            f"{method} failed: HTTP {error.errcode} {error.errmsg}")


def customers_xmlrpc(url, database, login, password, limit=10):
    rpc_url = f'{url}/{database}/rpc/'
    result = _xmlrpc_call(_xmlrpc_proxy(rpc_url), 'common.db.login',
        login, {'password': password}, 'en')
    if not result:
        raise ClientError("login refused")
    user_id, key = result[0], result[1]
    proxy = _xmlrpc_proxy(rpc_url, session_header(login, user_id, key))
    try:
        context = _xmlrpc_call(
            proxy, 'model.res.user.get_preferences', True, {})
        return customers(
            lambda method, *params: _xmlrpc_call(proxy, method, *params),
            context, limit)
    finally:
        try:
            _xmlrpc_call(proxy, 'common.db.logout')
        except ClientError:
            pass


# --- JSON-RPC --------------------------------------------------------------

class JSONRPC:
    "A JSON-RPC client for {url}/{database}/rpc/ with urllib"

    def __init__(self, url):
        self.url = url
        self.authorization = None
        self.ids = itertools.count(1)

    def __call__(self, method, *params):
        body = json.dumps({'id': next(self.ids), 'method': method,
                'params': list(params)}).encode()
        request = urllib.request.Request(self.url, data=body, method='POST',
            headers={'Content-Type': 'application/json'})
        if self.authorization:
            request.add_header('Authorization', self.authorization)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise NotFound()
            if method == 'common.db.login' or error.code in {401, 403}:
                raise ClientError(f"login refused (HTTP {error.code})")
            raise ClientError(f"{method} failed: HTTP {error.code} "
                f"{error.reason}")
        error = answer.get('error')
        if error:
            if method == 'common.db.login':
                raise ClientError("login refused")
            message = error[0] if isinstance(error, list) else error
            raise ClientError(f"{method} failed: "
                f"{str(message).strip().splitlines()[-1]}")
        return answer.get('result')


def customers_jsonrpc(url, database, login, password, limit=10):
    call = JSONRPC(f'{url}/{database}/rpc/')
    result = call('common.db.login', login, {'password': password}, 'en')
    if not result:
        raise ClientError("login refused")
    user_id, key = result[0], result[1]
    call.authorization = session_header(login, user_id, key)
    try:
        context = call('model.res.user.get_preferences', True, {})
        return customers(call, context, limit)
    finally:
        try:
            call('common.db.logout')
        except ClientError:
            pass


# --- Output ----------------------------------------------------------------

def describe(protocol, count, parties):
    companies = sorted({p.get('company.', {}).get('rec_name')
            for p in parties if p.get('company.')} - {None})
    business = ', '.join(companies) or 'no company'
    names = ', '.join(p['name'] for p in parties)
    more = f", ... ({count - len(parties)} more)" if count > len(parties) else ''
    return (f"{protocol}: {count} customers of {business}: "
        f"{names}{more}")


def default_url(environ=os.environ):
    """The server make run serves: JEWEL_HOST and JEWEL_PORT as
    python -m jewel serve reads them"""
    host = environ.get('JEWEL_HOST') or 'localhost'
    if host in {'0.0.0.0', '::'}:
        host = 'localhost'
    return f"http://{host}:{environ.get('JEWEL_PORT') or 8000}"


def parser():
    main = argparse.ArgumentParser(
        description="List Jewel CRM customers over XML-RPC and JSON-RPC")
    main.add_argument('--url', default=default_url(),
        help="server URL (default: %(default)s, from JEWEL_HOST and "
        "JEWEL_PORT)")
    main.add_argument('--database', default=os.environ.get('JEWEL_DB')
        or 'jewel',
        help="database name (default: %(default)s, from JEWEL_DB)")
    main.add_argument('--login', default='jaipur.sales',
        help="user login (default: %(default)s)")
    main.add_argument('--password', default=DEMO_PASSWORD,
        help="user password (default: the demo password)")
    main.add_argument('--limit', type=int, default=10,
        help="customers to list, 0 for all (default: %(default)s)")
    return main


def main(argv=None):
    args = parser().parse_args(argv)
    url = args.url.rstrip('/')
    try:
        for protocol, fetch in [('XML-RPC', customers_xmlrpc),
                ('JSON-RPC', customers_jsonrpc)]:
            count, parties = fetch(url, args.database, args.login,
                args.password, args.limit)
            print(describe(protocol, count, parties), flush=True)
    except NotFound:
        print(f"rpc_client: {protocol}: no database '{args.database}' at "
            f"{url} (HTTP 404)", file=sys.stderr)
        return 1
    except ClientError as error:
        print(f"rpc_client: {protocol}: {error}", file=sys.stderr)
        return 1
    except (OSError, http.client.HTTPException, socket.timeout,
            xmlrpc.client.Error, ValueError) as error:
        reason = getattr(error, 'reason', error)
        print(f"rpc_client: {protocol}: cannot reach {url}: {reason}",
            file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
