#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/peer-sidekiq.sh [JOBS [CONCURRENCY]]: the peer's figure for
# bench.sh: JOBS (default 5000) jobs that each run /bin/true, through
# Sidekiq (Debian's ruby-sidekiq) with CONCURRENCY threads (default 10), its
# own redis-server on a private Unix socket, both run as the user nobody.
# Prints the throughput in jobs/s, from just before the jobs are pushed
# (push_bulk, 1,000 at a time, Sidekiq already up and idle) to the last
# job's end; each job counts its end with one INCR.  Exits 77 when Sidekiq,
# Ruby or redis-server is missing.  Not part of `make check`.
set -eu
jobs=${1:-5000}
conc=${2:-10}
user=${BENCH_PEER_USER:-nobody}
for c in ruby sidekiq redis-server redis-cli setpriv; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "peer-sidekiq: $c is not installed" >&2
		exit 77
	}
done
ruby -e 'require "sidekiq"' 2>/dev/null || {
	echo "peer-sidekiq: the sidekiq gem is not installed" >&2
	exit 77
}
dir=$(mktemp -d /tmp/peer-sidekiq.XXXXXX)
redis_pid= sq_pid=
cleanup()
{
	[ -z "$sq_pid" ] || kill "$sq_pid" 2>/dev/null || true
	[ -z "$redis_pid" ] || kill "$redis_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
chmod 755 "$dir"
chown "$user" "$dir"
# "${as_user[@]}" CMD...: CMD as $user, in a clean environment (a simple
# command, so that a background one's $! is CMD's own pid).
as_user=(env -i PATH=/usr/bin:/bin HOME="$dir" PEER_REDIS="$dir/redis.sock"
	setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups)

cat >"$dir/app.rb" <<'RB'
require "sidekiq"
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)
url = "unix://#{ENV.fetch("PEER_REDIS")}"
Sidekiq.configure_server { |c| c.redis = { url: url } }
Sidekiq.configure_client { |c| c.redis = { url: url } }
class TrueJob
  include Sidekiq::Worker
  sidekiq_options retry: false
  def perform
    system("/bin/true") or raise "/bin/true failed"
    Sidekiq.redis { |r| r.incr("peer:done") }
  end
end
RB
cat >"$dir/push.rb" <<'RB'
require_relative "app"
n = Integer(ARGV[0])
clock = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
t0 = clock.call
(0...n).each_slice(1000) do |s|
  Sidekiq::Client.push_bulk("class" => TrueJob, "args" => s.map { [] })
end
done = 0
deadline = t0 + 600
while done < n
  abort "only #{done} of #{n} jobs ran" if clock.call > deadline
  sleep 0.005
  done = Sidekiq.redis { |r| r.get("peer:done") }.to_i
end
puts format("%.0f", n / (clock.call - t0))
RB
chmod 644 "$dir"/*.rb

"${as_user[@]}" redis-server --port 0 --unixsocket "$dir/redis.sock" \
	--unixsocketperm 700 --dir "$dir" --save '' --appendonly no \
	--logfile "$dir/redis.log" &
redis_pid=$!
for ((i = 0; i < 200; i++)); do
	[ "$("${as_user[@]}" redis-cli -s "$dir/redis.sock" ping 2>/dev/null)" = PONG ] && break
	sleep 0.05
done
"${as_user[@]}" sidekiq -r "$dir/app.rb" -c "$conc" -q default >"$dir/sidekiq.log" 2>&1 &
sq_pid=$!
# Up when its heartbeat is in Redis.
for ((i = 0; i < 600; i++)); do
	[ "$("${as_user[@]}" redis-cli -s "$dir/redis.sock" scard processes)" -ge 1 ] && break
	kill -0 "$sq_pid" 2>/dev/null || {
		tail -n 20 "$dir/sidekiq.log" >&2
		exit 1
	}
	sleep 0.1
done
"${as_user[@]}" ruby -C "$dir" "$dir/push.rb" "$jobs"
