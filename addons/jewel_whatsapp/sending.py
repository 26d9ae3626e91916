# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Posting the claimed messages to the Cloud API, outside any transaction:
threads shared by the queue tasks of a process, each keeping its HTTP
sessions alive, paced per phone number (pace.py).

A request is what outbox.py read from a locked message row: a dict with
``id``, ``attempts``, ``max_attempts``, ``client`` (base URL, version,
phone number id, token, business account id), ``rate``, ``timeout``,
``payload`` and ``media`` ((content, name, MIME type) to upload first, or
None).  Its outcome keeps ``id``, ``attempts`` and ``max_attempts`` and
adds ``wamid``, ``media_id`` (uploaded) or ``error`` (a CloudAPIError).
"""
import gc
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from .client import CloudAPIClient, CloudAPIError, new_session
from .pace import Throttle

# Threads posting messages, shared by the tasks of a process; the pace per
# phone number keeps them under the account's rate
SEND_THREADS = 16

_sending = threading.local()
_pool_lock = threading.Lock()
_pool = {}


def post_requests(requests_):
    "Post each request, paced per phone number; return the outcomes"
    if len(requests_) <= 1:
        return [_post(r) for r in requests_]
    return list(_senders().map(_post, requests_))


def _post(request):
    base_url, version, number_id, token, waba = request['client']
    client = CloudAPIClient(base_url, version, number_id, token,
        business_account_id=waba, session=_session(base_url),
        read_timeout=request['timeout'])
    outcome = {'id': request['id'], 'attempts': request['attempts'],
        'max_attempts': request['max_attempts']}
    try:
        payload = request['payload']
        if request['media']:
            content, name, mimetype = request['media']
            outcome['media_id'] = client.upload_media(content, name, mimetype)
            _set_media_id(payload, outcome['media_id'])
        with Throttle.call(number_id, request['rate']):
            outcome['wamid'] = client.send(payload)
    except CloudAPIError as error:
        outcome['error'] = error
    return outcome


def _senders():
    """The threads posting messages, shared by the tasks of a process (a
    forked worker makes its own)"""
    pid = os.getpid()
    with _pool_lock:
        if pid not in _pool:
            _pool.clear()
            _freeze_loaded_heap()
            _pool[pid] = ThreadPoolExecutor(
                SEND_THREADS, thread_name_prefix='whatsapp-send')
        return _pool[pid]


def _freeze_loaded_heap():
    """Keep what the process has loaded out of the cyclic garbage
    collector's scans.  At the first batch of a worker process Tryton's
    pool is loaded and stays for the life of the process; scanning it
    gains nothing, and each full pass holds the GIL long enough to stall
    every sender, which the pace cannot make up for."""
    gc.freeze()


def _session(base_url):
    """The requests session of this thread for base_url: kept between
    batches, its connections stay alive (no TCP and TLS handshake per
    message)"""
    sessions = getattr(_sending, 'sessions', None)
    if sessions is None:
        sessions = _sending.sessions = {}
    if base_url not in sessions:
        sessions[base_url] = new_session(base_url)
    return sessions[base_url]


def _set_media_id(payload, media_id):
    "Point the file of a message payload to the uploaded media"
    if payload['type'] == 'template':
        for component in payload['template']['components']:
            if component['type'] == 'header':
                component['parameters'][0]['document']['id'] = media_id
    else:
        payload[payload['type']]['id'] = media_id
