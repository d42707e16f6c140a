#!/usr/bin/env bash
# Compile time and expansion size of `join_bounded!`'s list form against `tokio::join!`.
#
#   scripts/join-compile-time.sh [FUTURES] [WORKSPACE]
#
# Generates, in a temporary crate that depends on WORKSPACE (default: this checkout) by path,
# one file per case: one list join of FUTURES futures (default 64) for each strategy, all five
# in one file, and `tokio::join!` of the same futures. Dependencies are built first; each case's
# time is then the `cargo check` of that crate alone (best of 3). With a nightly toolchain
# installed, it also prints the size of each case's expansion (`-Zunpretty=expanded`), minus
# that of an empty crate, per future. A measurement, not a test: nothing is asserted.
set -euo pipefail

futures=${1:-64}
workspace=$(cd "${2:-$(dirname "$0")/..}" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$dir/target}"

mkdir "$dir/src"
cat >"$dir/Cargo.toml" <<TOML
[package]
name = "join-compile-time"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
bounded-async = { path = "$workspace" }
tokio = { version = "1", features = ["macros"] }

[workspace]
TOML
[ -f "$workspace/Cargo.lock" ] && cp "$workspace/Cargo.lock" "$dir/"

# The futures, comma-separated: plain values, or `Result`s for the strategies that need them.
list() {
  local i
  for ((i = 0; i < futures; i++)); do
    if [ "$1" = result ]; then printf 'async { Ok::<u32, ()>(%d) }, ' "$i"; else printf 'async { %du32 }, ' "$i"; fi
  done
}
join() { # strategy, output kind
  printf '    let _ = bounded_async::join_bounded!(limit = 4, strategy = "%s"; %s);\n' "$1" "$(list "$2")"
}

case_source() {
  echo "#![allow(unused)]"
  echo "async fn run() {"
  case $1 in
    empty) ;;
    tokio) printf '    let _ = tokio::join!(%s);\n' "$(list plain)" ;;
    join | race) join "$1" plain ;;
    all | settled | any) join "$1" result ;;
    every)
      join join plain
      join all result
      join settled result
      join any result
      join race plain
      ;;
  esac
  echo "}"
  echo "fn main() {}"
}

case_source empty >"$dir/src/main.rs"
(cd "$dir" && cargo check --quiet)

nightly=no
if cargo +nightly --version >/dev/null 2>&1; then
  nightly=yes
  (cd "$dir" && CARGO_TARGET_DIR="$dir/nightly" cargo +nightly rustc --quiet --profile=check -- -Zunpretty=expanded >"$dir/empty.rs")
fi

printf '%-8s %10s %16s\n' case "check (s)" "expanded B/future"
for name in tokio join all settled any race every; do
  case_source "$name" >"$dir/src/main.rs"
  best=
  for _ in 1 2 3; do
    touch "$dir/src/main.rs"
    start=$(date +%s.%N)
    (cd "$dir" && cargo check --quiet)
    end=$(date +%s.%N)
    time=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$time < $best" | bc)" = 1 ]; then best=$time; fi
  done
  size=-
  if [ $nightly = yes ] && [ "$name" != every ]; then
    (cd "$dir" && CARGO_TARGET_DIR="$dir/nightly" cargo +nightly rustc --quiet --profile=check -- -Zunpretty=expanded >"$dir/$name.rs")
    size=$(( ($(wc -c <"$dir/$name.rs") - $(wc -c <"$dir/empty.rs")) / futures ))
  fi
  printf '%-8s %10.2f %16s\n' "$name" "$best" "$size"
done
