# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The WhatsApp webhook: Meta's verification handshake (GET) and signed
events (POST), answered at once; the events are processed in the queue."""
import json
import logging
from http import HTTPStatus

from werkzeug.exceptions import abort
from werkzeug.wrappers import Response

from trytond.protocols.wrappers import with_pool, with_transaction
from trytond.wsgi import app

from .client import signature_valid
from .webhook import MalformedEvent, parse_payload

logger = logging.getLogger(__name__)


@app.route('/<database_name>/jewel_whatsapp/webhook', methods=['GET'])
@with_pool
@with_transaction()
def webhook_verify(request, pool):
    Account = pool.get('jewel.whatsapp.account')
    mode = request.args.get('hub.mode')
    token = request.args.get('hub.verify_token')
    challenge = request.args.get('hub.challenge', '')
    if mode != 'subscribe' or not token or not Account.search(
            [('verify_token', '=', token)], limit=1):
        abort(HTTPStatus.FORBIDDEN)
    return Response(challenge, HTTPStatus.OK, content_type='text/plain')


@app.route('/<database_name>/jewel_whatsapp/webhook', methods=['POST'])
@with_pool
@with_transaction()
def webhook_event(request, pool):
    Account = pool.get('jewel.whatsapp.account')
    Event = pool.get('jewel.whatsapp.event')
    body = request.get_data(cache=True)
    try:
        items = parse_payload(json.loads(body))
    except (ValueError, MalformedEvent) as error:
        logger.info("WhatsApp webhook: malformed body (%s)", error)
        abort(HTTPStatus.BAD_REQUEST)
    header = request.headers.get('X-Hub-Signature-256')
    accounts = {}
    for number_id in {i[0] for i in items}:
        account = Account.for_phone_number_id(number_id)
        # Every number of the body must be signed with its own account's
        # secret: another business's number id is refused
        if not account or not signature_valid(account.app_secret, body,
                header):
            abort(HTTPStatus.FORBIDDEN)
        accounts[number_id] = account
    Event.store([(accounts[n], kind, item, contacts)
            for n, kind, item, contacts in items])
    return Response('OK', HTTPStatus.OK, content_type='text/plain')
