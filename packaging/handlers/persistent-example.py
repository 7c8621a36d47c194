#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# An example persistent handler in Python ([queue TYPE] persistent = yes in
# jobsvcd.conf, see there).  It runs until its standard input ends, taking
# one job per line: {"id", "name", "attempt", "execution_id", "parameters"}.
# For each it logs the job on stdout (the job's log), checks in on fd 3,
# and ends the job with a status line on fd 3: Success, or Error with why.
import json
import os
import sys

fd3 = os.fdopen(3, "w", buffering=1)
for line in sys.stdin:
    job = json.loads(line)
    try:
        print("job", job["id"], "attempt", job["attempt"],
              "parameters", json.dumps(job["parameters"]), flush=True)
        fd3.write(json.dumps({"check_in": "working"}) + "\n")
        # the work goes here
        fd3.write(json.dumps({"status": "Success"}) + "\n")
    except Exception as e:
        sys.stdout.flush()
        fd3.write(json.dumps({"status": "Error", "error": str(e)}) + "\n")
