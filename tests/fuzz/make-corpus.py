#!/usr/bin/env python3
"""Writes the seed corpus under tests/fuzz/corpus/<target>/: a handful of valid inputs per
target, in each target's input format (see the comment at the top of <target>_fuzz.cpp).

    tests/fuzz/make-corpus.py [--build-dir build]

The receipt and export seeds hold a genuine file that the target itself writes
(EPURSE_FUZZ_WRITE_SEED), so those two need <build-dir>/tests/{receipt,export}_fuzz built.
Files are named by content (seed-<sha1 prefix>), so re-running adds nothing twice; the
regression inputs of findings (regression-*) are kept by hand, not written here.
"""
import argparse
import hashlib
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    assert len(data) < 4096, (target, len(data))
    with open(os.path.join(d, "seed-" + hashlib.sha1(data).hexdigest()[:12]), "wb") as f:
        f.write(data)


def frame(payload):
    return len(payload).to_bytes(2, "big") + payload


def apdu_seeds():
    # Every input goes to every APDU-library parser at once.
    for h in ["00A4040007A000000151000000", "80CA01010000", "00B2010C00", "9000", "6A82",
              "3B8880010000000000000000", "7F2181AD7F4E67", "0001020304"]:
        write("apdu", bytes.fromhex(h))
    write("apdu", b"00a4040007a0000001510000")  # hex text, for the hex decoder


def protocol_seeds():
    # 0x80 | decoder: the decoder's valid sample, unchanged and with one byte flipped; then raw
    # inputs for the split-signed and PIN-block decoders (indexes 18 and 19).
    for d in range(18):
        write("protocol", bytes([0x80 | d]))
        write("protocol", bytes([0x80 | d, 3, 0x01]))
    write("protocol", bytes([18, 14]) + bytes(14 + 64))
    write("protocol", bytes([19]) + b"1234\xff\xff\xff\xff")


def vpcd_seeds():
    apdu = bytes.fromhex("00A4040007A000000151000000")
    stream = frame(b"\x01") + frame(b"\x04") + frame(apdu) + frame(b"\x00")
    write("vpcd", b"\x00" + stream)
    write("vpcd", bytes([3, 0, 1, 4]) + stream)              # cut into 1, 2, 5 byte pieces
    write("vpcd", b"\x00" + frame(b"") + frame(b"\x02"))      # an empty frame
    write("vpcd", bytes([1, 0]) + stream + b"\x00\x10\x01")   # ends inside a frame, 1 byte pieces


def card_seeds():
    # Steps: op | card << 3, argument, mutation position, mask (0: unchanged).
    def step(op, card, arg=0):
        return bytes([op | card << 3]) if op == 7 else bytes([op | card << 3, arg, 0, 0])
    transfer = (step(1, 0, 100) + step(2, 1, 100) + step(3, 0, 0) + step(3, 1, 1) + step(3, 0, 2))
    write("card", transfer)
    write("card", step(6, 0, 1) + step(1, 0, 200) + step(2, 1, 200) + step(3, 0, 0) + step(7, 1) + step(3, 1, 1))
    write("card", step(4, 0, 100) + step(4, 1, 50) + step(5, 0) + step(3, 0, 3) + step(3, 0, 0x83))
    write("card", step(6, 1, 0) + step(6, 1, 1) + bytes([0, 5]) + bytes.fromhex("00CA010100"))


def genuine_seed(build_dir, target):
    program = os.path.join(build_dir, "tests", target + "_fuzz")
    with tempfile.TemporaryDirectory() as tmp:
        seed = os.path.join(tmp, "seed")
        subprocess.run([program, "1", "1"], env=dict(os.environ, EPURSE_FUZZ_WRITE_SEED=seed), check=True,
                       stdout=subprocess.DEVNULL)
        with open(seed, "rb") as f:
            write(target, f.read())
    # Mutations of the genuine file: (position high, position low, mask) triples.
    write(target, bytes([0x80, 0, 40, 0x01]))
    write(target, bytes([0x80, 1, 0, 0x20, 2, 0, 0x01]))
    write(target, bytes([0x80, 0, 200, 0x85, 3, 0, 0x8B]))  # digits stay digits (text_mutation.h)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", default="build")
    args = parser.parse_args()
    apdu_seeds()
    protocol_seeds()
    vpcd_seeds()
    card_seeds()
    genuine_seed(args.build_dir, "receipt")
    genuine_seed(args.build_dir, "export")


if __name__ == "__main__":
    main()
