;; A hand-written guest of the slots:host world for benchmarks: each export
;; loops over one host call, so the measured time is the call's.
(module
  (import "slots:host/buckets@0.1.0" "[constructor]bucket" (func $bucket_new (param i32 i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.len" (func $bucket_len (param i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.name" (func $bucket_name (param i32 i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.get" (func $bucket_get (param i32 i32 i32 i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.put" (func $bucket_put (param i32 i32 i32 i32 i32 i32)))
  (import "slots:host/buckets@0.1.0" "[resource-drop]bucket" (func $bucket_drop (param i32)))
  (import "slots:host/patterns@0.1.0" "[static]pattern.open" (func $pattern_open (param i32 i32 i32 i32)))
  (import "slots:host/patterns@0.1.0" "[method]pattern.is-match" (func $is_match (param i32 i32 i32) (result i32)))
  (import "slots:host/patterns@0.1.0" "[resource-drop]pattern" (func $pattern_drop (param i32)))

  (memory (export "memory") 4)
  ;; Scratch: 0..64 return area, 64..1024 a pattern source, 1024.. texts
  ;; and values, 65536.. the bump heap, reset by each loop. The host writes
  ;; sources, texts and values before it calls a loop.
  (global $heap (mut i32) (i32.const 65536))

  (func (export "cabi_realloc") (param $old i32) (param $old_len i32) (param $align i32) (param $len i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $len)))
    (local.get $ptr))

  (func $reset (global.set $heap (i32.const 65536)))

  ;; The world's export: returns `ok` (a zeroed return area).
  (func (export "run") (result i32)
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.const 0))

  ;; A bucket named by the `len` bytes at 1024.
  (func (export "new-bucket") (param $len i32) (result i32)
    (call $bucket_new (i32.const 1024) (local.get $len)))

  ;; Opens the pattern whose source is the `len` bytes at 64: its handle,
  ;; or a trap if the open failed.
  (func $open (param $len i32) (result i32)
    (call $pattern_open (i32.const 64) (local.get $len) (i32.const 0) (i32.const 0))
    (if (i32.load8_u (i32.const 0)) (then unreachable))
    (i32.load (i32.const 4)))
  (func (export "open") (param $len i32) (result i32) (call $open (local.get $len)))

  (func (export "drop-pattern") (param $h i32) (call $pattern_drop (local.get $h)))

  (func (export "method-loop") (param $h i32) (param $n i32)
    (loop $again
      (drop (call $bucket_len (local.get $h)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  (func (export "open-drop-loop") (param $len i32) (param $n i32)
    (loop $again
      (call $pattern_drop (call $open (local.get $len)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  ;; `is-match` on the `len` bytes at 1024: a string argument.
  (func (export "string-arg-loop") (param $h i32) (param $len i32) (param $n i32)
    (loop $again
      (drop (call $is_match (local.get $h) (i32.const 1024) (local.get $len)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  ;; `name()` of a bucket: a string result, allocated with cabi_realloc.
  (func (export "string-result-loop") (param $h i32) (param $n i32)
    (loop $again
      (call $reset)
      (call $bucket_name (local.get $h) (i32.const 0))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  ;; `put("k", bytes)` then `get("k")`: a list<u8> each way.
  (func (export "list-round-trip-loop") (param $h i32) (param $len i32) (param $n i32)
    (i32.store8 (i32.const 32) (i32.const 107)) ;; "k"
    (loop $again
      (call $reset)
      (call $bucket_put (local.get $h) (i32.const 32) (i32.const 1) (i32.const 1024) (local.get $len) (i32.const 0))
      (call $bucket_get (local.get $h) (i32.const 32) (i32.const 1) (i32.const 0))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
)
