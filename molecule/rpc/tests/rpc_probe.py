"""A portmapper client in the Python standard library, run on the test clients (which have no
rpcinfo): one call of RPC program 100000 version 2 over TCP or UDP, and what came back.

    python3 rpc_probe.py ADDRESS tcp|udp getport|dump

Prints one line: 'accepted port=N' (GETPORT of the portmapper itself over TCP), 'accepted
entries=N' (DUMP: the number of registrations), 'denied' (the server refused the caller: what
rpcbind answers a host its TCP wrappers refuse), or 'error: ...' (no answer, connection refused).
"""

import socket
import struct
import sys

PROGRAM, VERSION = 100000, 2
GETPORT, DUMP = 3, 4
XID = 0x62617374


def call(proc, args=b""):
    # xid, CALL, rpcvers 2, program, version, procedure, AUTH_NULL credentials and verifier.
    return struct.pack(">IIIIII", XID, 0, 2, PROGRAM, VERSION, proc) + struct.pack(">IIII", 0, 0, 0, 0) + args


def exchange(address, proto, message, timeout=3.0):
    if proto == "tcp":
        with socket.create_connection((address, 111), timeout=timeout) as s:
            s.sendall(struct.pack(">I", 0x80000000 | len(message)) + message)
            data = b""
            while True:
                header = s.recv(4, socket.MSG_WAITALL)
                if len(header) < 4:
                    raise OSError("connection closed")
                (mark,) = struct.unpack(">I", header)
                length = mark & 0x7FFFFFFF
                chunk = b""
                while len(chunk) < length:
                    part = s.recv(length - len(chunk))
                    if not part:
                        raise OSError("connection closed")
                    chunk += part
                data += chunk
                if mark & 0x80000000:
                    return data
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(message, (address, 111))
        return s.recvfrom(65536)[0]


def verdict(proc, reply):
    xid, mtype, stat = struct.unpack(">III", reply[:12])
    if xid != XID or mtype != 1:
        return "error: not a reply"
    if stat != 0:
        return "denied"
    (verf_len,) = struct.unpack(">I", reply[16:20])
    offset = 20 + (verf_len + 3) // 4 * 4
    (accept,) = struct.unpack(">I", reply[offset : offset + 4])
    if accept != 0:
        return "error: accept_stat %d" % accept
    body = reply[offset + 4 :]
    if proc == GETPORT:
        return "accepted port=%d" % struct.unpack(">I", body[:4])
    entries = 0
    while struct.unpack(">I", body[:4])[0] == 1:
        entries += 1
        body = body[20:]
    return "accepted entries=%d" % entries


def main(address, proto, what):
    proc = GETPORT if what == "getport" else DUMP
    args = struct.pack(">IIII", PROGRAM, VERSION, 6, 0) if proc == GETPORT else b""
    try:
        print(verdict(proc, exchange(address, proto, call(proc, args))))
    except (OSError, struct.error) as e:
        print("error: %s" % e)


if __name__ == "__main__":
    main(*sys.argv[1:4])
