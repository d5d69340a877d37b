"""smtp_probe.py ADDRESS COMMAND...: an SMTP conversation with ADDRESS:25, as a client would
have it. Prints a JSON list of {"command", "code", "text"}: first the greeting (command
"connect"), then one entry per command sent. Stops after a greeting that is not 2xx or when
the server closes the connection; a connection that fails is code 0. Never sends DATA."""

import json
import socket
import sys


def reply(f):
    lines = []
    while True:
        line = f.readline(2048).decode("ascii", "replace").rstrip("\r\n")
        if not line:
            raise EOFError("connection closed")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return int(line[:3]), " | ".join(lines)


def main(address, commands):
    out = []
    try:
        conn = socket.create_connection((address, 25), timeout=10)
    except OSError as e:
        out.append({"command": "connect", "code": 0, "text": str(e)})
        return out
    with conn:
        f = conn.makefile("rb")
        try:
            code, text = reply(f)
            out.append({"command": "connect", "code": code, "text": text})
            if code // 100 != 2:
                return out
            for command in commands:
                conn.sendall(command.encode("ascii") + b"\r\n")
                code, text = reply(f)
                out.append({"command": command, "code": code, "text": text})
        except (EOFError, OSError) as e:
            out.append({"command": "closed", "code": 0, "text": str(e)})
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2:])))
