"""Private documents: encrypted upload and download against plain storage, in the same run.

    .venv/bin/python bench/documents_bench.py --size-mb 20
    .venv/bin/python bench/documents_bench.py --size-mb 200

Each mode runs in its own fresh process (so one cannot inflate the other's peak memory) and does
what the site does for a document, through Django's storage API on local disk:

- encrypted: check the file's type from its bytes, encrypt it in 1 MiB AES-GCM chunks straight into
  storage (accounts.crypto.EncryptingReader), then read it back through accounts.crypto.decrypt_chunks;
- plain: storage.save() of the same file, then read it back in the same chunk size.

Both hash what they read back and must match the source. Reported: seconds, MB/s, and the rise of the
process's peak resident memory (VmHWM) over its level after start-up. Results go to
bench/documents_results.json.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 1024 * 1024


def peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_mode(mode: str, source: Path, workdir: Path, repeat: int) -> dict:
    """Runs inside the child process."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mycarebudget.settings.test")
    import django
    from django.conf import settings

    django.setup()
    from django.core.files import File
    from django.core.files.storage import FileSystemStorage

    from accounts import crypto, filetypes
    from accounts.services import _EncryptedFile

    settings.DOCUMENT_KEY_FILE = str(workdir / "bench.key")
    storage = FileSystemStorage(location=str(workdir / mode), base_url=None)
    size = source.stat().st_size
    # Warm up (imports, OpenSSL) outside the timings; then the best of `repeat` runs, since this
    # machine's other work makes single timings noisy.
    warm = crypto.EncryptingReader(io.BytesIO(b"x"), data_key=crypto.new_data_key(), aad=b"w", size=1)
    warm.read()
    baseline = peak_rss_kib()
    upload_seconds = download_seconds = float("inf")
    for attempt in range(repeat):
        started = time.perf_counter()
        with source.open("rb") as plain:
            if mode == "encrypted":
                filetypes.identify(plain, name=source.name)
                keyring = crypto.load_keyring()
                data_key = crypto.new_data_key()
                aad = crypto.document_aad(uuid.uuid4(), 1, 1)
                crypto.wrap_key(data_key, aad=aad, keyring=keyring)
                reader = crypto.EncryptingReader(plain, data_key=data_key, aad=aad, size=size)
                name = storage.save(f"blob{attempt}", _EncryptedFile(reader, name="blob"))
            else:
                name = storage.save(f"blob{attempt}", File(plain, name="blob"))
        upload_seconds = min(upload_seconds, time.perf_counter() - started)

        started = time.perf_counter()
        digest = hashlib.sha256()
        with storage.open(name, "rb") as stored:
            if mode == "encrypted":
                for chunk in crypto.decrypt_chunks(stored, data_key=data_key, aad=aad):
                    digest.update(chunk)
            else:
                while chunk := stored.read(CHUNK):
                    digest.update(chunk)
        download_seconds = min(download_seconds, time.perf_counter() - started)
        stored_bytes = storage.size(name)
        storage.delete(name)
    return {"mode": mode, "size_bytes": size, "stored_bytes": stored_bytes, "repeats": repeat,
            "upload_seconds": round(upload_seconds, 3), "download_seconds": round(download_seconds, 3),
            "upload_mb_per_s": round(size / 1e6 / upload_seconds, 1),
            "download_mb_per_s": round(size / 1e6 / download_seconds, 1),
            "peak_rss_rise_mib": round((peak_rss_kib() - baseline) / 1024, 1),
            "sha256": digest.hexdigest()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="runs per mode; the best is reported")
    parser.add_argument("--child", choices=["encrypted", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--output", default=str(ROOT / "bench" / "documents_results.json"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_mode(args.child, Path(args.source), Path(args.workdir), args.repeat)))
        return 0

    with tempfile.TemporaryDirectory(prefix="mcb-docbench-") as directory:
        workdir = Path(directory)
        source = workdir / "statement.pdf"
        digest = hashlib.sha256()
        with source.open("wb") as handle:  # a PDF header, then random (incompressible) bytes
            first = b"%PDF-1.7\n" + os.urandom(CHUNK - 9)
            handle.write(first)
            digest.update(first)
            for _ in range(args.size_mb - 1):
                block = os.urandom(CHUNK)
                handle.write(block)
                digest.update(block)
        (workdir / "bench.key").write_text(f"kbench:{base64.b64encode(os.urandom(32)).decode()}\n")
        results = []
        for mode in ("plain", "encrypted"):
            command = [sys.executable, __file__, "--child", mode, "--source", str(source),
                       "--workdir", str(workdir), "--repeat", str(args.repeat)]
            environment = {**os.environ, "DOCUMENT_MASTER_KEYS": ""}
            output = subprocess.run(command, check=True, capture_output=True, text=True,
                                    env=environment).stdout
            result = json.loads(output.strip().splitlines()[-1])
            if result["sha256"] != digest.hexdigest():
                raise SystemExit(f"{mode}: what came back differs from what went in")
            results.append(result)

    print(f"\nDocument storage, {args.size_mb} MB file, local disk, one process per mode\n")
    print(f"{'mode':<10} {'upload MB/s':>12} {'download MB/s':>14} {'peak RSS rise':>14} {'stored':>12}")
    for result in results:
        print(f"{result['mode']:<10} {result['upload_mb_per_s']:>12} {result['download_mb_per_s']:>14} "
              f"{result['peak_rss_rise_mib']:>11} MiB {result['stored_bytes']:>12}")
    plain, encrypted = results
    report = {"size_mb": args.size_mb, "python": sys.version.split()[0], "results": results,
              "encrypted_vs_plain": {
                  "upload": round(encrypted["upload_mb_per_s"] / plain["upload_mb_per_s"], 2),
                  "download": round(encrypted["download_mb_per_s"] / plain["download_mb_per_s"], 2),
                  "stored_overhead_bytes": encrypted["stored_bytes"] - plain["stored_bytes"]}}
    output = Path(args.output)
    existing = json.loads(output.read_text()) if output.exists() else {}
    existing[f"{args.size_mb}MB"] = report
    output.write_text(json.dumps(existing, indent=2) + "\n")
    print(f"\nWritten to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
