# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The outbox of WhatsApp messages: queue tasks posting them, retries.

A message is sent at most once: it gets an idempotency key when created
(sent along as ``biz_opaque_callback_data``), and the outbox claims it
(``queued`` -> ``sending``) in a committed transaction before the HTTP call,
so a retried task, a second worker or a crash never posts it twice.  An
answer lost on the way (read timeout) leaves it ``sending`` and
unconfirmed: a status event carrying the key confirms it, or it fails after
a while with the reason, but it is never resent automatically.
"""
import datetime as dt
import json
import uuid

from sql import Cast, Literal, Null
from sql.conditionals import Case
from sql.functions import CurrentTimestamp, Function
from sql.operators import Concat

import trytond.config as config
from trytond import backend
from trytond.i18n import gettext
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.protocols.jsonrpc import JSONDecoder
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from jewel_crm.statistics import analyze

from .client import wa_id
from .message import STATUS_RANK
from .sending import post_requests

BATCH_SIZE = 200
# A message claimed that long ago without an answer is failed, not resent
UNCONFIRMED_AFTER = dt.timedelta(minutes=15)


class Message(metaclass=PoolMeta):
    __name__ = 'jewel.whatsapp.message'

    @classmethod
    def queue_templates(cls, account, template, recipients, campaign=None):
        """Queue template messages to recipients [(party id, E.164 phone,
        parameter values)], written set-based for large segments; return
        their ids"""
        pool = Pool()
        Conversation = pool.get('jewel.whatsapp.conversation')
        company_id = account.company.id
        conversations = Conversation.ensure(
            [r[0] for r in recipients], company_id)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        user = Transaction().user
        columns = [table.company, table.account, table.conversation,
            table.party, table.phone, table.direction, table.type,
            table.template, table.parameters, table.status,
            table.idempotency_key, table.attempts, table.unconfirmed,
            table.campaign, table.create_uid, table.create_date]
        keys = []
        rows = []
        for party_id, number, values in recipients:
            key = uuid.uuid4().hex
            keys.append(key)
            rows.append([company_id, account.id, conversations[party_id],
                    party_id, number, 'out', 'template', template.id,
                    cls.parameters.sql_format({'values': values}),
                    'queued', key, 0, False,
                    campaign.id if campaign else None, user,
                    CurrentTimestamp()])
        for chunk in grouped_slice(rows, 1000):
            cursor.execute(*table.insert(columns, list(chunk)))
        ids = []
        for chunk in grouped_slice(keys, 1000):
            cursor.execute(*table.select(table.id,
                    where=table.idempotency_key.in_(list(chunk))))
            ids.extend(i for i, in cursor)
        ids.sort()
        cls.enqueue(ids)
        return ids

    @classmethod
    def queue_campaign(cls, campaign, recipients, values):
        """Queue the template of campaign to recipients, a query of rows
        (party, name, phone) with one row per customer, in one INSERT ...
        SELECT (conversations are made likewise, queue tasks in one
        go); values are the template's parameter values, None standing for
        the customer's name.  Return the ids of the messages."""
        pool = Pool()
        Conversation = pool.get('jewel.whatsapp.conversation')
        table = cls.__table__()
        conversation = Conversation.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        Conversation.ensure_query(
            recipients.select(recipients.party), campaign.company.id)
        # unique: random for the launch, then the customer (once each)
        key_prefix = uuid.uuid4().hex[:20] + '-'
        columns = [table.company, table.account, table.conversation,
            table.party, table.phone, table.direction, table.type,
            table.template, table.parameters, table.status,
            table.idempotency_key, table.attempts, table.unconfirmed,
            table.campaign, table.create_uid, table.create_date]
        cursor.execute(*table.insert(columns,
                recipients.join(conversation,
                    condition=conversation.party == recipients.party
                    ).select(
                    Literal(campaign.company.id), Literal(campaign.account.id),
                    conversation.id, recipients.party, recipients.phone,
                    Literal('out'), Literal('template'),
                    Literal(campaign.template.id),
                    _json_values(values, recipients.name), Literal('queued'),
                    Concat(key_prefix, Cast(recipients.party, 'VARCHAR')),
                    Literal(0), Literal(False), Literal(campaign.id),
                    Literal(transaction.user), CurrentTimestamp())))
        cursor.execute(*table.select(table.id,
                where=table.campaign == campaign.id, order_by=[table.id]))
        ids = [i for i, in cursor]
        cls.enqueue(ids)
        # as many conversations at most: made for those who had none
        analyze({cls._table: len(ids), Conversation._table: len(ids),
                'ir_queue': len(ids)})
        return ids

    @classmethod
    def enqueue(cls, messages, delay=None):
        """Push the sending of messages (or ids) to the 'whatsapp' queue,
        one task (Message.deliver) per batch, all tasks created at once"""
        pool = Pool()
        Queue = pool.get('ir.queue')
        ids = [int(m) for m in messages]
        if not ids:
            return []
        transaction = Transaction()
        context = transaction.context.copy()
        # as ir.queue's caller does: what only concerns the pushing
        for key in ['queue_name', 'queue_scheduled_at', 'queue_expected_at',
                'queue_batch', '_check_access', 'language']:
            context.pop(key, None)
        scheduled_at = dt.datetime.now() + delay if delay else None
        with without_check_access():
            tasks = Queue.create([{
                        'name': 'whatsapp',
                        'data': {
                            'model': cls.__name__,
                            'method': 'deliver',
                            'user': transaction.user,
                            'context': context,
                            'instances': list(batch),
                            'args': [],
                            'kwargs': {},
                            },
                        'scheduled_at': scheduled_at,
                        } for batch in grouped_slice(ids, BATCH_SIZE)])
        database = transaction.database
        if database.has_channel():
            database.notify(transaction.connection, Queue.__name__, '')
        if not config.getboolean('queue', 'worker', default=False):
            transaction.tasks.extend(t.id for t in tasks)
        return tasks

    # --- outbox ----------------------------------------------------------

    @classmethod
    def deliver(cls, messages):
        """Queue task: send the queued messages among messages.

        Three steps so that nothing is posted twice: claim and commit,
        post, record and commit.  Claim and record are one UPDATE each for
        the batch (the record's carrying every wamid), so the database
        keeps up with the pace of the phone number."""
        claimed = cls._claim_queued([m.id for m in messages])
        if not claimed:
            return
        outcomes = cls._post_requests(claimed)
        cls._record_outcomes(outcomes)

    @classmethod
    def _claim_queued(cls, ids):
        """Mark the queued messages of ids as sending; return what to post.

        The rows are read with one SELECT of the columns posting needs and
        claimed with one UPDATE (the batch is locked meanwhile)."""
        pool = Pool()
        Account = pool.get('jewel.whatsapp.account')
        Template = pool.get('jewel.whatsapp.template')
        claims = []
        with cls._locked_transaction(ids) as claim:
            table = cls.__table__()
            cursor = claim.connection.cursor()
            cursor.execute(*table.select(table.id, table.account,
                    table.template, table.phone, table.type, table.body,
                    table.parameters, table.media_id, table.media_name,
                    table.media_type, table.attempts, table.idempotency_key,
                    Case((table.media == Null, False), else_=True),
                    where=table.id.in_(list(ids))
                    & (table.status == 'queued')
                    & (table.direction == 'out'),
                    order_by=[table.id]))
            rows = cursor.fetchall()
            accounts = {a.id: a for a in Account.browse(
                    list({r[1] for r in rows}))}
            templates = {t.id: t for t in Template.browse(
                    list({r[2] for r in rows if r[2] is not None}))}
            now = dt.datetime.now()
            invalid, sending = [], []
            for row in rows:
                message = _Queued(row, accounts, templates)
                try:
                    request = cls._posting(message)
                except ValidationError as error:
                    invalid.extend(([cls(message.id)], {
                                'status': 'failed',
                                'error_code': 'invalid',
                                'error_reason': error.message,
                                'attempts': message.attempts + 1,
                                'last_attempt_at': now,
                                }))
                    continue
                sending.append(message.id)
                claims.append(request)
            if sending:
                # the rows are locked: attempts + 1 is what was read
                cursor.execute(*table.update(
                        [table.status, table.attempts, table.last_attempt_at,
                            table.write_uid, table.write_date],
                        ['sending', table.attempts + 1,
                            cls.last_attempt_at.sql_format(now), claim.user,
                            CurrentTimestamp()],
                        where=table.id.in_(sending)
                        & (table.status == 'queued')))
            if invalid:
                cls.write(*invalid)
            claim.commit()
        return claims

    @classmethod
    def _locked_transaction(cls, ids):
        """A transaction of its own holding the rows of ids (SELECT FOR
        UPDATE on PostgreSQL), committed before any HTTP call"""
        return Transaction().new_transaction(
            _lock_records={cls._table: list(ids)})

    @classmethod
    def _posting(cls, message):
        """What posting message (a _Queued row) needs, read while its row
        is locked"""
        account = message.account
        payload = {'to': wa_id(message.phone), 'type': message.type,
            'biz_opaque_callback_data': message.idempotency_key}
        media = None
        if message.type == 'text':
            payload['text'] = {'preview_url': False, 'body': message.body}
        elif message.type == 'template':
            document = None
            if message.has_media or message.media_id:
                document = {'filename': message.media_name or 'file'}
                media = cls._media_to_upload(message, document)
            payload['template'] = message.template.payload(
                (message.parameters or {}).get('values', []), document)
        elif message.type in ('document', 'image'):
            part = {}
            if message.body:
                part['caption'] = message.body
            if message.type == 'document' and message.media_name:
                part['filename'] = message.media_name
            media = cls._media_to_upload(message, part)
            payload[message.type] = part
        return {
            'id': message.id,
            'attempts': message.attempts + 1,
            'max_attempts': account.max_attempts,
            'client': (account.api_base_url, account.api_version,
                account.phone_number_id, account.access_token or '',
                account.business_account_id),
            'rate': account.rate_limit,
            'timeout': account.timeout,
            'payload': payload,
            'media': media,
            }

    @classmethod
    def _media_to_upload(cls, message, part):
        """Put the media id in part when the file is uploaded already (a
        retry never uploads it again), else return the file to upload"""
        if message.media_id:
            part['id'] = message.media_id
            return None
        return (bytes(cls(message.id).media), message.media_name or 'file',
            message.media_type or 'application/octet-stream')

    @classmethod
    def _post_requests(cls, requests_):
        "Post each request, paced per phone number; return the outcomes"
        return post_requests(requests_)

    @classmethod
    def _record_outcomes(cls, outcomes):
        "Write what the API answered; retry later what may be retried"
        now = dt.datetime.now()
        retry = []
        accepted = [o for o in outcomes
            if 'error' not in o and not o.get('media_id')]
        others = [o for o in outcomes
            if 'error' in o or o.get('media_id')]
        with cls._locked_transaction([o['id'] for o in outcomes]) as record:
            if accepted:
                cls._record_accepted(accepted, now)
            by_id = {m.id: m for m in cls.browse([o['id'] for o in others])}
            to_write = []
            for outcome in others:
                message = by_id[outcome['id']]
                values = {}
                if outcome.get('media_id'):
                    values['media_id'] = outcome['media_id']
                error = outcome.get('error')
                if error is None:
                    values['wamid'] = outcome['wamid']
                    values['sent_at'] = now
                    values['unconfirmed'] = False
                    if STATUS_RANK['sent'] > STATUS_RANK[message.status]:
                        values['status'] = 'sent'
                elif message.status == 'sending':
                    # otherwise a status event has already settled it
                    values['error_code'] = str(error.code)
                    values['error_reason'] = error.reason
                    if error.unconfirmed:
                        values['unconfirmed'] = True
                    elif (error.retryable
                            and outcome['attempts'] < outcome['max_attempts']):
                        values['status'] = 'queued'
                        retry.append(message)
                    else:
                        values['status'] = 'failed'
                if values:
                    to_write.extend(([message], values))
            if to_write:
                cls.write(*to_write)
            if retry:
                attempts = max(m.attempts for m in retry)
                cls.enqueue(retry, delay=cls.backoff(attempts))
            record.commit()

    @classmethod
    def _record_accepted(cls, outcomes, now):
        """One UPDATE for the messages the API accepted: their wamid, and
        sent unless a status event has moved them further already"""
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        before_sent = [s for s, r in STATUS_RANK.items()
            if r < STATUS_RANK['sent']]
        for chunk in grouped_slice(outcomes, 500):
            chunk = list(chunk)
            cursor.execute(*table.update(
                    [table.wamid, table.sent_at, table.unconfirmed,
                        table.status, table.write_uid, table.write_date],
                    [Case(*((table.id == o['id'], o['wamid'])
                                for o in chunk)),
                        cls.sent_at.sql_format(now), False,
                        Case((table.status.in_(before_sent), 'sent'),
                            else_=table.status),
                        transaction.user, CurrentTimestamp()],
                    where=table.id.in_([o['id'] for o in chunk])))

    @classmethod
    def backoff(cls, attempts):
        "Wait before try attempts + 1: 2, 4, 8... seconds, at most 5 min"
        return dt.timedelta(seconds=min(2 ** attempts, 300))

    @classmethod
    def fail_unconfirmed(cls, older_than=UNCONFIRMED_AFTER):
        """Cron: fail messages claimed long ago and never confirmed (no
        answer, or the sender stopped); they are not resent automatically
        because WhatsApp may have delivered them"""
        limit = dt.datetime.now() - older_than
        messages = cls.search([
                ('status', '=', 'sending'),
                ('last_attempt_at', '<=', limit),
                ])
        for message in messages:
            message.status = 'failed'
            message.error_reason = gettext(
                'jewel_whatsapp.msg_message_unconfirmed',
                reason=message.error_reason or '-')
        cls.save(messages)
        return messages


