;; A hand-written guest of the slots:host world for the scale benchmarks: it
;; opens buckets and keeps their handles in a list in its own memory, so the
;; host can grow its table to any size and call methods on handles picked at
;; random from the list.
(module
  (import "slots:host/buckets@0.1.0" "[constructor]bucket" (func $bucket_new (param i32 i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "[method]bucket.len" (func $bucket_len (param i32) (result i32)))
  (import "slots:host/buckets@0.1.0" "[resource-drop]bucket" (func $bucket_drop (param i32)))
  (import "slots:host/patterns@0.1.0" "[static]pattern.open" (func $pattern_open (param i32 i32 i32 i32)))
  (import "slots:host/patterns@0.1.0" "[resource-drop]pattern" (func $pattern_drop (param i32)))

  ;; 0..64 the return area, 1024.. a pattern source written by the host,
  ;; 65536..131072 the bump heap, 131072.. the handle list. The host grows
  ;; the memory before the list outgrows it.
  (memory (export "memory") 3)
  (global $heap (mut i32) (i32.const 65536))
  ;; Handles in the list.
  (global $count (mut i32) (i32.const 0))
  ;; xorshift32 state; never 0.
  (global $rng (mut i32) (i32.const 0x2545f491))

  (func (export "cabi_realloc") (param $old i32) (param $old_len i32) (param $align i32) (param $len i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $len)))
    (local.get $ptr))

  ;; The world's export: returns `ok` (a zeroed return area).
  (func (export "run") (result i32)
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.const 0))

  (func $slot (param $i i32) (result i32)
    (i32.add (i32.const 131072) (i32.shl (local.get $i) (i32.const 2))))

  ;; A live handle from the list, uniformly at random.
  (func $pick (result i32)
    (local $x i32)
    (local.set $x (global.get $rng))
    (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
    (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
    (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
    (global.set $rng (local.get $x))
    ;; (x * count) >> 32: an index below count without a division.
    (i32.load
      (call $slot
        (i32.wrap_i64
          (i64.shr_u
            (i64.mul (i64.extend_i32_u (local.get $x)) (i64.extend_i32_u (global.get $count)))
            (i64.const 32))))))

  (func (export "count") (result i32) (global.get $count))

  ;; Opens `n` buckets with empty names, appending their handles to the list.
  (func (export "open-n") (param $n i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (i32.store (call $slot (global.get $count)) (call $bucket_new (i32.const 64) (i32.const 0)))
        (global.set $count (i32.add (global.get $count) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again))))

  ;; Drops the last `n` buckets of the list.
  (func (export "drop-last-n") (param $n i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (global.set $count (i32.sub (global.get $count) (i32.const 1)))
        (call $bucket_drop (i32.load (call $slot (global.get $count))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again))))

  ;; `len()` on `n` handles picked at random.
  (func (export "method-random") (param $n i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (drop (call $bucket_len (call $pick)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again))))

  ;; The same picks without the call: the guest's share of `method-random`.
  (func (export "pick-random") (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.xor (local.get $acc) (call $pick)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (local.get $acc))

  ;; `len()` on one handle, `n` times.
  (func (export "method-loop") (param $h i32) (param $n i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (drop (call $bucket_len (local.get $h)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again))))

  ;; Opens the pattern whose source is the `len` bytes at 1024: its handle,
  ;; or a trap if the open failed.
  (func (export "open-pattern") (param $len i32) (result i32)
    (call $pattern_open (i32.const 1024) (local.get $len) (i32.const 0) (i32.const 0))
    (if (i32.load8_u (i32.const 0)) (then unreachable))
    (i32.load (i32.const 4)))

  (func (export "drop-pattern") (param $h i32) (call $pattern_drop (local.get $h)))
)
