;; The floor: the same loop over an import that returns a constant, the way
;; hosts without handles work today.
(module
  (import "floor" "constant" (func $constant (param i32) (result i32)))
  (func (export "method-loop") (param $h i32) (param $n i32)
    (loop $again
      (drop (call $constant (local.get $h)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
