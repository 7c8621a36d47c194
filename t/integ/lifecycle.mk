# Integration tests of schedules and the job lifecycle (issue 3); the
# test driver settings are in t/local.mk.
