# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A small client of Meta's WhatsApp Cloud API (Graph API) on requests.

Errors come back as ``{"error": {"message", "type", "code",
"error_data": {"details"}, "fbtrace_id"}}``; ``CloudAPIError`` keeps the
code and tells whether sending again is safe and useful (``retryable``).
"""
import hashlib
import hmac
import os
import re

import requests

# The pace of these calls (pace.py), importable along with the client
from .pace import Throttle  # noqa: F401

# Codes of errors worth retrying later: rate limits and temporary failures
RETRYABLE_CODES = {
    1, 2, 4, 17, 80007,    # API unknown / service / rate limits
    130429,                # Cloud API throughput reached
    131000,                # something went wrong
    131016,                # service unavailable
    131048,                # spam rate limit
    131056,                # pair rate limit (same recipient too often)
    133004,                # server temporarily unavailable
    }
# Codes whose failure is final whatever we do (window closed, undeliverable,
# invalid parameters, expired or missing token, template problems)
PERMANENT_CODES = {
    100, 190, 131008, 131009, 131026, 131047, 131051, 131052, 131053,
    132000, 132001, 132005, 132007, 132012, 132015, 132016, 368,
    }
TIMEOUT_CODE = 'timeout'
CONNECTION_CODE = 'connection'


class CloudAPIError(Exception):
    "An error answered by the Cloud API or met on the way to it"

    def __init__(self, code, title, details='', http_status=None,
            retryable=False, unconfirmed=False):
        super().__init__(code, title, details)
        self.code = code
        self.title = title
        self.details = details
        self.http_status = http_status
        self.retryable = retryable
        # The request may have reached WhatsApp: resending could duplicate
        self.unconfirmed = unconfirmed

    @property
    def reason(self):
        text = f"({self.code}) {self.title}"
        if self.details and self.details != self.title:
            text += f": {self.details}"
        return text

    @classmethod
    def from_response(cls, response):
        try:
            error = response.json().get('error') or {}
        except ValueError:
            error = {}
        code = error.get('code')
        title = error.get('error_user_title') or error.get('title') or (
            error.get('message') or response.reason or 'HTTP error')
        details = (error.get('error_data') or {}).get('details', '') \
            or error.get('message', '')
        if code is None:
            code = response.status_code
        # Graph API messages start with "(#code) "
        title = re.sub(r'^\(#\d+\)\s*', '', title)
        retryable = (code in RETRYABLE_CODES
            or (response.status_code >= 500 and code not in PERMANENT_CODES)
            or response.status_code == 429)
        return cls(code, title, details, http_status=response.status_code,
            retryable=retryable)


def wa_id(e164):
    "The Cloud API's form of a number: digits only"
    return ''.join(c for c in e164 or '' if c.isdigit())


def signature(secret, body):
    "The X-Hub-Signature-256 header value of body signed with secret"
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f'sha256={digest}'


def signature_valid(secret, body, header):
    if not secret or not header:
        return False
    return hmac.compare_digest(signature(secret, body), header.strip())


def new_session(base_url):
    """A requests session for calls to base_url, its connections kept
    alive.  What requests would look up in the environment on every call
    (proxies, CA bundle, .netrc) is resolved once here and trust_env is
    off, so that none of it is repeated per message."""
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    session.verify = (os.environ.get('REQUESTS_CA_BUNDLE')
        or os.environ.get('CURL_CA_BUNDLE') or True)
    session.trust_env = False
    return session


class CloudAPIClient:
    "Calls of one WhatsApp Business phone number"
    connect_timeout = 5
    read_timeout = 20

    def __init__(self, base_url, version, phone_number_id, token,
            business_account_id=None, session=None, read_timeout=None):
        self.base_url = base_url.rstrip('/')
        self.version = version.strip('/')
        self.phone_number_id = phone_number_id
        self.business_account_id = business_account_id
        self.token = token
        self.session = session or new_session(self.base_url)
        if read_timeout:
            self.read_timeout = read_timeout

    def url(self, *parts):
        return '/'.join([self.base_url, self.version, *map(str, parts)])

    @property
    def headers(self):
        return {'Authorization': f'Bearer {self.token}'}

    def _request(self, method, url, raw=False, **kwargs):
        kwargs.setdefault('timeout', (self.connect_timeout, self.read_timeout))
        try:
            response = self.session.request(
                method, url, headers=self.headers, **kwargs)
        except requests.exceptions.ConnectTimeout as error:
            raise CloudAPIError(CONNECTION_CODE, "Connection timed out",
                str(error), retryable=True) from error
        except requests.exceptions.ReadTimeout as error:
            raise CloudAPIError(TIMEOUT_CODE, "No answer from WhatsApp",
                str(error), unconfirmed=True) from error
        except requests.exceptions.ConnectionError as error:
            raise CloudAPIError(CONNECTION_CODE, "WhatsApp unreachable",
                str(error), retryable=True) from error
        if response.status_code >= 400:
            raise CloudAPIError.from_response(response)
        if raw:
            return response.content
        try:
            return response.json()
        except ValueError as error:
            raise CloudAPIError(response.status_code, "Unreadable answer",
                response.text[:200], http_status=response.status_code,
                unconfirmed=True) from error

    def send(self, payload):
        "POST a message; return its wamid"
        body = {'messaging_product': 'whatsapp',
            'recipient_type': 'individual', **payload}
        data = self._request(
            'POST', self.url(self.phone_number_id, 'messages'), json=body)
        try:
            return data['messages'][0]['id']
        except (KeyError, IndexError, TypeError) as error:
            raise CloudAPIError('answer', "Answer without message id",
                str(data)[:200], unconfirmed=True) from error

    def upload_media(self, content, filename, mimetype):
        "Upload a file; return the media id to send it with"
        data = self._request('POST', self.url(self.phone_number_id, 'media'),
            data={'messaging_product': 'whatsapp', 'type': mimetype},
            files={'file': (filename, content, mimetype)})
        return data['id']

    def download_media(self, media_id):
        """(content, MIME type) of a customer's file: its URL is asked
        first, then read with the token (the URL works only with it)"""
        data = self._request('GET', self.url(media_id))
        try:
            url = data['url']
        except (KeyError, TypeError) as error:
            raise CloudAPIError('answer', "Answer without media URL",
                str(data)[:200]) from error
        content = self._request('GET', url, raw=True)
        return content, data.get('mime_type')

    def templates(self, limit=100):
        "Yield every message template of the business account, page by page"
        url = self.url(self.business_account_id, 'message_templates')
        params = {'limit': limit,
            'fields': 'name,language,status,category,components'}
        while url:
            data = self._request('GET', url, params=params)
            yield from data.get('data', [])
            paging = data.get('paging') or {}
            after = (paging.get('cursors') or {}).get('after')
            # "next" only says there is a page after this one; ask our own
            # base URL for it so the token never goes to another host
            if paging.get('next') and after and data.get('data'):
                params = {**params, 'after': after}
            else:
                url = None
