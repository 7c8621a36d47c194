# packaging/: systemd units, sysusers/tmpfiles, nginx snippet, configs.
