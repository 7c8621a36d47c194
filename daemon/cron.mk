# daemon/cron.c: the cron expression parser, and its unit tests.
