# fcgi/: jobsvc-fcgi, the dashboard and JSON API behind nginx.
