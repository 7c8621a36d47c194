# Fuzz targets for the daemon's parsers (config, cron), following lib/local.mk.