class _Queued:
    "The columns of a queued message that posting it needs"
    __slots__ = ('id', 'account', 'template', 'phone', 'type', 'body',
        'parameters', 'media_id', 'media_name', 'media_type', 'attempts',
        'idempotency_key', 'has_media')

    def __init__(self, row, accounts, templates):
        (self.id, account, template, self.phone, self.type, self.body,
            parameters, self.media_id, self.media_name, self.media_type,
            self.attempts, self.idempotency_key, self.has_media) = row
        self.account = accounts[account]
        self.template = templates.get(template)
        if isinstance(parameters, str):
            # stored as text (SQLite), as fields.Dict reads it
            parameters = json.loads(parameters, object_hook=JSONDecoder())
        self.parameters = parameters
        self.has_media = bool(self.has_media)


def _json_values(values, name):
    """SQL of the parameters {"values": [...]} of a message, name (a
    column) standing for the None among values"""
    items = [name if v is None else Cast(Literal(str(v)), 'VARCHAR')
        for v in values]
    if backend.name == 'postgresql':
        return _JsonbObject(Cast(Literal('values'), 'VARCHAR'),
            _JsonbArray(*items))
    return _JsonObject(Literal('values'), _JsonArray(*items))


class _JsonbObject(Function):
    __slots__ = ()
    _function = 'JSONB_BUILD_OBJECT'


class _JsonbArray(Function):
    __slots__ = ()
    _function = 'JSONB_BUILD_ARRAY'


class _JsonObject(Function):
    __slots__ = ()
    _function = 'JSON_OBJECT'


class _JsonArray(Function):
    __slots__ = ()
    _function = 'JSON_ARRAY'
