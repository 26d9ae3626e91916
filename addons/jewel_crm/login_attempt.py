# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Failed logins counted per login AND client network.

Tryton counts the failed attempts of a login whatever the address they come
from, so anyone who knows a login (``admin`` included) can keep its owner
out by failing ``[session] max_attempt`` times.  Here an attempt only counts
against the same login from the same client network (``[session]
ip_network_4``/``ip_network_6``: the address itself in IPv4, a /56 in IPv6
where one client holds a whole prefix), and a successful login clears only
the attempts of its own network, so the attacker's address stays throttled.
The address is the one trytond sees: behind a reverse proxy set ``[web]
num_proxies`` or every client shares the proxy's address (see trytond.conf).
"""
from sql.aggregate import Count

from trytond.pool import PoolMeta
from trytond.transaction import Transaction


class LoginAttempt(metaclass=PoolMeta):
    __name__ = 'res.user.login.attempt'

    @classmethod
    def _client_clause(cls, table, login, device_cookie):
        _, ip_network = Transaction().remote_address()
        # No address (a call from inside the server): those attempts share
        # one counter, as Tryton's own count does
        ip_network = str(ip_network) if ip_network else None
        return ((table.login == login[:cls.login.size])
            & (table.device_cookie == device_cookie)
            & (table.ip_network == ip_network))

    @classmethod
    def remove(cls, login, device_cookie=None):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.delete(
                where=cls._client_clause(table, login, device_cookie)))

    @classmethod
    def count(cls, login, device_cookie=None):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(Count(),
                where=cls._client_clause(table, login, device_cookie)
                & (table.create_date >= cls.delay())))
        return cursor.fetchone()[0]
