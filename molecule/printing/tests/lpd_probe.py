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
            # lpd refuses a host before it reads a command: take what it says first, so that our
            # unread command does not turn its close into a reset that loses the message.
            s.settimeout(1)
            try:
                data = s.recv(4096)
            except socket.timeout:
                data = b""
                s.sendall(b"\x03lp\n")
            s.settimeout(3)
            while True:
                try:
                    part = s.recv(4096)
                except OSError:
                    if data:
                        break
                    raise
                if not part:
                    break
                data += part
        print(data.decode("utf-8", "replace").strip() or "(empty answer)")
    except OSError as e:
        print("error: %s" % e)


if __name__ == "__main__":
    main(sys.argv[1])
