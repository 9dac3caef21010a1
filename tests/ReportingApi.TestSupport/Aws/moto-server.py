"""Runs moto's server for the tests (MotoServer.cs), and ends it once the test process that started it is gone.

Transfer Family users get what moto lacks from moto_transfer_users.py (imported before the server starts).

A test host can be killed before its exit handlers run (vstest does not wait long for them); without this, a
moto_server would outlive every test run. On the way out it deletes its folder (certificate, key, recording).
Usage: python3 moto-server.py FOLDER [moto_server arguments...]
"""
import os
import shutil
import sys
import threading
import time

from moto.server import main

import moto_transfer_users  # noqa: F401 (patches moto's Transfer users on import)

folder = sys.argv[1]
parent = os.getppid()


def end_with_parent():
    while os.getppid() == parent:
        time.sleep(1)
    shutil.rmtree(folder, ignore_errors=True)
    os._exit(0)


threading.Thread(target=end_with_parent, daemon=True).start()
main(sys.argv[2:])
