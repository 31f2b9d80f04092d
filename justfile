# Thin wrappers over cargo; README.md shows the plain cargo forms for those without `just`.

# Every test of the workspace (the command CI runs).
test:
    cargo test --workspace

# Formatting and clippy, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# The ATIONet reference server; extra flags pass through (e.g. `just serve --clock virtual`).
serve *ARGS:
    cargo run --release -p payrig -- serve ationet {{ARGS}}

# The ATIONet conformance suite on the embedded server; extra flags pass through.
certify *ARGS:
    cargo run --release -p payrig -- certify server --protocol ationet --out payrig-report {{ARGS}}

# Criterion benches and the load harness.
bench *ARGS:
    cargo bench -p payrig-benches {{ARGS}}

# Everything CI runs.
ci:
    .ci/run

# Side-by-side HTTP load bench (payrig TECS/ATIONet, bare hyper, WireMock) and the ATIONet
# memory figure; QUICK=1 for 3-second runs. Installs wrk/WireMock if missing.
load-bench:
    scripts/load-bench.sh
