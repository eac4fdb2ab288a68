"""An SMTP server for the e-mail tests (aiosmtpd): accepts every message on 127.0.0.1:PORT and
writes each one to OUT_DIR as <n>.eml (to a temporary name first, then renamed, so a reader
never sees half a message). Writes OUT_DIR/ready once it listens; stops on SIGTERM."""

import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller

port = int(sys.argv[1])
out_dir = sys.argv[2]
lock = threading.Lock()
count = [len([n for n in os.listdir(out_dir) if n.endswith(".eml")])]


class Sink:
    async def handle_DATA(self, server, session, envelope):
        with lock:
            count[0] += 1
            n = count[0]
        tmp = os.path.join(out_dir, f"{n:06d}.tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(out_dir, f"{n:06d}.eml"))
        return f"250 OK queued as {n}"


controller = Controller(Sink(), hostname="127.0.0.1", port=port)
controller.start()
with open(os.path.join(out_dir, "ready"), "w") as f:
    f.write(str(os.getpid()))
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())
stop.wait()
controller.stop()
