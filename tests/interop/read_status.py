#!/usr/bin/env python3
"""A purse client written with pyscard alone, from docs/apdu.md: SELECT the purse, GET DATA
0101, and print the FCI and the status record field by field as one JSON object.

    python3 read_status.py READER_NAME
"""
import json
import struct
import sys

from smartcard.System import readers

PURSE_AID = [0xF0, 0x65, 0x70, 0x75, 0x72, 0x73, 0x65, 0x01]
SW_SUCCESS = (0x90, 0x00)
SW1_BYTES_AVAILABLE = 0x61  # T=0: fetch the answer with GET RESPONSE


def transmit(connection, apdu):
    data, sw1, sw2 = connection.transmit(apdu)
    if sw1 == SW1_BYTES_AVAILABLE:
        data, sw1, sw2 = connection.transmit([0x00, 0xC0, 0x00, 0x00, sw2])
    if (sw1, sw2) != SW_SUCCESS:
        sys.exit("%02X %02X from %s" % (sw1, sw2, " ".join("%02X" % b for b in apdu)))
    return bytes(data)


def status_fields(record):
    """The status record's fields at the offsets of docs/apdu.md, big-endian."""
    (version, life_cycle, flags, protocol, tries, verified) = record[0:6]
    purse_id = record[6:14]
    (currency, balance, max_balance, per_transfer, no_pin, next_seq, loads, admin, date, appended) = \
        struct.unpack(">HIIIIIIIII", record[14:52])
    (log_capacity, held, exception_capacity) = record[52:55]
    (revocation,) = struct.unpack(">I", record[55:59])
    issuer_key_id = record[59:67]
    (expiry,) = struct.unpack(">I", record[67:71])
    return {
        "formatVersion": version, "lifeCycle": life_cycle, "personalisation": flags,
        "protocolStatus": protocol, "pinTriesLeft": tries, "pinVerified": verified,
        "purseId": purse_id.hex().upper(), "currency": currency, "balance": balance,
        "maxBalance": max_balance, "perTransferMax": per_transfer, "noPinLimit": no_pin,
        "nextSeq": next_seq, "loadCounter": loads, "adminCounter": admin, "date": date,
        "logAppended": appended, "logCapacity": log_capacity, "exceptionsHeld": held,
        "exceptionCapacity": exception_capacity, "revocationVersion": revocation,
        "issuerKeyId": issuer_key_id.hex().upper(), "certificateExpiry": expiry,
    }


def main():
    name = sys.argv[1]
    reader = next((r for r in readers() if str(r) == name), None)
    if reader is None:
        sys.exit("no reader named %r among %s" % (name, [str(r) for r in readers()]))
    connection = reader.createConnection()
    connection.connect()
    fci = transmit(connection, [0x00, 0xA4, 0x04, 0x00, len(PURSE_AID)] + PURSE_AID + [0x00])
    record = transmit(connection, [0x00, 0xCA, 0x01, 0x01, 0x00])
    if len(record) != 71:
        sys.exit("the status record has %d bytes, not 71" % len(record))
    print(json.dumps({
        "atr": bytes(connection.getATR()).hex().upper(),
        "fci": fci.hex().upper(),
        "status": status_fields(record),
    }))
    connection.disconnect()


if __name__ == "__main__":
    main()
