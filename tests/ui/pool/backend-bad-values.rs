use bounded_async::pool;

pool!(pub CACHE = 8, backend = "memcached");
pool!(pub TERSE = 8, backend = redis);
pool!(pub BRIEF = 8, backend = "redis", lease = "500ms");
pool!(pub SLOW = 8, backend = "redis", wait = "30s", lease = "10s");
pool!(pub LOCAL = 8, lease = "30s");

fn main() {}
