"""bastion-pty ANSWER... -- COMMAND...: run COMMAND on a pseudo-terminal (su and passwd read
passwords from a terminal only), answer each prompt (output ending in ':') with the next
ANSWER, print everything COMMAND wrote and exit with its status. Test tooling of the accounts
scenario, copied to the targets by prepare."""

import os
import pty
import select
import sys
import time

args = sys.argv[1:]
split = args.index("--")
answers, command = args[:split], args[split + 1 :]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
output, pending, deadline = b"", b"", time.time() + 30
while time.time() < deadline:
    ready, _w, _x = select.select([fd], [], [], 0.5)
    if not ready:
        continue
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    output += data
    pending += data
    if answers and pending.rstrip().endswith(b":"):
        time.sleep(0.2)
        os.write(fd, answers.pop(0).encode() + b"\n")
        pending = b""
else:
    os.kill(pid, 9)
_pid, status = os.waitpid(pid, 0)
sys.stdout.write(output.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
