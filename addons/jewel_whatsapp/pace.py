# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The pace of the calls to the Cloud API: WhatsApp refuses a phone
number's messages above its rate, so the senders of a process share one
pace per number."""
import collections
import contextlib
import threading
import time


class Throttle:
    """Paces calls to at most `rate` a second per key (a phone number).

    Two rules, both per key:

    - calls start 1 / (rate * margin) apart (an even pace, which makes up
      for at most `catch_up` seconds of calls missed in a stall);
    - a call starts only when fewer than `rate` calls are in flight or
      ended less than a second ago.  The receiver accepts a call between
      its start and its end, so for any window of one second at the
      receiver, the last call started in it saw every other call of the
      window in flight or ended within the second: no window ever holds
      more than `rate` calls, however late threads wake up or answers
      come back.

    Use ``with Throttle.call(key, rate): ...`` around the request."""
    _lock = threading.Lock()
    _next = {}
    _in_flight = collections.Counter()
    _ended = {}

    # The even pace, a little under the limit so that the second rule
    # (which waits) rarely has to
    margin = 0.99
    # At most that many seconds of missed calls are made up for
    catch_up = 0.05

    @classmethod
    @contextlib.contextmanager
    def call(cls, key, rate):
        if not rate or rate <= 0:
            yield
            return
        cls._start(key, rate)
        try:
            yield
        finally:
            with cls._lock:
                cls._in_flight[key] -= 1
                cls._ended.setdefault(key, collections.deque()).append(
                    time.monotonic())

    @classmethod
    def _start(cls, key, rate):
        interval = 1.0 / (rate * cls.margin)
        with cls._lock:
            now = time.monotonic()
            # slots missed by a short stall (threads late, answers slow)
            # are taken back; the second rule still caps every second
            slot = max(cls._next.get(key, now), now - cls.catch_up)
            cls._next[key] = slot + interval
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        while True:
            with cls._lock:
                now = time.monotonic()
                ended = cls._ended.setdefault(key, collections.deque())
                while ended and ended[0] <= now - 1.0:
                    ended.popleft()
                if cls._in_flight[key] + len(ended) < rate:
                    cls._in_flight[key] += 1
                    return
                # wait for the oldest end to leave the second (or a call
                # in flight to end)
                delay = (ended[0] + 1.0 - now) if ended else 0.001
            time.sleep(max(delay, 0.0005))

    @classmethod
    def reset(cls, key=None):
        with cls._lock:
            if key is None:
                cls._next.clear()
                cls._ended.clear()
            else:
                cls._next.pop(key, None)
                cls._ended.pop(key, None)
