"""Bursts of failed sign-ins against a running instance, its resident memory sampled.

    python3 scripts/login_burst.py PID PORT BURSTS PER_BURST SETTLE_SECS

Each burst is PER_BURST parallel `POST /api/v1/auth/token` with unknown usernames, each
from its own loopback address (127.x.y.z, so the per-address limit does not turn them
away before they hash). Prints the idle RSS of process PID, each burst's answers and
peak, the peak over all bursts and the RSS SETTLE_SECS after the last. Used by
scripts/login-burst and scripts/bench; targets loopback only.
"""
import collections, http.client, sys, threading, time, urllib.parse

pid, port, bursts, per_burst, settle = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3:6])

def rss_mb():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

def sign_in(burst, n, answers):
    body = urllib.parse.urlencode({"grant_type": "password", "username": f"nobody-{burst}-{n}", "password": "wrong password"})
    source = f"127.{10 + burst}.{n // 250}.{n % 250 + 1}"
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
        conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/x-www-form-urlencoded"})
        status = conn.getresponse().status
        conn.close()
    except Exception as error:
        status = type(error).__name__
    answers.append((status, time.monotonic() - started))

idle = rss_mb()
print(f"idle RSS: {idle:.1f} MB")
overall_peak = idle
for burst in range(bursts):
    answers, peak, done = [], [rss_mb()], threading.Event()
    def sample():
        while not done.is_set():
            peak.append(rss_mb())
            time.sleep(0.05)
    sampler = threading.Thread(target=sample)
    sampler.start()
    threads = [threading.Thread(target=sign_in, args=(burst, n, answers)) for n in range(per_burst)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    done.set()
    sampler.join()
    counts = collections.Counter(status for status, _ in answers)
    slowest = max(seconds for _, seconds in answers)
    overall_peak = max(overall_peak, max(peak))
    print(f"burst {burst + 1}: {per_burst} sign-ins in {took:.2f} s, slowest {slowest:.2f} s, "
          f"peak RSS {max(peak):.1f} MB, answers {dict(sorted(counts.items(), key=str))}")
    time.sleep(2)
time.sleep(settle)
after = rss_mb()
print(f"peak RSS over all bursts: {overall_peak:.1f} MB")
print(f"RSS {settle} s after the last burst: {after:.1f} MB ({(after - idle) / idle * 100:+.0f} % of idle)")
