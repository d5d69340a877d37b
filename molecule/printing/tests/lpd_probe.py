"""An lpd client in the Python standard library, run on the test clients: send the RFC 1179
'send queue state (short)' command for queue lp and print what lpd answers (or 'error: ...'
when the connection fails).

    python3 lpd_probe.py ADDRESS
"""

import socket
import sys


def main(address):
    try:
        with socket.create_connection((address, 515), timeout=3) as s:
            s.sendall(b"\x03lp\n")
            data = b""
            while True:
                part = s.recv(4096)
                if not part:
                    break
                data += part
        print(data.decode("utf-8", "replace").strip() or "(empty answer)")
    except OSError as e:
        print("error: %s" % e)


if __name__ == "__main__":
    main(sys.argv[1])
