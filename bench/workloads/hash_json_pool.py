"""A ThreadPoolExecutor of 6 workers mixing hashlib (releases the GIL on large buffers) and json
(holds it) for SECONDS seconds.

Usage: python3 hash_json_pool.py [SECONDS]   (default 10)
"""
import concurrent.futures
import hashlib
import json
import random
import sys
import time

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
rng = random.Random(1)
DOCUMENT = {"users": [{"id": i, "name": f"user{i}", "tags": [rng.random() for _ in range(8)]} for i in range(300)]}
BLOBS = [rng.randbytes(size) for size in (1 << 12, 1 << 16, 1 << 20)]


def hash_task(i):
    digest = hashlib.sha256(BLOBS[i % len(BLOBS)]).hexdigest()
    return hashlib.blake2b(digest.encode() * 64).hexdigest()


def json_task(i):
    text = json.dumps(DOCUMENT)
    return len(json.loads(text)["users"]) + i


def main():
    deadline = time.monotonic() + SECONDS
    done = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        while time.monotonic() < deadline:
            futures = [pool.submit(hash_task if i % 3 else json_task, i) for i in range(60)]
            for future in concurrent.futures.as_completed(futures):
                future.result()
                done += 1
    print(f"{done} tasks", file=sys.stderr)


main()
