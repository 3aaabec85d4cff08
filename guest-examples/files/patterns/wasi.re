(?i)wasi
# match: WASI guests
# match: wasm32-wasip1
