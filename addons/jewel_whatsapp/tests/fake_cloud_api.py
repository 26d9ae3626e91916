# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A local stand-in for Meta's WhatsApp Cloud API, for tests and benches.

A real HTTP server on 127.0.0.1 (stdlib ``http.server`` in a thread)
answering the documented endpoints with the documented shapes:

- ``POST /<version>/<phone-number-id>/messages`` -> ``{"messaging_product",
  "contacts": [{"input", "wa_id"}], "messages": [{"id": "wamid..."}]}``
- ``POST /<version>/<phone-number-id>/media`` (multipart form:
  ``messaging_product=whatsapp``, ``file``) -> ``{"id"}``
- ``GET /<version>/<media-id>`` -> ``{"messaging_product", "url",
  "mime_type", "sha256", "file_size", "id"}``; ``GET <url>`` with the
  bearer token -> the file (uploaded ones and those put in ``media``)
- ``GET /<version>/<waba-id>/message_templates`` -> ``{"data": [...],
  "paging": {"cursors": {"before", "after"}, "next"}}``
- errors -> ``{"error": {"message", "type", "code", "error_data":
  {"messaging_product", "details"}, "fbtrace_id"}}``

Faults are injected per message (by its ``biz_opaque_callback_data``, one
fault per attempt) or for the next requests: an error code with its HTTP
status, a delay, a timeout (the answer comes too late, after the message
was or was not accepted) or a dropped connection.  Every request is
recorded, and every accepted message with the time it was accepted.
"""
import collections
import email.parser
import email.policy
import gc
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# code: (HTTP status, title, details) as the Cloud API answers them
ERRORS = {
    130429: (429, "Rate limit hit",
        "Cloud API message throughput has been reached."),
    131000: (500, "Something went wrong",
        "Message failed to send due to an unknown error."),
    131016: (503, "Service unavailable",
        "A service is temporarily unavailable."),
    131047: (400, "Re-engagement message",
        "Message failed to send because more than 24 hours have passed "
        "since the customer last replied to this number."),
    131026: (400, "Message undeliverable",
        "Unable to deliver message."),
    132000: (400, "Number of parameters does not match the expected number "
        "of params", "body: number of localizable_params (1) does not match "
        "the expected number of params (2)"),
    100: (400, "Invalid parameter", "Invalid parameter"),
    190: (401, "Access token has expired",
        "Error validating access token: Session has expired."),
    }


def error_body(code, title=None, details=None):
    status, default_title, default_details = ERRORS.get(
        code, (400, "Error", ""))
    title = title or default_title
    return status, {'error': {
            'message': f'(#{code}) {title}',
            'type': 'OAuthException',
            'code': code,
            'error_data': {'messaging_product': 'whatsapp',
                'details': details or default_details},
            'fbtrace_id': uuid.uuid4().hex[:22],
            }}


def sign(secret, body):
    "X-Hub-Signature-256 of body"
    return 'sha256=' + hmac.new(
        secret.encode(), body, hashlib.sha256).hexdigest()


def webhook(phone_number_id, statuses=(), messages=(), contacts=(),
        waba_id='WABA'):
    "A webhook body in the documented shape"
    value = {'messaging_product': 'whatsapp',
        'metadata': {'display_phone_number': '15550000000',
            'phone_number_id': phone_number_id}}
    if statuses:
        value['statuses'] = list(statuses)
    if messages:
        value['messages'] = list(messages)
        value['contacts'] = list(contacts)
    return {'object': 'whatsapp_business_account', 'entry': [{
                'id': waba_id, 'changes': [{
                        'value': value, 'field': 'messages'}]}]}


def status(wamid, status_, recipient, timestamp, key=None, errors=None):
    item = {'id': wamid, 'status': status_, 'timestamp': str(timestamp),
        'recipient_id': recipient}
    if key:
        item['biz_opaque_callback_data'] = key
    if errors:
        item['errors'] = errors
    return item


def inbound(wamid, sender, timestamp, type_='text', **content):
    return {'from': sender, 'id': wamid, 'timestamp': str(timestamp),
        'type': type_, type_: content}


class FakeCloudAPI:
    "Start with start(), stop with stop(); base_url for the accounts"

    def __init__(self, tokens=None, templates=None, rate_limit=None):
        # phone number id or WABA id -> token it accepts
        self.tokens = dict(tokens or {})
        self.templates = list(templates or [])
        self.rate_limit = rate_limit  # enforced per number when set
        self.lock = threading.Lock()
        self.requests = []
        self.accepted = collections.Counter()   # key -> times accepted
        self.accepted_at = []                   # (monotonic, number id)
        self.sent = []                          # accepted message bodies
        self.plan = {}                          # key -> [fault per attempt]
        self.next_faults = collections.deque()  # faults of next requests
        self.fault_for = None                   # callable(body) -> fault
        self.media = {}                         # id -> (content, mime, name)
        self.uploads = []                       # (number id, media id)
        self._window = collections.defaultdict(collections.deque)
        self._wamids = itertools.count(1)
        self.server = None

    # --- control -----------------------------------------------------------

    def start(self):
        api = self

        class Handler(_Handler):
            fake = api
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def base_url(self):
        host, port = self.server.server_address
        return f'http://{host}:{port}'

    def reset(self):
        with self.lock:
            self.requests.clear()
            self.accepted.clear()
            self.accepted_at.clear()
            self.sent.clear()
            self.plan.clear()
            self.next_faults.clear()
            self.uploads.clear()
            self._window.clear()

    def inject(self, *faults):
        "Faults for the next requests: ('error', code) ('timeout', s, accept)"
        self.next_faults.extend(faults)

    def max_in_window(self, seconds=1.0):
        "Most messages accepted within any window of seconds"
        times = sorted(t for t, _ in self.accepted_at)
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    def per_second(self):
        "Messages accepted in each second from the first one"
        times = sorted(t for t, _ in self.accepted_at)
        counts = collections.Counter(int(t - times[0]) for t in times)
        return [counts[s] for s in range(max(counts) + 1)] if times else []

    # --- behaviour ---------------------------------------------------------

    def _fault(self, body):
        key = (body or {}).get('biz_opaque_callback_data')
        with self.lock:
            if key in self.plan and self.plan[key]:
                return self.plan[key].pop(0)
            if self.next_faults:
                return self.next_faults.popleft()
        if self.fault_for:
            return self.fault_for(body)
        return None

    def _over_rate(self, number_id):
        if not self.rate_limit:
            return False
        now = time.monotonic()
        with self.lock:
            window = self._window[number_id]
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self.rate_limit:
                return True
            window.append(now)
        return False

    def accept(self, number_id, body):
        wamid = 'wamid.' + uuid.uuid4().hex.upper()
        with self.lock:
            self.accepted[body.get('biz_opaque_callback_data')] += 1
            self.accepted_at.append((time.monotonic(), number_id))
            self.sent.append({**body, 'id': wamid, 'number_id': number_id})
        return {'messaging_product': 'whatsapp',
            'contacts': [{'input': body['to'], 'wa_id': body['to']}],
            'messages': [{'id': wamid}]}

    def check_message(self, body):
        "The error code a malformed message earns, or None"
        if body.get('messaging_product') != 'whatsapp':
            return 100
        if not str(body.get('to', '')).isdigit():
            return 100
        type_ = body.get('type')
        part = body.get(type_)
        if type_ not in {'text', 'template', 'document', 'image'} \
                or not isinstance(part, dict):
            return 100
        if type_ == 'text' and not part.get('body'):
            return 100
        if type_ in {'document', 'image'} and not self._media_known(part):
            return 100
        if type_ == 'template':
            if not part.get('name') or not (
                    part.get('language') or {}).get('code'):
                return 100
            known = {(t['name'], t['language']): t for t in self.templates}
            template = known.get((part['name'], part['language']['code']))
            if template is not None:
                expected = template.get('parameter_count', 0)
                given = sum(len(c.get('parameters', []))
                    for c in part.get('components', [])
                    if c.get('type') == 'body')
                if expected != given:
                    return 132000
            for component in part.get('components', []):
                for parameter in component.get('parameters', []):
                    document = parameter.get('document')
                    if parameter.get('type') == 'document' and not (
                            isinstance(document, dict)
                            and self._media_known(document)):
                        return 100
        return None

    def _media_known(self, part):
        return part.get('id') in self.media or bool(part.get('link'))

    def upload(self, number_id, content_type, raw):
        """Store the file of a multipart upload: its media id, or None when
        the form lacks messaging_product=whatsapp or the file"""
        message = email.parser.BytesParser(
            policy=email.policy.HTTP).parsebytes(
            b'Content-Type: ' + content_type.encode() + b'\r\n\r\n' + raw)
        fields, upload = {}, None
        for part in message.iter_parts():
            name = part.get_param('name', header='content-disposition')
            if name == 'file':
                upload = (part.get_payload(decode=True),
                    part.get_content_type(), part.get_filename())
            else:
                fields[name] = part.get_content().strip()
        if fields.get('messaging_product') != 'whatsapp' or not upload:
            return None
        media_id = str(next(self._wamids) + 10 ** 15)
        with self.lock:
            self.media[media_id] = upload
            self.uploads.append((number_id, media_id))
        return media_id


class _Handler(BaseHTTPRequestHandler):
    fake = None
    protocol_version = 'HTTP/1.1'
    # An answer's headers and body leave at once (TCP_NODELAY): a client
    # keeping its connection alive is not held by the delayed ACK (~40 ms)
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def _reply(self, status, data):
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, code, title=None, details=None):
        self._reply(*error_body(code, title, details))

    def _authorized(self, owner):
        token = self.fake.tokens.get(owner)
        header = self.headers.get('Authorization', '')
        return token is not None and header == f'Bearer {token}'

    def _read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def _record(self, body):
        with self.fake.lock:
            self.fake.requests.append({'method': self.command,
                    'path': self.path, 'body': body,
                    'at': time.monotonic()})

    def do_GET(self):
        from urllib.parse import parse_qs, urlparse
        url = urlparse(self.path)
        parts = url.path.strip('/').split('/')
        self._record(None)
        if len(parts) == 2 and parts[0] == 'download':
            return self._download(parts[1])
        if len(parts) == 2:
            return self._media_url(parts[1])
        if len(parts) != 3 or parts[2] != 'message_templates':
            return self._error(100, "Unknown path")
        if not self._authorized(parts[1]):
            return self._error(190)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        limit = int(query.get('limit', 25))
        start = int(query.get('after', 0) or 0)
        page = self.fake.templates[start:start + limit]
        data = [{k: v for k, v in t.items() if k != 'parameter_count'}
            for t in page]
        paging = {'cursors': {'before': str(start),
                'after': str(start + len(page))}}
        if start + len(page) < len(self.fake.templates):
            paging['next'] = (f'https://graph.facebook.com{url.path}'
                f'?limit={limit}&after={start + len(page)}')
        self._reply(200, {'data': data, 'paging': paging})

    def _any_token(self):
        header = self.headers.get('Authorization', '')
        return header in {f'Bearer {t}' for t in self.fake.tokens.values()}

    def _media_url(self, media_id):
        if not self._any_token():
            return self._error(190)
        if media_id not in self.fake.media:
            return self._error(100, "Unknown media")
        content, mimetype, _ = self.fake.media[media_id]
        self._reply(200, {'messaging_product': 'whatsapp',
                'url': f'{self.fake.base_url}/download/{media_id}',
                'mime_type': mimetype,
                'sha256': hashlib.sha256(content).hexdigest(),
                'file_size': len(content), 'id': media_id})

    def _download(self, media_id):
        "The file itself: only with a token, like Meta's media URLs"
        if not self._any_token():
            self.send_response(401)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        if media_id not in self.fake.media:
            return self._error(100, "Unknown media")
        content, mimetype, _ = self.fake.media[media_id]
        self.send_response(200)
        self.send_header('Content-Type', mimetype)
        self.send_header('Content-Length', str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def do_POST(self):
        parts = self.path.strip('/').split('/')
        raw = self._read_body()
        if len(parts) != 3 or parts[2] not in {'messages', 'media'}:
            self._record(None)
            return self._error(100, "Unknown path")
        number_id = parts[1]
        if parts[2] == 'media':
            self._record({'media': len(raw)})
            if not self._authorized(number_id):
                return self._error(190)
            media_id = self.fake.upload(number_id,
                self.headers.get('Content-Type', ''), raw)
            if media_id is None:
                return self._error(100, "Invalid parameter",
                    "messaging_product and file are required")
            return self._reply(200, {'id': media_id})
        try:
            body = json.loads(raw)
        except ValueError:
            self._record(None)
            return self._error(100, "Invalid JSON")
        self._record(body)
        if not self._authorized(number_id):
            return self._error(190)
        fault = self.fake._fault(body)
        if fault:
            kind = fault[0]
            if kind == 'error':
                return self._error(*fault[1:])
            if kind == 'delay':
                time.sleep(fault[1])
            elif kind == 'timeout':
                seconds, accept = fault[1], fault[2]
                answer = self.fake.accept(number_id, body) if accept else None
                time.sleep(seconds)
                self.close_connection = True
                if answer:
                    try:
                        self._reply(200, answer)
                    except OSError:
                        pass
                return
            elif kind == 'drop':
                self.close_connection = True
                self.connection.shutdown(2)
                return
        code = self.fake.check_message(body)
        if code:
            return self._error(code)
        if self.fake._over_rate(number_id):
            return self._error(130429)
        self._reply(200, self.fake.accept(number_id, body))


def main():
    "Serve a fake API from its own process (benchmarks): prints base URL"
    import argparse
    import sys
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument('--token', action='append', default=[],
        help="owner=token (phone number id or WABA id)")
    parser.add_argument('--rate-limit', type=int)
    args = parser.parse_args()
    # What it records only grows (every request and message): the cyclic
    # collector's full passes over it would pause the server longer and
    # longer; its records hold no cycles to collect
    gc.disable()
    api = FakeCloudAPI(tokens=dict(t.split('=', 1) for t in args.token),
        rate_limit=args.rate_limit).start()
    print(api.base_url, flush=True)
    # Commands on stdin: "stats" prints the figures as JSON, "quit" stops
    for line in sys.stdin:
        command = line.strip()
        if command == 'stats':
            keys = api.accepted
            times = sorted(t for t, _ in api.accepted_at)
            print(json.dumps({
                        'accepted': sum(keys.values()),
                        'doubled': sum(1 for v in keys.values() if v > 1),
                        'requests': len(api.requests),
                        'max_in_second': api.max_in_window(1.0),
                        'first': times[0] if times else None,
                        'last': times[-1] if times else None,
                        'per_second': api.per_second(),
                        'cpu': time.process_time(),
                        }), flush=True)
        elif command == 'reset':
            api.reset()
            print('{}', flush=True)
        elif command == 'quit':
            break
    api.stop()


if __name__ == '__main__':
    main()
